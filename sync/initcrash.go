package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// An init killed (kill -9, power loss) after it wrote the source's config
// leaves a pair with no master, which no sync will touch. Running the same
// init again finishes it, from what is on both sides:
//   - nothing received yet (no _000000, or an unsent one that the
//     destination does not hold): the init starts over, sending that
//     _000000 if there is one;
//   - the full stream received (the destination holds _000000 with its
//     GUID): only the steps after the receive are done again;
//   - a partial receive with a resume token: resumed (initresume.go).
// Anything else (another destination, a master flag, more snapshots, a
// destination holding something else) is refused as a pair configured
// already.

type initState int

const (
	initNotCrashed initState = iota
	initNotSent              // start over
	initReceived             // finish
)

// crashedInit says which of those src, already configured, is for o.
func (e *Env) crashedInit(ctx context.Context, ends initEnds, src *zfsprops.Filesystem, o InitOptions) initState {
	cfg := src.Config(e.Tag)
	if cfg.Master || cfg.DestFS != o.DestFS || cfg.DestHost != ends.destHost {
		return initNotCrashed
	}
	zs := src.ZrepSnapshots(e.Tag)
	if len(zs) == 0 {
		return initNotSent
	}
	if len(zs) != 1 || zs[0].Short() != e.Tag.SnapName(0) {
		return initNotCrashed
	}
	theirs, err := zfsprops.GUID(ctx, ends.dst, o.DestFS+"@"+e.Tag.SnapName(0))
	if err == nil {
		if ours, err := zfsprops.GUID(ctx, ends.src, zs[0].Name); err == nil && ours == theirs {
			return initReceived
		}
		return initNotCrashed
	}
	if zs[0].Sent.Set() {
		return initNotCrashed // marked sent, yet not there: not ours to guess
	}
	if exists, err := zfsprops.Exists(ctx, ends.dst, o.DestFS); err != nil || exists && !o.Force {
		return initNotCrashed
	}
	return initNotSent
}

// restartInit says that init starts over; an unsent _000000 is kept and
// sent (zfs-fuse leaks the hold of a killed send on it until the pool is
// next imported, so it could not go anyway).
func (e *Env) restartInit(o InitOptions, ends initEnds) {
	fmt.Fprintf(e.Out, "Restarting the interrupted init of %s to %s:%s\n", o.Src, ends.dstName, o.DestFS)
}

// finishInit does the steps of a crashed init after its full receive.
func (e *Env) finishInit(ctx context.Context, o InitOptions, ends initEnds, src *zfsprops.Filesystem) error {
	localMountpoint, err := e.localMountpoint(ctx, ends, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "Finishing the interrupted init of %s to %s:%s (the full stream was received)\n", o.Src, ends.dstName, o.DestFS)
	// What receiveFirst does after the receive, where zfs has no recv -o.
	if feat, err := e.features(ctx, ends.dst); err != nil {
		return err
	} else if !feat.RecvO {
		if err := zfsprops.Set(ctx, ends.dst, o.DestFS, "readonly", "on"); err != nil {
			return err
		}
	}
	return e.completeInit(ctx, o, ends, src, e.initProps(o, ends), false, false, localMountpoint)
}
