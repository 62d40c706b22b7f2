package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// SnapOnly makes the next zrep snapshot of a master filesystem, sending
// nothing, and returns its full name. A classic partner's refresh calls
// it over ssh and parses that name.
func (e *Env) SnapOnly(ctx context.Context, name string) (string, error) {
	held, fs, err := e.lockAndRead(ctx, name)
	if err != nil {
		return "", lockReadErr(err, name)
	}
	defer held.Unlock()
	e = e.ForPair(fs)
	// Refused before the lock properties are set: nothing changes then.
	if _, err := e.ownMaster(fs, "snapshot it"); err != nil {
		return "", err
	}
	l, err := e.claim(ctx, fs, held)
	if err != nil {
		return "", lockReadErr(err, name)
	}
	defer l.unlock(context.WithoutCancel(ctx))
	snap := name + "@" + e.Tag.SnapName(zfsprops.NextSerial(e.Tag, fs.Snapshots))
	if _, err := zfsprops.Run(ctx, e.Local, zfsprops.SnapshotArgv(e.Recursive, snap)); err != nil {
		return "", fmt.Errorf("could not create snapshot %s: %w", snap, err)
	}
	return snap, nil
}

// ownMaster refuses a filesystem that is not a pair this host is master
// of: what cannot be done is said in the error ("cannot <what>").
func (e *Env) ownMaster(fs *zfsprops.Filesystem, what string) (zfsprops.Config, error) {
	cfg := fs.Config(e.Tag)
	switch {
	case !fs.Managed(e.Tag):
		return cfg, zfsprops.WithHint(fmt.Errorf("%s on %s is not initialised for zrep, cannot %s", fs.Name, e.Self, what),
			"run: zrep %sinit %s DESTHOST DESTFS", e.tagFlag(), fs.Name)
	case fs.CheckConfig(e.Tag, e.Self) != nil:
		return cfg, fs.CheckConfig(e.Tag, e.Self)
	case !cfg.Master:
		return cfg, zfsprops.WithHint(&NotMasterError{Host: e.Self, FS: fs.Name, Op: what},
			"its master is %s:%s; run zrep there", cfg.SrcHost, cfg.SrcFS)
	case cfg.SrcHost != e.Self:
		// The same pool seen from another zone or host is not ours.
		return cfg, zfsprops.WithHint(fmt.Errorf("%s is master, but of host %q, not %s; cannot %s", fs.Name, cfg.SrcHost, e.Self, what),
			"run zrep on %s, or set ZREP_SRC_HOST if this host was renamed", cfg.SrcHost)
	}
	return cfg, nil
}
