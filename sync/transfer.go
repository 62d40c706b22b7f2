package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/zrep-go/zrep/ssh"
)

// transfer streams sendArgv on src into recvArgv on dst. When the receiver
// fails first the sender is cancelled, so a dead receiver never leaves the
// sender blocked on a full pipe.
func transfer(ctx context.Context, src ssh.Host, sendArgv []string, dst ssh.Host, recvArgv []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p, err := src.Start(ctx, sendArgv, nil)
	if err != nil {
		return err
	}
	_, recvErr := dst.Run(ctx, recvArgv, p.Stdout())
	if recvErr != nil {
		cancel()
	}
	sendErr := p.Wait()
	switch {
	case recvErr != nil && sendErr != nil && !errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%w (sender: %v)", recvErr, sendErr)
	case recvErr != nil:
		return recvErr
	case sendErr != nil:
		return sendErr
	}
	return nil
}

// sendArgs builds zfs send for an incremental (from != "") or full stream.
func (e *Env) sendArgs(from, to string, props bool) []string {
	argv := []string{"zfs", "send"}
	if e.Verbose {
		argv = append(argv, "-v")
	}
	if e.Recursive {
		argv = append(argv, "-R")
	}
	argv = append(argv, e.SendFlags...)
	if props {
		argv = append(argv, "-p")
	}
	if from != "" {
		argv = append(argv, e.incFlag(), from)
	}
	return append(argv, to)
}

func (e *Env) incFlag() string {
	if e.IncFlag != "" {
		return e.IncFlag
	}
	return "-I"
}

// recvArgs builds zfs recv; -u keeps a fresh replica unmounted (zfs-fuse
// accepts it although its usage text omits it).
func recvArgs(dest string, force, unmounted bool) []string {
	argv := []string{"zfs", "recv"}
	if unmounted {
		argv = append(argv, "-u")
	}
	if force {
		argv = append(argv, "-F")
	}
	return append(argv, dest)
}
