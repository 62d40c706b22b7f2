package cmd

import (
	"time"

	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// ClearOptions are `zrep clear`'s parsed arguments.
type ClearOptions struct {
	Dataset string
	Force   bool
}

// NewCmdClear is `zrep clear [-f] FS`.
func NewCmdClear(f *Factory, runF func(*ClearOptions) error) *cobra.Command {
	o := &ClearOptions{}
	c := &cobra.Command{
		Use:   "clear [-f] FS",
		Short: "Remove zrep's snapshots and properties from FS on this host",
		Long: `Destroy every zrep snapshot of FS (of this tag) and clear every zrep
property set on it, locally set or received, so that FS can be paired
again with zrep init. Only this host is touched; readonly stays as it is.
Without -f, zrep waits 10 seconds first (interrupt it to cancel).`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("clear takes one FS, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.Dataset = args[0]
			if err := checkFS(o.Dataset); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			opts := zsync.ClearOptions{Pause: 10 * time.Second}
			if o.Force {
				opts.Pause = 0
			}
			return withEnv(f, func(env *zsync.Env) error { return env.Clear(c.Context(), o.Dataset, opts) })
		},
	}
	c.Flags().BoolVarP(&o.Force, "force", "f", false, "do not wait 10 seconds first")
	return c
}
