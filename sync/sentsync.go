package sync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// SentSyncOptions are sentsync's flags.
type SentSyncOptions struct {
	Local bool // -L: leave the partner's snapshot unmarked
}

// ParseZrepSnapshot splits FS@TAG_NNNNNN, refusing any other snapshot
// name: only a zrep snapshot of this tag can be a sync point.
func ParseZrepSnapshot(tag zfsprops.Tag, snap string) (fs, short string, err error) {
	fs, short, ok := strings.Cut(snap, "@")
	if !ok {
		return "", "", fmt.Errorf("%q is not a snapshot: expected FS@%s", snap, tag.SnapName(0))
	}
	if err := zfsprops.ValidateFilesystem(fs); err != nil {
		return "", "", err
	}
	if _, unsent, ok := tag.ParseSerial(short); !ok || unsent || len(short) != len(tag.SnapName(0)) {
		return "", "", fmt.Errorf("%q is not a zrep snapshot of tag %s: expected FS@%s_NNNNNN (6 hex digits)", snap, tag, tag)
	}
	return fs, short, nil
}

// SentSync adopts a pair replicated by hand: snap, which the partner
// already has, becomes the last one sent, and this side becomes master.
func (e *Env) SentSync(ctx context.Context, snap string, o SentSyncOptions) error {
	name, short, err := ParseZrepSnapshot(e.Tag, snap)
	if err != nil {
		return err
	}
	held, fs, err := e.lockAndRead(ctx, name)
	if err != nil {
		return lockReadErr(err, name)
	}
	defer held.Unlock()
	e = e.ForPair(fs)
	ours, ok := findSnapshot(fs.Snapshots, short)
	if !ok {
		return zfsprops.WithHint(&zfsprops.NotExistError{Host: e.Self, Name: snap}, "zfs list -t snapshot -r %s shows the snapshots there", name)
	}
	if fs.Prop(e.Tag.Sent()).Local() != "" {
		return zfsprops.WithHint(fmt.Errorf("%s itself has %s set; only its snapshots may", name, e.Tag.Sent()),
			"remove it with: zfs inherit %s %s", e.Tag.Sent(), name)
	}
	cfg := fs.Config(e.Tag)
	switch {
	case !fs.Managed(e.Tag) || cfg.DestHost == "":
		return zfsprops.WithHint(fmt.Errorf("%s on %s is not configured for zrep", name, e.Self),
			"first run here: zrep %schangeconfig %s DESTHOST DESTFS", e.tagFlag(), name)
	case cfg.SrcHost != e.Self:
		return zfsprops.WithHint(fmt.Errorf("%s names %s as its source host (%s), not %s", name, cfg.SrcHost, e.Tag.SrcHost(), e.Self),
			"to make this side the source, first run here: zrep %schangeconfig %s DESTHOST DESTFS", e.tagFlag(), name)
	}
	now := strconv.FormatInt(e.now().Unix(), 10)
	if !o.Local {
		if err := e.markPartner(ctx, name, cfg, ours, now); err != nil {
			return err
		}
	}
	for _, s := range fs.Snapshots {
		if s.Name != snap && s.Sent.Local() != "" {
			fmt.Fprintf(e.Err, "WARNING: clearing sent value from %s\n", s.Name)
			if err := zfsprops.Inherit(ctx, e.Local, s.Name, e.Tag.Sent()); err != nil {
				return err
			}
		}
	}
	if err := zfsprops.Set(ctx, e.Local, snap, e.Tag.Sent(), now); err != nil {
		return err
	}
	return zfsprops.Set(ctx, e.Local, name, e.Tag.Master(), "yes")
}

// markPartner stamps the partner's copy of ours as sent, after checking
// that it is the same snapshot (GUID) and that the partner is no master.
func (e *Env) markPartner(ctx context.Context, name string, cfg zfsprops.Config, ours zfsprops.Snapshot, now string) error {
	h, dst, err := e.replicaOf(ctx, name, cfg)
	if err != nil {
		return err
	}
	theirs, ok := findSnapshot(dst.Snapshots, ours.Short())
	if !ok {
		return zfsprops.WithHint(fmt.Errorf("%s:%s has no %s", cfg.DestHost, cfg.DestFS, ours.Short()),
			"send it first (zfs send | zfs recv), or pick a snapshot both sides have")
	}
	if theirs.GUID != ours.GUID {
		return zfsprops.WithHint(fmt.Errorf("%s:%s and %s are different snapshots (GUID %s, not %s)", cfg.DestHost, theirs.Name, ours.Name, theirs.GUID, ours.GUID),
			"pick a snapshot both sides have from the same send")
	}
	return zfsprops.Set(ctx, h, theirs.Name, e.Tag.Sent(), now)
}

// partner checks the partner names in name's properties, then reaches it.
func (e *Env) partner(ctx context.Context, name string, cfg zfsprops.Config) (ssh.Host, error) {
	if err := ssh.ValidateHostName(cfg.DestHost); err != nil {
		return nil, zfsprops.WithHint(fmt.Errorf("%s has a bad %s: %w", name, e.Tag.DestHost(), err),
			"set the partner with: zrep changeconfig")
	}
	if err := zfsprops.ValidateFilesystem(cfg.DestFS); err != nil {
		return nil, zfsprops.WithHint(fmt.Errorf("%s has a bad %s: %w", name, e.Tag.DestFS(), err),
			"set the destination with: zrep changeconfig")
	}
	return e.host(ctx, cfg.DestHost)
}

// partnerReadErr explains a failed read of the partner filesystem.
func (e *Env) partnerReadErr(err error, cfg zfsprops.Config) error {
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) {
		return zfsprops.WithHint(fmt.Errorf("partner %s:%s does not exist", cfg.DestHost, cfg.DestFS),
			"check %s and %s, or fix them with zrep changeconfig", e.Tag.DestHost(), e.Tag.DestFS())
	}
	return partnerErr(err, cfg.DestHost, fmt.Sprintf("reading %s:%s", cfg.DestHost, cfg.DestFS))
}

func (e *Env) splitBrain(name string, cfg zfsprops.Config) error {
	return zfsprops.WithHint(&SplitBrainError{Host: e.Self, FS: name, PeerHost: cfg.DestHost, PeerFS: cfg.DestFS},
		"decide which side's data to keep, and on the other side remove the flag with zfs inherit %s", e.Tag.Master())
}

func findSnapshot(snaps []zfsprops.Snapshot, short string) (zfsprops.Snapshot, bool) {
	for _, s := range snaps {
		if s.Short() == short {
			return s, true
		}
	}
	return zfsprops.Snapshot{}, false
}
