package sync

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/zrep-go/zrep/zfsprops"
)

// SendLatest is the source half of a classic partner's refresh
// (`zrep _refreshpull FS@SNAP [TOKEN]`): with FS locked, SNAP must be its
// newest zrep snapshot, and the stream from the last sent one to it (or,
// with the receiver's resume token, the rest of the interrupted one) goes
// to w — nothing else may be written there.
func (e *Env) SendLatest(ctx context.Context, snap, token string, w io.Writer) error {
	name, short, _ := strings.Cut(snap, "@")
	op := PairOp{Name: "_refreshpull", Cmd: "snaponly %s", Verb: "send it", Role: MasterRole}
	return e.WithPair(ctx, name, op, func(ctx context.Context, p *Pair) error {
		return p.sendLatest(ctx, p.Here.FS, snap, short, token, w)
	})
}

func (e *Env) sendLatest(ctx context.Context, fs *zfsprops.Filesystem, snap, short, token string, w io.Writer) error {
	name := fs.Name
	zs := fs.ZrepSnapshots(e.Tag)
	if len(zs) == 0 || zs[len(zs)-1].Short() != short {
		return fmt.Errorf("sync error: %s is not the latest zrep snapshot of %s", snap, name)
	}
	last, ok := fs.LastSent(e.Tag)
	if !ok {
		return zfsprops.WithHint(fmt.Errorf("%s has no snapshot marked sent", name), "run %s", e.Zrep("sentsync %s@%s_NNNNNN", name, e.Tag))
	}
	send := e.sendSpec(last.Name, snap)
	var err error
	if send.Raw, err = e.raw(ctx, e.Local, name); err != nil {
		return err
	}
	argv := send.Argv()
	if token != "" {
		argv = zfsprops.SendArgs{ResumeToken: token, Extra: e.ResumeFlags}.Argv()
	}
	p, err := e.Local.Start(ctx, argv, nil)
	if err != nil {
		return err
	}
	_, cerr := io.Copy(w, p.Stdout())
	if err := p.Wait(); err != nil {
		return err
	}
	return cerr
}

// MarkSent is `zrep _refreshcomplete FS@SNAP TAG:sent=EPOCH`, which a
// classic partner's refresh sends after its receive. Only this tag's sent
// mark with an epoch value is accepted: the argument comes from afar.
func (e *Env) MarkSent(ctx context.Context, snap, assignment string) error {
	prop, value, _ := strings.Cut(assignment, "=")
	if prop != e.Tag.Sent() {
		return fmt.Errorf("_refreshcomplete sets only %s, not %q", e.Tag.Sent(), prop)
	}
	if _, err := strconv.ParseUint(value, 10, 64); err != nil {
		return fmt.Errorf("_refreshcomplete: %s must be epoch seconds, got %q", prop, value)
	}
	return zfsprops.Set(ctx, e.Local, snap, prop, value)
}
