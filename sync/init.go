package sync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// InitOptions are init's arguments.
type InitOptions struct {
	Src, DestHost, DestFS string
	// SrcHost is pull mode (init --from HOST): run on the destination,
	// which needs SSH to the source but not the other way round.
	SrcHost string
	Force   bool // receive into an existing destination
}

// initEnds are the two hosts of an init; one of them is this machine.
type initEnds struct {
	src, dst         ssh.Host
	srcName, dstName string // for messages
	srcSelf          string // TAG:src-host: the source host's own name
	destHost         string // TAG:dest-host: how the source reaches the destination
	pull             bool
}

// label names the source: with its host only when that is not this one.
func (ends initEnds) label(fs string) string {
	if ends.pull {
		return ends.srcName + ":" + fs
	}
	return fs
}

// Init pairs Src with DestHost:DestFS and sends the first full stream.
// It never destroys a destination it did not create.
func (e *Env) Init(ctx context.Context, o InitOptions) error {
	if !strings.Contains(o.DestFS, "/") {
		return zfsprops.WithHint(fmt.Errorf("destination %s:%s is a bare pool", o.DestHost, o.DestFS),
			"replicate into a filesystem below it, e.g. %s/%s", o.DestFS, o.Src[strings.LastIndex(o.Src, "/")+1:])
	}
	ends, src, unlock, err := e.initEnds(ctx, o)
	if err != nil {
		return err
	}
	defer unlock()
	restarted := false
	if cfg := src.Config(e.Tag); src.Managed(e.Tag) {
		if token := e.interruptedInit(ctx, ends, src, o); token != "" {
			return e.resumeInit(ctx, o, ends, src, token)
		}
		switch e.crashedInit(ctx, ends, src, o) {
		case initReceived:
			return e.finishInit(ctx, o, ends, src)
		case initNotSent:
			e.restartInit(o, ends)
			restarted = true
		default:
			return zfsprops.WithHint(fmt.Errorf("%s is already configured by zrep (to %s:%s)", ends.label(o.Src), cfg.DestHost, cfg.DestFS),
				"to re-initialise, first %s on %s", e.startOver(o.Src), ends.srcName)
		}
	}
	if snaps := src.ZrepSnapshots(e.Tag); len(snaps) > 0 && !restarted {
		return zfsprops.WithHint(fmt.Errorf("%s already has zrep snapshots (%s)", ends.label(o.Src), snaps[0].Short()),
			"to start afresh, %s on %s; or use another tag (-t)", e.startOver(o.Src), ends.srcName)
	}
	existed, err := e.checkDest(ctx, ends, o)
	if err != nil {
		return partnerErr(err, ends.dstName, fmt.Sprintf("init of %s to %s:%s", ends.label(o.Src), ends.dstName, o.DestFS))
	}
	localMountpoint, err := e.localMountpoint(ctx, ends, o)
	if err != nil {
		return err
	}

	fmt.Fprintf(e.Out, "Setting zrep properties on %s\n", o.Src)
	props := e.initProps(o, ends)
	for _, p := range props {
		if err := zfsprops.Set(ctx, ends.src, o.Src, p[0], p[1]); err != nil {
			return e.undoInit(ctx, o, ends, false, err)
		}
	}
	snap := o.Src + "@" + e.Tag.SnapName(0)
	if !restarted || len(src.ZrepSnapshots(e.Tag)) == 0 {
		fmt.Fprintf(e.Out, "Creating snapshot %s\n", snap)
		if _, err := zfsprops.Run(ctx, ends.src, zfsprops.SnapshotArgv(e.Recursive, snap)); err != nil {
			return e.undoInit(ctx, o, ends, false, err)
		}
	}
	created, err := e.receiveFirst(ctx, o, ends, snap, existed, localMountpoint)
	if err != nil {
		if !existed && e.destToken(context.WithoutCancel(ctx), ends, o.DestFS) != "" {
			return e.initInterrupted(o, ends, err)
		}
		return e.undoInit(ctx, o, ends, !existed && !created, err)
	}
	return e.completeInit(ctx, o, ends, src, props, created, existed, localMountpoint)
}

