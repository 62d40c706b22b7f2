package failover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// Options are failover's and takeover's arguments.
type Options struct {
	FS     string // the filesystem on this host
	Snap   string // FS@SNAP form: the short name to roll back to, or ""
	Remote string // REMOTEHOST: reach the partner under this name
	Local  bool   // -L: never contact the partner
	// RecvForce is zfs recv -F (-f, or ZREP_FORCE as in classic). Discard
	// lets a rollback destroy snapshots zrep did not make: only -f on the
	// command line, never a knob in a file.
	RecvForce, Discard bool
}

// Parse splits FS@SNAP.
func Parse(arg string) (fs, snap string) {
	fs, snap, _ = strings.Cut(arg, "@")
	return fs, snap
}

// Roles carries the run's environment.
type Roles struct {
	*zsync.Env
}

// lockLocal locks and reads FS and checks it is a zrep filesystem.
func (r *Roles) lockLocal(ctx context.Context, fs string) (func(), *zfsprops.Filesystem, error) {
	unlock, f, err := r.LockFS(ctx, fs)
	if err != nil {
		var ne *zfsprops.NotExistError
		if errors.As(err, &ne) {
			err = zfsprops.WithHint(err, "check the name with zrep list")
		}
		return nil, nil, err
	}
	if !f.Managed(r.Tag) {
		unlock()
		return nil, nil, zfsprops.WithHint(fmt.Errorf("%s on %s is not a zrep filesystem", fs, r.Self), "zrep list shows the pairs on this host")
	}
	if err := f.CheckConfig(r.Tag, r.Self); err != nil {
		unlock()
		return nil, nil, err
	}
	if err := r.needRoot(ctx, fs); err != nil {
		unlock()
		return nil, nil, err
	}
	return unlock, f, nil
}

// forPair is the run's environment for the pair of f: recursive when its
// pair was made with -R (TAG:recursive), -R typed or not.
func (r *Roles) forPair(f *zfsprops.Filesystem) *Roles {
	if e := r.ForPair(f); e != r.Env {
		return &Roles{e}
	}
	return r
}

// euid is the effective user id (a variable for tests).
var euid = os.Geteuid

// needRoot refuses a role change of a filesystem by a non-root user on
// Linux before anything changes: it remounts the old master read-only and
// mounts the new one, and Linux lets only root mount, whatever zfs allow
// delegates. Volumes need no mount.
func (r *Roles) needRoot(ctx context.Context, fs string) error {
	if euid() == 0 || runtime.GOOS != "linux" {
		return nil
	}
	typ, err := zfsprops.ReadValue(ctx, r.Local, "type", fs, false)
	if err != nil || typ != "filesystem" {
		return err
	}
	return zfsprops.WithHint(fmt.Errorf("a role change of %s needs root on Linux: it remounts and mounts filesystems, which zfs allow cannot delegate", fs),
		"run it as root (sync, refresh, status and expiry work with delegated permissions)")
}

// zrep spells a command for the operator with this run's -t and -R, so a
// suggestion works as printed for a pair of another tag or a recursive one.
func (r *Roles) zrep(format string, args ...any) string {
	cmd := "zrep "
	if r.Tag != zfsprops.DefaultTag {
		cmd += "-t " + string(r.Tag) + " "
	}
	if r.Recursive {
		cmd += "-R "
	}
	return cmd + fmt.Sprintf(format, args...)
}
