package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// ExpireMaster picks what the master side destroys: zrep snapshots older
// than the last sent one, beyond the newest savecount-1 of them. The last
// sent snapshot and anything newer are never candidates (classic §4.4).
func ExpireMaster(tag zfsprops.Tag, snaps []zfsprops.Snapshot, lastSent string, savecount int) []string {
	var older []string
	for _, s := range snaps {
		if s.Name == lastSent {
			break
		}
		if _, _, ok := tag.ParseSerial(s.Short()); ok {
			older = append(older, s.Name)
		}
	}
	return oldest(older, savecount-1)
}

// ExpireUnsent picks the _unsent snapshots of failed runs that are newer
// than every sent one, which ExpireMaster never reaches; all of them go
// (one more _unsent snapshot is about to be made, or a sync just
// succeeded past them), so a string of failing runs leaves at most one.
func ExpireUnsent(tag zfsprops.Tag, snaps []zfsprops.Snapshot) []string {
	var names []string
	for i := len(snaps) - 1; i >= 0; i-- {
		s := snaps[i]
		_, unsent, ok := tag.ParseSerial(s.Short())
		if ok && !unsent && s.SentTime() != 0 {
			break
		}
		if ok && unsent {
			names = append([]string{s.Name}, names...)
		}
	}
	return names
}

// ExpireReplica picks what a non-master side destroys: all but the newest
// savecount zrep snapshots.
func ExpireReplica(tag zfsprops.Tag, snaps []zfsprops.Snapshot, savecount int) []string {
	var names []string
	for _, s := range snaps {
		if _, _, ok := tag.ParseSerial(s.Short()); ok {
			names = append(names, s.Name)
		}
	}
	return oldest(names, savecount)
}

// oldest returns names minus its last keep entries.
func oldest(names []string, keep int) []string {
	if keep < 0 {
		keep = 0
	}
	if len(names) <= keep {
		return nil
	}
	return names[:len(names)-keep]
}

// destroy removes snapshots one call each: zfs-fuse has no comma lists.
// A held snapshot is marked for deferred destruction instead (zfs destroy
// -d), so it goes when the hold does: zfs-fuse leaks the temporary hold of
// an interrupted zfs send until its pool is next imported, and a pruning
// tool's hold is not ours to break.
func (e *Env) destroy(ctx context.Context, h ssh.Host, names []string) error {
	for _, name := range names {
		if err := e.destroyDeferred(ctx, h, name); err != nil {
			return fmt.Errorf("expire: %w", err)
		}
	}
	return nil
}

// expireSide destroys what the rule picks on one side; savecount comes from
// that side's own TAG:savecount, falling back to the partner's.
func (e *Env) expireSide(ctx context.Context, h ssh.Host, fs *zfsprops.Filesystem, snaps []zfsprops.Snapshot, master bool, lastSent, fallbackCount string) error {
	raw := fs.Config(e.Tag).SaveCount
	if raw == "" {
		raw = fallbackCount
	}
	n, err := zfsprops.ParseSaveCount(raw)
	if err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s on %s: %w; nothing expired", fs.Name, h.Name(), err),
			"set it with: zfs set %s=5 %s", e.Tag.SaveCount(), fs.Name)
	}
	var doomed []string
	if master {
		doomed = ExpireMaster(e.Tag, snaps, lastSent, n)
		// _unsent snapshots newer than the last sent one: the newest stays.
		if unsent := ExpireUnsent(e.Tag, snaps); len(unsent) > 1 {
			doomed = append(doomed, unsent[:len(unsent)-1]...)
		}
	} else {
		doomed = ExpireReplica(e.Tag, snaps, n)
	}
	return e.destroy(ctx, h, doomed)
}
