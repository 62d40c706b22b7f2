package sync

import (
	"context"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/zfsprops"
)

// MakeWritable lets the new master take writes: readonly off, mounted.
func (r *Env) MakeWritable(ctx context.Context, e Side) error {
	steps := fmt.Sprintf("on %s run: zfs set readonly=off %q; zfs mount %q", e.Name, e.FS.Name, e.FS.Name)
	err := zfsprops.Inherit(ctx, e.Host, e.FS.Name, "readonly")
	// Under a read-only parent (a common guard for a backup container)
	// inheriting is not enough.
	if value, _ := ReadonlyState(ctx, e); err == nil && value == "on" {
		err = zfsprops.Set(ctx, e.Host, e.FS.Name, "readonly", "off")
	}
	if err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s is master now, but is still read-only: %w", e, err), "%s", steps)
	}
	out, err := zfsprops.Run(ctx, e.Host, zfsprops.TreeArgv(e.FS.Name, r.Recursive))
	if err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s is master now, but its mount state is unknown: %w", e, err), "%s", steps)
	}
	// Parents first, as zfs lists them: a child's mountpoint is inside its parent's.
	for _, f := range zfsprops.ParseRows(out, 3) {
		if f[1] != "filesystem" || f[2] != "no" {
			continue
		}
		fmt.Fprintf(r.Out, "Mounting %s:%s\n", e.Name, f[0])
		if _, err := zfsprops.Run(ctx, e.Host, zfsprops.MountArgv(f[0])); err != nil {
			return zfsprops.WithHint(fmt.Errorf("%s is master now, but %s could not be mounted: %w", e, f[0], err), "%s", steps)
		}
	}
	return nil
}

// ReadonlyState is readonly's value and source ("local", "default",
// "inherited from X", ...). zfs-fuse reports a mounted filesystem's as
// "off temporary" whatever is set, so a master reads as writable there,
// which it normally is.
func ReadonlyState(ctx context.Context, e Side) (value, source string) {
	out, err := zfsprops.Run(ctx, e.Host, zfsprops.ValueSourceArgv("readonly", e.FS.Name))
	if err != nil {
		return "", ""
	}
	value, source, _ = strings.Cut(strings.TrimSpace(string(out)), "\t")
	return value, source
}
