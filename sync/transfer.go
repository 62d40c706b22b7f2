package sync

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// senderGrace is how long a sender whose receiver failed may take to stop
// on its broken pipe before it is killed.
const senderGrace = 5 * time.Second

// transfer streams sendArgv on src into recvArgv on dst. When the receiver
// fails first, the sender's output is closed so that it stops on a broken
// pipe, and is killed only if it does not: a `zfs send` killed mid-stream
// leaves its temporary hold on the snapshot (zfs-fuse, pool v23), which
// then cannot be destroyed until the pool is imported again.
func (e *Env) transfer(ctx context.Context, src ssh.Host, sendArgv []string, dst ssh.Host, recvArgv []string) error {
	sendArgv = ssh.Filtered("", sendArgv, e.OutFilter)
	recvArgv = ssh.Filtered(e.InFilter, recvArgv, "")
	ctx, cancelCause := context.WithCancelCause(ctx)
	cancel := func() { cancelCause(context.Canceled) }
	defer cancel()
	p, err := src.Start(ctx, sendArgv, nil)
	if err != nil {
		return err
	}
	stream := e.watch(ctx, p.Stdout(), cancelCause)
	_, recvErr := dst.Run(ctx, recvArgv, stream)
	if recvErr != nil {
		if c, ok := p.Stdout().(io.Closer); ok {
			c.Close()
			defer time.AfterFunc(senderGrace, cancel).Stop()
		} else {
			cancel()
		}
	}
	sendErr := zfsprops.Explain(p.Wait())
	recvErr = zfsprops.Explain(recvErr)
	var stalled *StallError
	if errors.As(context.Cause(ctx), &stalled) {
		return stalled
	}
	switch {
	case recvErr != nil && sendErr != nil && starved(recvErr):
		// The receiver only saw its input end: the cause is the sender's
		// (an unknown option, a missing permission, a vanished snapshot).
		return sendErr
	case recvErr != nil:
		// The sender's error, if any, is the broken pipe we caused.
		return recvErr
	case sendErr != nil:
		return sendErr
	}
	return nil
}

// starved is a receiver that failed because its stream ended early.
func starved(err error) bool {
	var xe *ssh.ExitError
	return errors.As(err, &xe) && (strings.Contains(xe.Stderr, "failed to read from stream") ||
		strings.Contains(xe.Stderr, "stream ends early") || strings.TrimSpace(xe.Stderr) == "")
}

// sendSpec is the send of to, incremental from from (a snapshot or a
// bookmark; "" for a full stream), shaped by the run's knobs.
func (e *Env) sendSpec(from, to string) zfsprops.SendArgs {
	return zfsprops.SendArgs{From: from, To: to, Intermediate: e.incFlag() == "-I" && !strings.Contains(from, "#"),
		Recursive: e.Recursive, Verbose: e.Verbose, Extra: e.SendFlags}
}

func (e *Env) incFlag() string {
	if e.IncFlag != "" {
		return e.IncFlag
	}
	return "-I"
}

// recvSpec is a receive into the replica dest on h: resumable (-s) where
// zfs keeps partial receives; a recursive pair's children unmounted (-u),
// since a child created by the stream would otherwise be mounted inside
// its unmounted parent's directory.
func (e *Env) recvSpec(ctx context.Context, h ssh.Host, dest string, force bool) (zfsprops.RecvArgs, error) {
	feat, err := e.features(ctx, h)
	if err != nil {
		return zfsprops.RecvArgs{}, err
	}
	return zfsprops.RecvArgs{Target: dest, Force: force, Resumable: feat.Resume, Unmounted: e.Recursive}, nil
}

// raw answers whether fs on h is sent raw (-w): where zfs has raw sends
// and fs is encrypted, unless ZREP_RAW=no. A raw stream keeps the data
// encrypted end to end; the replica stays locked (keystatus unavailable)
// and takes raw incrementals without its key ever being loaded.
func (e *Env) raw(ctx context.Context, h ssh.Host, fs string) (bool, error) {
	feat, err := e.features(ctx, h)
	if err != nil || !feat.Raw || e.NoRaw {
		return false, err
	}
	enc, err := zfsprops.ReadValue(ctx, h, "encryption", fs, false)
	if err != nil {
		return false, err
	}
	return enc != "off" && enc != "-" && enc != "", nil
}
