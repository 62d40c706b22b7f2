package failover

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/ssh"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// Takeover runs on the replica: it pulls the master's last changes and
// becomes master (planned), or with -L becomes master on its own, for
// when the master is down.
func (r *Roles) Takeover(ctx context.Context, o Options) error {
	unlock, f, err := r.lockLocal(ctx, o.FS)
	if err != nil {
		return err
	}
	defer unlock()
	r = r.forPair(f)
	cfg := f.Config(r.Tag)
	if cfg.Master {
		return zfsprops.WithHint(fmt.Errorf("%s is already master on %s", o.FS, r.Self),
			"nothing to take over; zrep status -v shows the pair")
	}
	if err := zfsprops.ValidateFilesystem(cfg.SrcFS); err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s has a bad %s: %w", o.FS, r.Tag.SrcFS(), err),
			"set the master's filesystem with: zfs set %s=POOL/NAME %s", r.Tag.SrcFS(), o.FS)
	}
	reach := o.Remote
	if reach == "" {
		reach = cfg.SrcHost
	}
	if err := ssh.ValidateHostName(reach); err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s: master host: %w", o.FS, err), "pass the master as REMOTEHOST")
	}
	me := &end{Side: zsync.Side{Host: r.Local, Name: r.Self, FS: f}, self: r.Self}
	if o.Local {
		return r.promote(ctx, me, cfg, reach, o)
	}
	h, err := r.Partner(ctx, reach)
	if err != nil {
		return err
	}
	src, err := zfsprops.ReadOne(ctx, h, r.Tag, cfg.SrcFS)
	if err != nil {
		err = zsync.PartnerErr(err, reach, fmt.Sprintf("takeover from %s:%s (nothing changed)", reach, cfg.SrcFS))
		var ue *ssh.UnreachableError
		if errors.As(err, &ue) {
			return zfsprops.WithHint(err, "if %s is down, take over without it: %s", reach, r.zrep("takeover -L %s", o.FS))
		}
		return err
	}
	if err := src.CheckConfig(r.Tag, reach); err != nil {
		return err
	}
	scfg := src.Config(r.Tag)
	if !src.IsMaster(r.Tag) {
		return zfsprops.WithHint(fmt.Errorf("%s:%s is not master, cannot take over from it", reach, cfg.SrcFS),
			"zrep status -v on both hosts shows where the master is; %s forces this side", r.zrep("takeover -L %s", o.FS))
	}
	if scfg.DestFS != o.FS {
		return zfsprops.WithHint(fmt.Errorf("%s:%s replicates to %s, not to %s", reach, cfg.SrcFS, scfg.DestFS, o.FS),
			"check the pairing with zrep list -v on both hosts")
	}
	m := &end{Side: zsync.Side{Host: h, Name: reach, FS: src}, reach: reach}
	if err := r.busy(ctx, m, src.Prop(r.Tag.LockPID()).Local()); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "Starting failover from remote side %s\n", reach)
	mself := scfg.SrcHost
	if mself == "" {
		mself = reach
	}
	back := scfg.DestHost
	if back == "" {
		back = r.Self
	}
	me.reach = back
	m.self = mself
	if err := r.flip(ctx, m, me, o); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "%s is master now; %s is its replica\n", me, m)
	return nil
}

// promote is takeover -L: this side becomes master without the partner,
// optionally rolled back to SNAP first. The old master, when it returns,
// is demoted with zrep failover -L.
func (r *Roles) promote(ctx context.Context, me *end, cfg zfsprops.Config, reach string, o Options) error {
	if o.Snap != "" {
		if err := r.rollbackTo(ctx, me, o.Snap, o.Discard); err != nil {
			return err
		}
	}
	fmt.Fprintf(r.Out, "Setting master properties for %s\n", me)
	u := &undo{r: r}
	err := r.setConfig(ctx, u, me, o.FS, r.Self, cfg.SrcFS, reach)
	if err == nil {
		u.add(fmt.Sprintf("zfs inherit %s %q", r.Tag.Master(), o.FS), func(ctx context.Context) error {
			return zfsprops.Inherit(ctx, me.Host, o.FS, r.Tag.Master())
		})
		err = zfsprops.Set(ctx, me.Host, o.FS, r.Tag.Master(), "yes")
	}
	if err != nil {
		if left := u.run(ctx); len(left) > 0 {
			return zfsprops.WithHint(fmt.Errorf("takeover -L of %s failed half way: %w", me, err),
				"restore it by hand (%s), then run %s again", strings.Join(left, "; "), r.zrep("takeover -L %s", o.FS))
		}
		return zfsprops.WithHint(fmt.Errorf("takeover -L of %s failed, nothing changed: %w", me, err), "fix the cause and run it again")
	}
	if err := r.makeWritable(ctx, me); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "%s is master now. If %s:%s still thinks it is master (it was down), run there: %s; then here: %s\n",
		me, reach, cfg.SrcFS, r.zrep("failover -L %s", cfg.SrcFS), r.zrep("sync %s", o.FS))
	return nil
}
