package sync

import (
	"context"
	"io"
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p, err := src.Start(ctx, sendArgv, nil)
	if err != nil {
		return err
	}
	_, recvErr := dst.Run(ctx, recvArgv, p.Stdout())
	if recvErr != nil {
		if c, ok := p.Stdout().(io.Closer); ok {
			c.Close()
			defer time.AfterFunc(senderGrace, cancel).Stop()
		} else {
			cancel()
		}
	}
	sendErr := p.Wait()
	switch {
	case recvErr != nil:
		// The sender's error, if any, is the broken pipe we caused.
		return recvErr
	case sendErr != nil:
		return sendErr
	}
	return nil
}

// sendArgs builds zfs send for an incremental (from != "") or full stream.
func (e *Env) sendArgs(from, to string, props bool) []string {
	return zfsprops.SendArgs{From: from, To: to, Intermediate: e.incFlag() == "-I", Recursive: e.Recursive,
		Props: props, Verbose: e.Verbose, Extra: e.SendFlags}.Argv()
}

func (e *Env) incFlag() string {
	if e.IncFlag != "" {
		return e.IncFlag
	}
	return "-I"
}

// recvArgs builds zfs recv; -u keeps a fresh replica unmounted (zfs-fuse
// accepts it although its usage text omits it).
func (e *Env) recvArgs(dest string, force, unmounted bool) []string {
	return zfsprops.RecvArgs{Target: dest, Force: force, Unmounted: unmounted}.Argv()
}
