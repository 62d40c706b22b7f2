package cmd

import (
	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// InitOptions are `zrep init`'s parsed arguments.
type InitOptions struct {
	Src, DestHost, DestFS string
	Force, Verbose        bool
}

// NewCmdInit is `zrep init [-f] SRCFS DESTHOST DESTFS` (alias -i).
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	o := &InitOptions{}
	c := &cobra.Command{
		Use:   "init [-f] SRCFS DESTHOST DESTFS",
		Short: "Pair SRCFS with DESTHOST:DESTFS and send the first full copy",
		Long: `Set the zrep properties on SRCFS, snapshot it as TAG_000000 and send it to
DESTHOST:DESTFS, which is created, read-only and unmounted. An existing
DESTFS is refused unless -f is given; a failed init removes only what it
created.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 3 {
				return usagef("init takes SRCFS DESTHOST DESTFS, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.Src, o.DestHost, o.DestFS = args[0], args[1], args[2]
			if err := checkFS(o.Src, o.DestFS); err != nil {
				return err
			}
			if err := checkHost(o.DestHost); err != nil {
				return err
			}
			f.warnUnsupported("init")
			if runF != nil {
				return runF(o)
			}
			env, err := f.Env()
			if err != nil {
				return err
			}
			env.Verbose = env.Verbose || o.Verbose
			return env.Init(c.Context(), zsync.InitOptions{Src: o.Src, DestHost: o.DestHost, DestFS: o.DestFS, Force: o.Force})
		},
	}
	c.Flags().BoolVarP(&o.Force, "force", "f", false, "receive into an existing DESTFS (replacing its contents)")
	c.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "say what is done (zfs send -v)")
	return c
}
