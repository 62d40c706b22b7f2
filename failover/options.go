package failover

import (
	"context"
	"fmt"
	"os"
	"runtime"
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

// op completes a role change's guarded operation: -L reads no partner;
// REMOTEHOST is how the partner is reached; a non-root role change of a
// filesystem is refused before anything changes.
func (r *Roles) op(o Options, op zsync.PairOp) zsync.PairOp {
	op.Partner = zsync.WithPartner
	if o.Local {
		op.Partner, op.Intent = zsync.NoPartner, zsync.DropIntent
	}
	op.Reach = o.Remote
	op.Check = func(ctx context.Context, p *zsync.Pair) error {
		if o.Remote != "" {
			if err := ssh.ValidateHostName(o.Remote); err != nil {
				return zfsprops.WithHint(fmt.Errorf("%s: partner host: %w", o.FS, err), "pass the partner as REMOTEHOST")
			}
		}
		return r.needRoot(ctx, o.FS)
	}
	return op
}

// reach is how this side reaches its partner: REMOTEHOST, else the
// pair's own name for it.
func (r *Roles) reach(o Options, pair string) string {
	if o.Remote != "" {
		return o.Remote
	}
	return pair
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

// dropIntent clears an interrupted role change's intent here: -L is the
// operator deciding this side's role alone, over it.
func (r *Roles) dropIntent(ctx context.Context, e *end) error {
	v := e.FS.Prop(r.Tag.RoleChange()).Local()
	if v == "" {
		return nil
	}
	fmt.Fprintf(r.Err, "Warning: %s: dropping the interrupted role change %s=%q\n", e, r.Tag.RoleChange(), v)
	return zfsprops.Inherit(ctx, e.Host, e.FS.Name, r.Tag.RoleChange())
}
