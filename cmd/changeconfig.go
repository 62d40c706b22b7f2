package cmd

import (
	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// NewCmdChangeConfig is `zrep changeconfig [-f] [-d] FS HOST FS2` (alias -C).
func NewCmdChangeConfig(f *Factory, runF func(*zsync.ChangeConfigOptions) error) *cobra.Command {
	o := &zsync.ChangeConfigOptions{}
	c := &cobra.Command{
		Use:   "changeconfig [-f] [-d] FS HOST FS2",
		Short: "Rewrite the pairing properties of FS without sending anything",
		Long: `Set the zrep properties of FS as init would: FS here is the source and
HOST:FS2 the destination, or with -d, FS here is the destination and
HOST:FS2 the source. Nothing is sent and TAG:master is not changed (see
zrep sentsync). Without -f FS must have zrep snapshots. A valid savecount
already set is kept; ZREP_SAVE_COUNT is written only where none is.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 3 {
				return usagef("changeconfig takes FS HOST FS2, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.FS, o.Host, o.FS2 = args[0], args[1], args[2]
			if err := checkFS(o.FS, o.FS2); err != nil {
				return err
			}
			if err := checkHost(o.Host); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return withEnv(f, func(env *zsync.Env) error { return env.ChangeConfig(c.Context(), *o) })
		},
	}
	c.Flags().BoolVarP(&o.Force, "force", "f", false, "also when FS has no zrep snapshots")
	c.Flags().BoolVarP(&o.Dest, "dest", "d", false, "FS is the destination, HOST:FS2 the source")
	return c
}
