package failover

import (
	"context"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/ssh"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// Options are failover's and takeover's arguments.
type Options struct {
	FS     string // the filesystem on this host
	Snap   string // FS@SNAP form: the short name to roll back to, or ""
	Remote string // REMOTEHOST: reach the partner under this name
	Local  bool   // -L: never contact the partner
	Force  bool   // failover: zfs recv -F; with a rollback, also destroy snapshots zrep did not make
}

// Parse splits FS@SNAP.
func Parse(arg string) (fs, snap string) {
	fs, snap, _ = strings.Cut(arg, "@")
	return fs, snap
}

// Roles carries the run's environment and how to learn a partner's own
// host name (what it writes in TAG:src-host when it is master).
type Roles struct {
	*zsync.Env
	Identify func(ctx context.Context, h ssh.Host) (string, error)
}

// identify asks a partner for its short host name, as classic zrep there
// would compute it (uname -n up to the first dot).
func (r *Roles) identify(ctx context.Context, h ssh.Host) (string, error) {
	if r.Identify != nil {
		return r.Identify(ctx, h)
	}
	out, err := h.Run(ctx, []string{"uname", "-n"}, nil)
	if err != nil {
		return "", err
	}
	name, _, _ := strings.Cut(strings.TrimSpace(string(out)), ".")
	if err := ssh.ValidateHostName(name); err != nil {
		return "", fmt.Errorf("%s says its host name is %q: %w", h.Name(), name, err)
	}
	return name, nil
}

// lockLocal locks and reads FS and checks it is a zrep filesystem.
func (r *Roles) lockLocal(ctx context.Context, fs string) (func(), *zfsprops.Filesystem, error) {
	unlock, f, err := r.LockFS(ctx, fs)
	if err != nil {
		var ne *zfsprops.NotExistError
		if asNotExist(err, &ne) {
			err = zfsprops.WithHint(err, "check the name with zrep list")
		}
		return nil, nil, err
	}
	if !f.Managed(r.Tag) {
		unlock()
		return nil, nil, zfsprops.WithHint(fmt.Errorf("%s on %s is not a zrep filesystem", fs, r.Self), "zrep list shows the pairs on this host")
	}
	return unlock, f, nil
}
