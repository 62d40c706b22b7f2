package sync

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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
	var ours zfsprops.Snapshot
	op := PairOp{Name: "sentsync", Cmd: "sentsync %s@" + short, Verb: "mark a snapshot sent", Role: SourceRole,
		Partner: WithPartner, Check: func(ctx context.Context, p *Pair) error {
			var ok bool
			if ours, ok = findSnapshot(p.Here.FS.Snapshots, short); !ok {
				return zfsprops.WithHint(&zfsprops.NotExistError{Host: p.Self, Name: snap}, "zfs list -t snapshot -r %s shows the snapshots there", name)
			}
			if p.Here.FS.Prop(p.Tag.Sent()).Local() != "" {
				return zfsprops.WithHint(fmt.Errorf("%s itself has %s set; only its snapshots may", name, p.Tag.Sent()),
					"remove it with: zfs inherit %s %s", p.Tag.Sent(), name)
			}
			return nil
		}}
	if o.Local {
		op.Partner = NoPartner
	}
	return e.WithPair(ctx, name, op, func(ctx context.Context, p *Pair) error {
		now := strconv.FormatInt(p.now().Unix(), 10)
		if !o.Local {
			if err := p.markPartner(ctx, ours, now); err != nil {
				return err
			}
		}
		for _, s := range p.Here.FS.Snapshots {
			if s.Name != snap && s.Sent.Local() != "" {
				fmt.Fprintf(p.Err, "WARNING: clearing sent value from %s\n", s.Name)
				if err := zfsprops.Inherit(ctx, p.Local, s.Name, p.Tag.Sent()); err != nil {
					return err
				}
			}
		}
		if err := zfsprops.Set(ctx, p.Local, snap, p.Tag.Sent(), now); err != nil {
			return err
		}
		return zfsprops.Set(ctx, p.Local, name, p.Tag.Master(), "yes")
	})
}

// markPartner stamps the partner's copy of ours as sent, after checking
// that it is the same snapshot (GUID).
func (p *Pair) markPartner(ctx context.Context, ours zfsprops.Snapshot, now string) error {
	theirs, ok := findSnapshot(p.There.FS.Snapshots, ours.Short())
	if !ok {
		return zfsprops.WithHint(fmt.Errorf("%s has no %s", p.There, ours.Short()),
			"send it first (zfs send | zfs recv), or pick a snapshot both sides have")
	}
	if theirs.GUID != ours.GUID {
		return zfsprops.WithHint(fmt.Errorf("%s:%s and %s are different snapshots (GUID %s, not %s)", p.There.Name, theirs.Name, ours.Name, theirs.GUID, ours.GUID),
			"pick a snapshot both sides have from the same send")
	}
	return zfsprops.Set(ctx, p.There.Host, theirs.Name, p.Tag.Sent(), now)
}

func findSnapshot(snaps []zfsprops.Snapshot, short string) (zfsprops.Snapshot, bool) {
	for _, s := range snaps {
		if s.Short() == short {
			return s, true
		}
	}
	return zfsprops.Snapshot{}, false
}
