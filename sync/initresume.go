package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// An init whose full stream was cut (zrep killed, the session dropped, the
// receiver killed) on zfs with resumable receives keeps what arrived: the
// source keeps its config (no master flag) and _000000, the destination
// its partial receive and resume token. Running the same init again sends
// only the rest (zfs send -t), so a multi-terabyte first seed over a WAN
// never starts again from zero.

// initInterrupted is the error of an init that can be resumed: nothing is
// undone.
func (e *Env) initInterrupted(o InitOptions, ends initEnds, cause error) error {
	err := fmt.Errorf("init of %s to %s:%s was interrupted; %s keeps what it received: %w", ends.label(o.Src), ends.dstName, o.DestFS, ends.dstName, cause)
	if errors.Is(cause, context.Canceled) {
		return err
	}
	return zfsprops.WithHint(err, "run the same zrep init again to resume it; to abandon it instead: %s on %s, and zfs recv -A %s on %s",
		e.startOver(o.Src), ends.srcName, o.DestFS, ends.dstName)
}

// interruptedInit returns the destination's resume token when src is the
// source of exactly such an interrupted init to o's destination, else "".
func (e *Env) interruptedInit(ctx context.Context, ends initEnds, src *zfsprops.Filesystem, o InitOptions) string {
	cfg := src.Config(e.Tag)
	zs := src.ZrepSnapshots(e.Tag)
	if cfg.Master || cfg.DestFS != o.DestFS || cfg.DestHost != ends.destHost ||
		len(zs) != 1 || zs[0].Short() != e.Tag.SnapName(0) || zs[0].Sent.Set() {
		return ""
	}
	return e.destToken(ctx, ends, o.DestFS)
}

// destToken is dest's resume token on the destination, "" when it has
// none or zfs keeps no partial receives.
func (e *Env) destToken(ctx context.Context, ends initEnds, dest string) string {
	if feat, err := e.features(ctx, ends.dst); err != nil || !feat.Resume {
		return ""
	}
	token, err := e.resumeToken(ctx, Side{Host: ends.dst, Name: ends.dstName, FS: &zfsprops.Filesystem{Name: dest}})
	if err != nil {
		return ""
	}
	return token
}

// resumeInit sends the rest of the interrupted full stream, then finishes
// the init as if it had never stopped.
func (e *Env) resumeInit(ctx context.Context, o InitOptions, ends initEnds, src *zfsprops.Filesystem, token string) error {
	localMountpoint, err := e.localMountpoint(ctx, ends, o)
	if err != nil {
		return err
	}
	recv, err := e.firstRecv(ctx, ends, o.DestFS, false, localMountpoint)
	if err != nil {
		return err
	}
	send := zfsprops.SendArgs{ResumeToken: token, Extra: e.ResumeFlags}
	fmt.Fprintf(e.Out, "Resuming the initial replication stream to %s:%s\n", ends.dstName, o.DestFS)
	if err := e.transfer(ctx, ends.src, send.Argv(), ends.dst, recv.Argv()); err != nil {
		return e.initInterrupted(o, ends, err)
	}
	return e.completeInit(ctx, o, ends, src, e.initProps(o, ends), false, false, localMountpoint)
}
