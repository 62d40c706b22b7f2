package failover

import (
	"context"
	"fmt"
	"strings"

	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// Takeover runs on the replica: it pulls the master's last changes and
// becomes master (planned), or with -L becomes master on its own, for
// when the master is down.
func (r *Roles) Takeover(ctx context.Context, o Options) error {
	op := r.op(o, zsync.PairOp{Name: "takeover", Cmd: "takeover %s", Verb: "take over", Role: zsync.ReplicaRole,
		Reading: "takeover from %s (nothing changed)", Alone: r.Zrep("takeover -L %s", o.FS)})
	return r.WithPair(ctx, o.FS, op, func(ctx context.Context, p *zsync.Pair) error {
		r := &Roles{p.Env}
		me := &end{Side: p.Here, self: r.Self}
		if o.Local {
			return r.promote(ctx, me, p.Cfg, r.reach(o, p.Cfg.SrcHost), o)
		}
		m := &end{Side: p.There, reach: p.There.Name}
		fmt.Fprintf(r.Out, "Starting failover from remote side %s\n", m.Name)
		scfg := p.There.FS.Config(r.Tag)
		m.self = scfg.SrcHost
		if m.self == "" {
			m.self = m.Name
		}
		me.reach = scfg.DestHost
		if me.reach == "" {
			me.reach = r.Self
		}
		if err := r.flip(ctx, m, me, o); err != nil {
			return err
		}
		fmt.Fprintf(r.Out, "%s is master now; %s is its replica\n", me, m)
		return nil
	})
}

// promote is takeover -L: this side becomes master without the partner,
// optionally rolled back to SNAP first. The old master, when it returns,
// is demoted with zrep failover -L.
func (r *Roles) promote(ctx context.Context, me *end, cfg zfsprops.Config, reach string, o Options) error {
	if o.Snap != "" {
		if err := r.RollbackTo(ctx, me.Side, o.Snap, o.Discard); err != nil {
			return err
		}
	}
	fmt.Fprintf(r.Out, "Setting master properties for %s\n", me)
	u := &undo{r: r}
	err := r.setConfig(ctx, u, me, o.FS, r.Self, cfg.SrcFS, reach)
	if err == nil {
		// A newer epoch fences the old master when it returns: it can
		// never be taken for master again (sync/rolechange.go).
		epoch := r.EpochOf(me.FS)
		if in, ok := r.IntentOf(me.FS); ok {
			epoch = max(epoch, in.Epoch)
		}
		err = r.setProp(ctx, u, me, r.Tag.Epoch(), fmt.Sprint(epoch+1))
	}
	if err == nil {
		u.add(fmt.Sprintf("zfs inherit %s %q", r.Tag.Master(), o.FS), func(ctx context.Context) error {
			return zfsprops.Inherit(ctx, me.Host, o.FS, r.Tag.Master())
		})
		err = zfsprops.Set(ctx, me.Host, o.FS, r.Tag.Master(), "yes")
	}
	if err != nil {
		if left := u.run(ctx); len(left) > 0 {
			return zfsprops.WithHint(fmt.Errorf("takeover -L of %s failed half way: %w", me, err),
				"restore it by hand (%s), then run %s again", strings.Join(left, "; "), r.Zrep("takeover -L %s", o.FS))
		}
		return zfsprops.WithHint(fmt.Errorf("takeover -L of %s failed, nothing changed: %w", me, err), "fix the cause and run it again")
	}
	if err := r.MakeWritable(ctx, me.Side); err != nil {
		return err
	}
	if err := r.dropIntent(ctx, me); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "%s is master now. If %s:%s still thinks it is master (it was down), run there: %s; then here: %s\n",
		me, reach, cfg.SrcFS, r.Zrep("failover -L %s", cfg.SrcFS), r.Zrep("sync %s", o.FS))
	return nil
}
