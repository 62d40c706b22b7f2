package failover

import (
	"context"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/ssh"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// Failover runs on the master: it hands the master role to the partner
// after one last sync (planned), or with -L only demotes this side,
// rolling it back to the last snapshot the partner has (the old master
// returning after an emergency takeover).
func (r *Roles) Failover(ctx context.Context, o Options) error {
	unlock, f, err := r.lockLocal(ctx, o.FS)
	if err != nil {
		return err
	}
	defer unlock()
	r = r.forPair(f)
	cfg := f.Config(r.Tag)
	if !cfg.Master {
		return zfsprops.WithHint(&zsync.NotMasterError{Host: r.Self, FS: o.FS, Op: "fail over"},
			"it is already a replica of %s:%s; to make this side master run %s", cfg.SrcHost, cfg.SrcFS, r.zrep("takeover %s", o.FS))
	}
	if cfg.SrcHost != r.Self {
		return zfsprops.WithHint(&zsync.NotMasterError{Host: r.Self, FS: o.FS, Op: "fail over"},
			"%s says its master host is %q; run zrep failover there", r.Tag.SrcHost(), cfg.SrcHost)
	}
	if err := zfsprops.ValidateFilesystem(cfg.DestFS); err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s has a bad %s: %w", o.FS, r.Tag.DestFS(), err),
			"set the partner's filesystem with: zfs set %s=POOL/NAME %s", r.Tag.DestFS(), o.FS)
	}
	reach := o.Remote
	if reach == "" {
		reach = cfg.DestHost
	}
	if err := ssh.ValidateHostName(reach); err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s: partner host: %w", o.FS, err), "pass the partner as REMOTEHOST")
	}
	me := &end{Side: zsync.Side{Host: r.Local, Name: r.Self, FS: f}, self: r.Self}
	if o.Local {
		return r.demote(ctx, me, cfg, reach, o)
	}
	h, err := r.Partner(ctx, reach)
	if err != nil {
		return err
	}
	dst, err := zfsprops.ReadOne(ctx, h, r.Tag, cfg.DestFS)
	if err != nil {
		return zsync.PartnerErr(err, reach, fmt.Sprintf("failover to %s:%s (nothing changed)", reach, cfg.DestFS))
	}
	if err := dst.CheckConfig(r.Tag, reach); err != nil {
		return err
	}
	dcfg := dst.Config(r.Tag)
	if dst.IsMaster(r.Tag) {
		return zfsprops.WithHint(&zsync.SplitBrainError{Host: r.Self, FS: o.FS, PeerHost: reach, PeerFS: cfg.DestFS},
			"decide which side's data to keep; on the other side run zrep failover -L")
	}
	if dcfg.SrcFS != "" && dcfg.SrcFS != o.FS {
		return zfsprops.WithHint(fmt.Errorf("%s:%s is a replica of %s, not of %s", reach, cfg.DestFS, dcfg.SrcFS, o.FS),
			"check the pairing with zrep list -v on both hosts")
	}
	self, err := r.IdentifyHost(ctx, h)
	if err != nil {
		return err
	}
	back := dcfg.SrcHost
	if back == "" {
		back = r.Self
	}
	me.reach = back
	rep := &end{Side: zsync.Side{Host: h, Name: reach, FS: dst}, self: self, reach: reach}
	if err := r.flip(ctx, me, rep, o); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "%s is master now; %s is its replica\n", rep, me)
	return nil
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
	if _, err := r.planRollback(ctx, me, short, o.Discard); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "Failover for %s in LOCAL mode\n", o.FS)
	if err := zfsprops.Set(ctx, me.Host, o.FS, "readonly", "on"); err != nil {
		return err
	}
	if err := r.rollbackTo(ctx, me, short, o.Discard); err != nil {
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
				"restore it by hand (%s), then run %s again", strings.Join(left, "; "), r.zrep("failover -L %s", o.FS))
		}
		return zfsprops.WithHint(fmt.Errorf("failover -L of %s: %w; it is still master, rolled back to %s and read-only", me, err, short),
			"fix the cause and run %s again", r.zrep("failover -L %s", o.FS))
	}
	fmt.Fprintf(r.Out, "%s is a replica of %s:%s now; run %s on %s\n", me, reach, cfg.DestFS, r.zrep("sync %s", cfg.DestFS), reach)
	return nil
}
