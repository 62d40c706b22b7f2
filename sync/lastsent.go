package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// LastSent names the last snapshot of name marked sent, "" when there is
// none. Like classic, a legacy TAG:lastsent on the filesystem stands in
// when no snapshot carries a mark.
func (e *Env) LastSent(ctx context.Context, name string) (string, error) {
	fs, err := zfsprops.ReadOne(ctx, e.Local, e.Tag, name)
	if err != nil {
		return "", readErr(err, name)
	}
	if s, ok := fs.LastSent(e.Tag); ok {
		return s.Name, nil
	}
	return fs.Prop(e.Tag.LastSent()).Local(), nil
}

// UpToDate reports whether name is exactly as last sent: its newest zrep
// snapshot is the last one sent and nothing was written since. Classic
// looked at writes since the newest snapshot of any kind (§10.17).
func (e *Env) UpToDate(ctx context.Context, name string) (bool, error) {
	fs, err := zfsprops.ReadOne(ctx, e.Local, e.Tag, name)
	if err != nil {
		return false, readErr(err, name)
	}
	last, ok := fs.LastSent(e.Tag)
	snaps := fs.ZrepSnapshots(e.Tag)
	if !ok || snaps[len(snaps)-1].Name != last.Name {
		return false, nil
	}
	feat, err := e.features(ctx, e.Local)
	if err != nil {
		return false, err
	}
	if !feat.Written {
		return false, zfsprops.WithHint(fmt.Errorf("zfs on %s has no written property, cannot tell whether %s changed since %s", e.Self, name, last.Short()),
			"classic zrep answered 1 (not up to date) here too")
	}
	written, err := e.written(ctx, e.Local, name, last.Short())
	if err != nil {
		return false, err
	}
	return written == "0", nil
}
