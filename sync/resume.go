package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// Resume (design §2.5), where zfs has receive_resume_token: every receive
// is `zfs recv -s`, so an interrupted transfer leaves its progress on the
// receiver; the next run finishes it first, then sends the rest. zfs-fuse
// has none of this, and there nothing changes.

// resumeToken is the receiver's pending token, "" when none.
func (e *Env) resumeToken(ctx context.Context, dst Side) (string, error) {
	t, err := zfsprops.ReadValue(ctx, dst.Host, "receive_resume_token", dst.FS.Name, false)
	if err != nil {
		return "", fmt.Errorf("%s: reading receive_resume_token: %w", dst, err)
	}
	if t != "-" {
		return t, nil
	}
	return "", nil
}

// resumePending finishes an interrupted transfer into dst, and returns dst
// read again when it did. A token the sender can no longer serve (its
// snapshot was destroyed meanwhile) is aborted with zfs recv -A, with a
// warning: the normal send then starts from the last common snapshot.
func (e *Env) resumePending(ctx context.Context, src, dst Side, recv zfsprops.RecvArgs) (Side, error) {
	token, err := e.resumeToken(ctx, dst)
	if err != nil || token == "" {
		return dst, err
	}
	send := zfsprops.SendArgs{ResumeToken: token, Extra: e.ResumeFlags}
	dry := send
	dry.DryRun = true
	if _, err := zfsprops.Run(ctx, src.Host, dry.Argv()); err != nil {
		e.warn("%s has an interrupted receive that %s cannot resume (%s); aborting it", dst, src.Name, oneLine(err))
		if _, err := zfsprops.Run(ctx, dst.Host, zfsprops.RecvAbortArgv(dst.FS.Name)); err != nil {
			return dst, fmt.Errorf("%s: zfs recv -A: %w", dst, err)
		}
		return dst, nil
	}
	e.say("resuming the interrupted transfer to %s", dst)
	if err := e.transfer(ctx, src.Host, send.Argv(), dst.Host, recv.Argv()); err != nil {
		return dst, zfsprops.WithHint(fmt.Errorf("resuming the transfer to %s failed: %w", dst, err),
			"run zrep again: the receive keeps its progress")
	}
	fs, err := zfsprops.ReadOne(ctx, dst.Host, e.Tag, dst.FS.Name)
	if err != nil {
		return dst, err
	}
	dst.FS = fs
	return dst, nil
}