// completeInit does what follows the full receive: the replica's config,
// the sent mark, holds and bookmark, and the master flag last, so sync all
// never sees a half-initialised pair.
func (e *Env) completeInit(ctx context.Context, o InitOptions, ends initEnds, src *zfsprops.Filesystem, props [][2]string, created, existed, localMountpoint bool) error {
	zero := e.Tag.SnapName(0)
	snap := o.Src + "@" + zero
	sentAt := strconv.FormatInt(e.now().Unix(), 10)
	if err := e.finishDest(ctx, o, ends, props, created, localMountpoint); err != nil {
		return e.undoInit(ctx, o, ends, !existed, err)
	}
	if err := zfsprops.Set(ctx, ends.src, snap, e.Tag.Sent(), sentAt); err != nil {
		return e.undoInit(ctx, o, ends, !existed, err)
	}
	srcSide := Side{Host: ends.src, Name: ends.srcName, FS: src}
	if err := e.moveHold(ctx, srcSide, Side{Host: ends.dst, Name: ends.dstName, FS: &zfsprops.Filesystem{Name: o.DestFS}}, zero); err != nil {
		return e.undoInit(ctx, o, ends, !existed, err)
	}
	e.bookmark(ctx, srcSide, zero)
	if err := zfsprops.Set(ctx, ends.src, o.Src, e.Tag.Master(), "yes"); err != nil {
		return e.undoInit(ctx, o, ends, !existed, err)
	}
	fmt.Fprintf(e.Out, "Initialization copy of %s to %s:%s complete\n", o.Src, ends.dstName, o.DestFS)
	if !existed {
		fmt.Fprintln(e.Out, "Filesystem will not be mounted")
	}
	return nil
}

// initProps is the pairing init writes on the source.
func (e *Env) initProps(o InitOptions, ends initEnds) [][2]string {
	props := [][2]string{
		{e.Tag.SrcFS(), o.Src}, {e.Tag.SrcHost(), ends.srcSelf}, {e.Tag.DestFS(), o.DestFS},
		{e.Tag.DestHost(), ends.destHost}, {e.Tag.SaveCount(), e.SaveCount},
	}
	if e.Recursive {
		// Ours, not classic's: later commands on either side are
		// recursive without -R (a cron line without it would otherwise
		// replicate the parent only).
		props = append(props, [2]string{e.Tag.Recursive(), "yes"})
	}
	return props
}

// localMountpoint reports whether the source sets its own mountpoint,
// which the replica must not take over.
func (e *Env) localMountpoint(ctx context.Context, ends initEnds, o InitOptions) (bool, error) {
	out, err := zfsprops.Run(ctx, ends.src, zfsprops.SourceArgv("mountpoint", o.Src))
	if err != nil {
		return false, err
	}
	return strings.TrimSpace(string(out)) == "local", nil
}

// initEnds locks and reads the source. Pushing, the source is ours to
// flock; pulling, the destination name is, and the source is read over SSH.
func (e *Env) initEnds(ctx context.Context, o InitOptions) (initEnds, *zfsprops.Filesystem, func(), error) {
	var ne *zfsprops.NotExistError
	if o.SrcHost == "" {
		held, src, err := e.lockAndRead(ctx, o.Src)
		if errors.As(err, &ne) {
			err = zfsprops.WithHint(err, "create it first, or check the name with zfs list")
		}
		if err != nil {
			return initEnds{}, nil, nil, err
		}
		h, err := e.host(ctx, o.DestHost)
		if err != nil {
			held.Unlock()
			return initEnds{}, nil, nil, err
		}
		// The flock only: lock properties set now would travel to the
		// replica with send -p.
		return initEnds{src: e.Local, dst: h, srcName: e.Self, dstName: o.DestHost, srcSelf: e.Self, destHost: o.DestHost}, src, func() { held.Unlock() }, nil
	}
	var held *lock.Held
	if err := e.Locker.Global(ctx, func() (err error) { held, err = e.Locker.TryLock(e.Self, o.DestFS); return err }); err != nil {
		return initEnds{}, nil, nil, err
	}
	fail := func(err error) (initEnds, *zfsprops.Filesystem, func(), error) {
		held.Unlock()
		return initEnds{}, nil, nil, err
	}
	h, err := e.host(ctx, o.SrcHost)
	if err != nil {
		return fail(err)
	}
	src, err := zfsprops.ReadOne(ctx, h, e.Tag, o.Src)
	if errors.As(err, &ne) {
		return fail(zfsprops.WithHint(err, "check the name with: ssh %s zfs list", o.SrcHost))
	}
	if err != nil {
		return fail(partnerErr(err, o.SrcHost, fmt.Sprintf("init from %s:%s", o.SrcHost, o.Src)))
	}
	self, err := e.identify(ctx, h)
	if err != nil {
		return fail(err)
	}
	return initEnds{src: h, dst: e.Local, srcName: o.SrcHost, dstName: e.Self, srcSelf: self, destHost: e.Self, pull: true}, src, func() { held.Unlock() }, nil
}
