package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// ChangeConfigOptions are changeconfig's arguments: FS on this host is
// paired with Host:FS2; with Dest, FS is the destination and FS2 on Host
// the source.
type ChangeConfigOptions struct {
	FS, Host, FS2 string
	Force         bool // also without zrep snapshots
	Dest          bool // -d
}

// ChangeConfig rewrites the pairing properties of FS, as init would set
// them, without sending anything or touching TAG:master. A valid
// TAG:savecount is kept: classic reset it to ZREP_SAVE_COUNT (§10.13).
func (e *Env) ChangeConfig(ctx context.Context, o ChangeConfigOptions) error {
	op := PairOp{Name: "changeconfig", Cmd: "changeconfig %s", Role: RepairRole, Intent: IgnoreIntent, Check: func(ctx context.Context, p *Pair) error {
		if !o.Force && len(p.Here.FS.ZrepSnapshots(p.Tag)) == 0 {
			return zfsprops.WithHint(fmt.Errorf("%s on %s has no %s_* snapshots, it is not initialised for zrep", o.FS, p.Self, p.Tag),
				"use %s instead, or changeconfig -f to set the properties anyway", p.Zrep("init %s %s %s", o.FS, o.Host, o.FS2))
		}
		return nil
	}}
	return e.WithPair(ctx, o.FS, op, func(ctx context.Context, p *Pair) error { return p.changeConfig(ctx, p.Here.FS, o) })
}

func (e *Env) changeConfig(ctx context.Context, fs *zfsprops.Filesystem, o ChangeConfigOptions) error {
	src, srcHost, dest, destHost := o.FS, e.Self, o.FS2, o.Host
	if o.Dest {
		src, srcHost, dest, destHost = o.FS2, o.Host, o.FS, e.Self
	}
	props := [][2]string{{e.Tag.SrcFS(), src}, {e.Tag.SrcHost(), srcHost}, {e.Tag.DestFS(), dest}, {e.Tag.DestHost(), destHost}}
	// One inherited from a parent pair is that pair's, not this one's.
	v := fs.Prop(e.Tag.SaveCount())
	kept := v.Any()
	if _, err := zfsprops.ParseSaveCount(kept); err != nil || v.Source == zfsprops.SourceInherited {
		props = append(props, [2]string{e.Tag.SaveCount(), e.SaveCount})
	} else if kept != e.SaveCount {
		fmt.Fprintf(e.Out, "Keeping %s=%s on %s; to change it: zfs set %s=%s %s\n", e.Tag.SaveCount(), kept, o.FS, e.Tag.SaveCount(), e.SaveCount, o.FS)
	}
	for _, p := range props {
		if err := zfsprops.Set(ctx, e.Local, o.FS, p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}
