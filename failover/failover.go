package failover

import (
	"context"
	"fmt"
	"strings"

	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// Failover runs on the master: it hands the master role to the partner
// after one last sync (planned), or with -L only demotes this side,
// rolling it back to the last snapshot the partner has (the old master
// returning after an emergency takeover).
func (r *Roles) Failover(ctx context.Context, o Options) error {
	op := r.op(o, zsync.PairOp{Name: "failover", Cmd: "failover %s", Verb: "fail over", Role: zsync.MasterRole,
		Reading: "failover to %s (nothing changed)"})
	return r.WithPair(ctx, o.FS, op, func(ctx context.Context, p *zsync.Pair) error {
		r := &Roles{p.Env}
		me := &end{Side: p.Here, self: r.Self}
		if o.Local {
			return r.demote(ctx, me, p.Cfg, r.reach(o, p.Cfg.DestHost), o)
		}
		self, err := r.IdentifyHost(ctx, p.There.Host)
		if err != nil {
			return err
		}
		back := p.There.FS.Config(r.Tag).SrcHost
		if back == "" {
			back = r.Self
		}
		me.reach = back
		rep := &end{Side: p.There, self: self, reach: p.There.Name}
		if err := r.flip(ctx, me, rep, o); err != nil {
			return err
		}
		fmt.Fprintf(r.Out, "%s is master now; %s is its replica\n", rep, me)
		return nil
	})
}

// demote is failover -L: this side stops being master without talking to
// the partner, rolled back to the last sent snapshot (or SNAP) so the new
// master's next sync applies on top of it.
func (r *Roles) demote(ctx context.Context, me *end, cfg zfsprops.Config, reach string, o Options) error {
	short := o.Snap
	if short == "" {
		last, ok := me.FS.LastSent(r.Tag)
		if !ok {
			return zfsprops.WithHint(fmt.Errorf("%s has no snapshot marked sent to roll back to", me), "name one: zrep failover -L %s@SNAP", o.FS)
		}
		short = last.Short()
	}
	if _, err := r.PlanRollback(ctx, me.Side, short, o.Discard); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "Failover for %s in LOCAL mode\n", o.FS)
	if err := zfsprops.Set(ctx, me.Host, o.FS, "readonly", "on"); err != nil {
		return err
	}
	if err := r.RollbackTo(ctx, me.Side, short, o.Discard); err != nil {
		return zfsprops.WithHint(err, "%s is still master, now read-only; zfs inherit readonly %s makes it writable", o.FS, o.FS)
	}
	fmt.Fprintf(r.Out, "Reversing master properties for %s\n", me)
	u := &undo{r: r}
	err := r.setConfig(ctx, u, me, cfg.DestFS, reach, o.FS, r.Self)
	if err == nil {
		err = zfsprops.Inherit(ctx, me.Host, o.FS, r.Tag.Master())
	}
	if err != nil {
		// The rollback cannot be undone; the pairing can, so running the
		// same command again starts from the same state.
		if left := u.run(ctx); len(left) > 0 {
			return zfsprops.WithHint(fmt.Errorf("failover -L of %s: %w; it is rolled back to %s and read-only, its pairing half rewritten", me, err, short),
				"restore it by hand (%s), then run %s again", strings.Join(left, "; "), r.Zrep("failover -L %s", o.FS))
		}
		return zfsprops.WithHint(fmt.Errorf("failover -L of %s: %w; it is still master, rolled back to %s and read-only", me, err, short),
			"fix the cause and run %s again", r.Zrep("failover -L %s", o.FS))
	}
	if err := r.dropIntent(ctx, me); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "%s is a replica of %s:%s now; run %s on %s\n", me, reach, cfg.DestFS, r.Zrep("sync %s", cfg.DestFS), reach)
	return nil
}
