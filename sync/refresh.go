package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/zfsprops"
)

// Refresh pulls new changes of a pair's master into the replica name on
// this host (classic pull mode, for a backup server that may reach the
// source while the source cannot reach it). On the source it runs only
// zfs: snapshot, send, set the mark, expire.
func (e *Env) Refresh(ctx context.Context, name string, o SyncOptions) error {
	held, dst, err := e.lockAndRead(ctx, name)
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) {
		return zfsprops.WithHint(err, "check the name with zfs list (zrep list shows the pairs)")
	}
	var busy *lock.BusyError
	if errors.As(err, &busy) {
		return e.quiet(dst, busy, o.Quiet)
	}
	if err != nil {
		return err
	}
	defer held.Unlock()
	if err := dst.CheckConfig(e.Tag, e.Self); err != nil {
		return err
	}
	e = e.ForPair(dst)
	cfg := dst.Config(e.Tag)
	if !dst.Managed(e.Tag) {
		return zfsprops.WithHint(fmt.Errorf("%s on %s is not initialised for zrep", name, e.Self),
			"on the source host run: zrep init SRCFS %s %s", e.Self, name)
	}
	if cfg.Master {
		return zfsprops.WithHint(fmt.Errorf("%s is master on %s: refresh pulls into a replica", name, e.Self),
			"to send its changes, run zrep sync %s", name)
	}
	if cfg.SrcHost == "" || cfg.SrcFS == "" {
		return zfsprops.WithHint(fmt.Errorf("%s on %s has no %s or %s", name, e.Self, e.Tag.SrcHost(), e.Tag.SrcFS()),
			"set the pair's source with: zrep changeconfig -d %s SRCHOST SRCFS", name)
	}
	l, err := e.claim(ctx, dst, held)
	if errors.As(err, &busy) {
		return e.quiet(dst, busy, o.Quiet)
	}
	if err != nil {
		return err
	}
	defer l.unlock(context.WithoutCancel(ctx))

	h, err := e.host(ctx, cfg.SrcHost)
	if err != nil {
		return err
	}
	src, err := zfsprops.ReadOne(ctx, h, e.Tag, cfg.SrcFS)
	if errors.As(err, &ne) {
		return zfsprops.WithHint(fmt.Errorf("source %s:%s of %s does not exist", cfg.SrcHost, cfg.SrcFS, name),
			"check %s and %s on %s", e.Tag.SrcHost(), e.Tag.SrcFS(), name)
	}
	if err != nil {
		return partnerErr(err, cfg.SrcHost, fmt.Sprintf("pulling from %s:%s", cfg.SrcHost, cfg.SrcFS))
	}
	if err := src.CheckConfig(e.Tag, cfg.SrcHost); err != nil {
		return err
	}
	if err := e.checkSource(src, cfg, name); err != nil {
		return err
	}
	// Not ours to flock: a sync or zrep running there shows in lock-pid;
	// one left by a killed run is cleared.
	if busy, err := e.remoteBusy(ctx, Side{h, cfg.SrcHost, src}); err != nil || busy != nil {
		if busy != nil {
			return e.quiet(dst, busy, o.Quiet)
		}
		return err
	}
	e = e.ForPair(src)
	_, err = e.Replicate(ctx, Side{h, cfg.SrcHost, src}, Side{e.Local, e.Self, dst},
		Step{Force: o.Force, Expire: true, Retry: e.zrepCmd("refresh --force-empty %s", name), Rollback: e.zrepCmd("refresh -f %s", name)})
	return err
}

// checkSource refuses to pull from a side that is not the pair's master:
// after a failover the roles have moved and a pull would fork the data.
func (e *Env) checkSource(src *zfsprops.Filesystem, cfg zfsprops.Config, name string) error {
	scfg := src.Config(e.Tag)
	if !scfg.Master {
		return zfsprops.WithHint(fmt.Errorf("%s:%s is not master, will not pull from it into %s", cfg.SrcHost, cfg.SrcFS, name),
			"zrep status -v on both hosts shows where the master is now")
	}
	if scfg.DestFS != name {
		return zfsprops.WithHint(fmt.Errorf("%s:%s replicates to %s, not to %s", cfg.SrcHost, cfg.SrcFS, scfg.DestFS, name),
			"fix the pairing with zrep changeconfig, or use the tag (-t) of this pair")
	}
	return nil
}
