package cmd

import (
	"context"

	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// NewCmdUpToDate is `zrep uptodate FS`.
func NewCmdUpToDate(f *Factory, runF func(fs string) error) *cobra.Command {
	return newOneFSCmd(f, runF, "uptodate FS", "Exit 0 if FS is unchanged since its last sync, else 1",
		`Exit 0 if the newest zrep snapshot of FS is the last one sent and nothing
was written to FS since (zfs property written@SNAPSHOT); exit 1 otherwise.
Where zfs has no written property (zfs-fuse) it cannot tell: exit 1 with
a line on stderr.`,
		func(ctx context.Context, env *zsync.Env, fs string) error {
			ok, err := env.UpToDate(ctx, fs)
			if err == nil && !ok {
				return &SilentError{Code: ExitFailure}
			}
			return err
		})
}
