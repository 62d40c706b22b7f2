package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// ExpireOptions are expire's flags.
type ExpireOptions struct {
	Local bool // -L: leave the partner alone
}

// Expire destroys old zrep snapshots of one filesystem: by the master
// rule on a master, then by the replica rule on its partner (unless
// Local); by the replica rule on anything else (classic §4.4).
func (e *Env) Expire(ctx context.Context, name string, o ExpireOptions) error {
	held, fs, err := e.lockAndRead(ctx, name)
	if err != nil {
		return lockReadErr(err, name)
	}
	defer held.Unlock()
	if err := fs.CheckConfig(e.Tag, e.Self); err != nil {
		return err
	}
	e = e.ForPair(fs)
	if !fs.Managed(e.Tag) {
		return zfsprops.WithHint(fmt.Errorf("%s on %s is not a zrep filesystem, nothing to expire", name, e.Self),
			"zrep list shows the zrep filesystems here")
	}
	master := fs.IsMaster(e.Tag)
	cfg := fs.Config(e.Tag)
	if master {
		if cfg, err = e.ownMaster(fs, "expire it"); err != nil {
			return err
		}
	}
	l, err := e.claim(ctx, fs, held)
	if err != nil {
		return lockReadErr(err, name)
	}
	defer l.unlock(context.WithoutCancel(ctx))
	fmt.Fprintf(e.Out, "Expiring zrep snaps on %s\n", name)
	if !master {
		return e.expireSide(ctx, e.Local, fs, fs.Snapshots, false, "", "")
	}
	last, ok := fs.LastSent(e.Tag)
	if !ok {
		return zfsprops.WithHint(fmt.Errorf("%s on %s has no snapshot marked sent, nothing expired", name, e.Self),
			"zrep %ssentsync %s@%s_NNNNNN marks the newest one its partner has", e.tagFlag(), name, e.Tag)
	}
	// The partner is read first: in a split brain nothing is expired.
	var dst *zfsprops.Filesystem
	var h ssh.Host
	if !o.Local {
		if h, dst, err = e.replicaOf(ctx, name, cfg); err != nil {
			return err
		}
	}
	if err := e.expireSide(ctx, e.Local, fs, fs.Snapshots, true, last.Name, ""); err != nil || o.Local {
		return err
	}
	fmt.Fprintf(e.Out, "Also running expire on %s:%s now...\n", cfg.DestHost, cfg.DestFS)
	return e.expireSide(ctx, h, dst, dst.Snapshots, false, "", cfg.SaveCount)
}

// replicaOf reads the partner of a master, refusing one that is master too.
func (e *Env) replicaOf(ctx context.Context, name string, cfg zfsprops.Config) (ssh.Host, *zfsprops.Filesystem, error) {
	h, err := e.partner(ctx, name, cfg)
	if err != nil {
		return nil, nil, err
	}
	dst, err := zfsprops.ReadOne(ctx, h, e.Tag, cfg.DestFS)
	if err != nil {
		return nil, nil, e.partnerReadErr(err, cfg)
	}
	if err := dst.CheckConfig(e.Tag, cfg.DestHost); err != nil {
		return nil, nil, err
	}
	if dst.IsMaster(e.Tag) {
		return nil, nil, e.splitBrain(name, cfg)
	}
	return h, dst, nil
}
