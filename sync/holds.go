package sync

import (
	"context"
	"fmt"
	"slices"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// Holds (design §2.6), where zfs has them: the sync point, the newest
// snapshot both sides have, carries the hold TAG:syncpoint on both sides,
// so a pruning tool's plain `zfs destroy` of it fails instead of breaking
// the incremental chain. Each sync moves the hold to the new sync point;
// expiry and clear release it before destroying. zfs-fuse has no working
// holds, and there nothing happens.

// holds reports whether h's zfs has working holds; a failed probe counts
// as none (the probe's own error surfaces wherever features matter).
func (e *Env) holds(ctx context.Context, h ssh.Host) bool {
	f, err := e.features(ctx, h)
	return err == nil && f.Holds
}

// hold puts our hold on snap (with -R, on every child's too). Already
// held is fine: a run that died after holding is being repeated.
func (e *Env) hold(ctx context.Context, h ssh.Host, snap string) error {
	if !e.holds(ctx, h) {
		return nil
	}
	_, err := zfsprops.Run(ctx, h, zfsprops.HoldArgv(e.Tag.HoldTag(), e.Recursive, snap))
	if zfsprops.KindOf(err) == zfsprops.KindExists {
		return nil
	}
	return err
}

// release takes our hold off snap; not held, or gone, is fine.
func (e *Env) release(ctx context.Context, h ssh.Host, snap string) error {
	if !e.holds(ctx, h) {
		return nil
	}
	_, err := zfsprops.Run(ctx, h, zfsprops.ReleaseArgv(e.Tag.HoldTag(), e.Recursive, snap))
	if k := zfsprops.KindOf(err); k == zfsprops.KindNotExist || zfsprops.IsNoSuchHold(err) {
		return nil
	}
	return err
}

// ReleaseAll takes our hold off each of snaps, before a rollback destroys
// them (zfs rollback -r cannot destroy a held snapshot).
func (e *Env) ReleaseAll(ctx context.Context, h ssh.Host, snaps []string) error {
	for _, s := range snaps {
		if err := e.release(ctx, h, s); err != nil {
			return err
		}
	}
	return nil
}

// moveHold holds the new sync point on both sides, then releases the old
// ones (the sync point this run started from, and the one a resumed
// transfer moved it to). A missing permission is an error (the pair would
// stay unprotected, silently); other failures are warnings: the data is
// replicated, the next sync holds again, and expiry releases a stale hold
// of ours.
func (e *Env) moveHold(ctx context.Context, src, dst Side, newShort string, olds ...string) error {
	var denied error
	for _, s := range []Side{src, dst} {
		if err := e.hold(ctx, s.Host, s.FS.Name+"@"+newShort); err != nil {
			if zfsprops.KindOf(err) == zfsprops.KindPermission && denied == nil {
				denied = fmt.Errorf("%s has %s, but could not hold it: %w", s, newShort, err)
			} else {
				e.warn("could not hold %s@%s on %s: %s", s.FS.Name, newShort, s.Name, oneLine(err))
			}
			continue
		}
		for _, old := range distinct(olds, newShort) {
			if err := e.release(ctx, s.Host, s.FS.Name+"@"+old); err != nil {
				e.warn("could not release the hold on %s@%s on %s: %s", s.FS.Name, old, s.Name, oneLine(err))
			}
		}
	}
	return denied
}

// distinct is names without "", repeats and but.
func distinct(names []string, but string) []string {
	var out []string
	for _, n := range names {
		if n != "" && n != but && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
