package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/zfsprops"
)

// SyncOptions are sync's flags.
type SyncOptions struct {
	Force bool          // -f: recv -F
	Quiet time.Duration // -q: skip a busy fs synced within this long
	// ChangedOnly is sync -c; Existing is synconly (no new snapshot).
	ChangedOnly, Existing bool
}

// Sync replicates one master filesystem to its partner.
func (e *Env) Sync(ctx context.Context, name string, o SyncOptions) error {
	held, src, err := e.lockAndRead(ctx, name)
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) {
		return zfsprops.WithHint(err, "check the name with zfs list (zrep list shows the pairs)")
	}
	var busy *lock.BusyError
	if errors.As(err, &busy) {
		return e.quiet(src, busy, o.Quiet)
	}
	if err != nil {
		return err
	}
	defer held.Unlock()
	if err := src.CheckConfig(e.Tag, e.Self); err != nil {
		return err
	}
	e = e.ForPair(src)
	cfg := src.Config(e.Tag)
	if cfg.DestFS == "" || cfg.DestHost == "" {
		if zs := src.ZrepSnapshots(e.Tag); len(zs) > 0 && (cfg.DestFS != "" || cfg.DestHost != "" || cfg.SrcFS != "") {
			// Half a pair: a property removed by hand. init would start over.
			missing := e.Tag.DestFS()
			if cfg.DestFS != "" {
				missing = e.Tag.DestHost()
			}
			return zfsprops.WithHint(fmt.Errorf("%s on %s is paired by zrep (it has %s) but %s is missing", name, e.Self, zs[len(zs)-1].Short(), missing),
				"set it again (the replica's zfs get %s,%s shows the values): zfs set %s=VALUE %s", e.Tag.DestFS(), e.Tag.DestHost(), missing, name)
		}
		return zfsprops.WithHint(fmt.Errorf("%s on %s is not initialised for zrep", name, e.Self),
			"run: zrep init %s DESTHOST DESTFS", name)
	}
	if !cfg.Master && cfg.SrcHost == e.Self && cfg.SrcFS == name {
		if len(src.ZrepSnapshots(e.Tag)) <= 1 {
			// Names itself as its master, only _000000: an init that never finished.
			return zfsprops.WithHint(&NotMasterError{Host: e.Self, FS: name},
				"its init to %s:%s did not finish; run the same init again to finish it: %s", cfg.DestHost, cfg.DestFS, e.zrepCmd("init %s %s %s", name, cfg.DestHost, cfg.DestFS))
		}
		return zfsprops.WithHint(&NotMasterError{Host: e.Self, FS: name},
			"%s is missing, yet it names itself as the source of %s:%s; if it is still the master (zrep status on %s says that side is not), set it again: zfs set %s=yes %s",
			e.Tag.Master(), cfg.DestHost, cfg.DestFS, cfg.DestHost, e.Tag.Master(), name)
	}
	if !cfg.Master {
		return zfsprops.WithHint(&NotMasterError{Host: e.Self, FS: name},
			"its master is %s:%s; run zrep sync there, or zrep refresh %s here to pull", cfg.SrcHost, cfg.SrcFS, name)
	}
	if cfg.SrcHost == "" {
		return zfsprops.WithHint(fmt.Errorf("%s on %s has no %s (it is marked master)", name, e.Self, e.Tag.SrcHost()),
			"if %s is this pair's master, set it again: zfs set %s=%s %s", e.Self, e.Tag.SrcHost(), e.Self, name)
	}
	if cfg.SrcHost != e.Self {
		// The same pool seen from another zone or host must not be synced
		// from both: only the host named in src-host is master.
		return zfsprops.WithHint(&NotMasterError{Host: e.Self, FS: name},
			"%s says its master host is %q; run zrep sync there, or set ZREP_SRC_HOST if this host was renamed", e.Tag.SrcHost(), cfg.SrcHost)
	}
	l, err := e.claim(ctx, src, held)
	if errors.As(err, &busy) {
		return e.quiet(src, busy, o.Quiet)
	}
	if err != nil {
		return err
	}
	defer l.unlock(context.WithoutCancel(ctx))
	return e.syncLocked(ctx, src, cfg, o)
}

// quiet decides, for a busy filesystem, between a silent skip and an error.
func (e *Env) quiet(src *zfsprops.Filesystem, busy *lock.BusyError, limit time.Duration) error {
	hint := "wait for the other run, or pass -q SECS to skip busy filesystems"
	if limit <= 0 {
		return zfsprops.WithHint(busy, "%s", hint)
	}
	last, ok := src.LastSent(e.Tag)
	if !ok {
		return zfsprops.WithHint(busy, "quiet mode, but %s was never synced", src.Name)
	}
	age := e.now().Sub(time.Unix(last.SentTime(), 0))
	if age > limit {
		return zfsprops.WithHint(busy, "quiet time limit of %d seconds exceeded (last sync %s ago)", int(limit.Seconds()), age.Round(time.Second))
	}
	e.say("Quiet mode: skipping busy fs %s at %s", src.Name, e.now().Format(time.UnixDate))
	return &SkippedError{FS: src.Name}
}

func (e *Env) syncLocked(ctx context.Context, src *zfsprops.Filesystem, cfg zfsprops.Config, o SyncOptions) error {
	h, err := e.host(ctx, cfg.DestHost)
	if err != nil {
		return err
	}
	dst, err := zfsprops.ReadOne(ctx, h, e.Tag, cfg.DestFS)
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) {
		return zfsprops.WithHint(fmt.Errorf("destination %s:%s of %s does not exist", cfg.DestHost, cfg.DestFS, src.Name),
			"to start over, %s, then zrep init", e.startOver(src.Name))
	}
	if err != nil {
		return partnerErr(err, cfg.DestHost, fmt.Sprintf("sending to %s:%s", cfg.DestHost, cfg.DestFS))
	}
	if err := dst.CheckConfig(e.Tag, cfg.DestHost); err != nil {
		return err
	}
	if dst.IsMaster(e.Tag) {
		return zfsprops.WithHint(&SplitBrainError{Host: e.Self, FS: src.Name, PeerHost: cfg.DestHost, PeerFS: cfg.DestFS},
			"decide which side's data to keep; on the other side run zrep failover -L (or zfs inherit %s)", e.Tag.Master())
	}
	e = e.ForPair(dst)
	_, err = e.Replicate(ctx, Side{e.Local, e.Self, src}, Side{h, cfg.DestHost, dst},
		Step{Force: o.Force, Expire: true, ChangedOnly: o.ChangedOnly, Existing: o.Existing,
			Retry: e.zrepCmd("sync --force-empty %s", src.Name), Rollback: e.zrepCmd("sync -f %s", src.Name)})
	return err
}
