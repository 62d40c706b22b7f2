package cmd

import (
	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// InitOptions are `zrep init`'s parsed arguments.
type InitOptions struct {
	Src, DestHost, DestFS string
	From                  string // --from SRCHOST: pull the first copy into this host
	Force, Verbose        bool
}

// NewCmdInit is `zrep init [-f] SRCFS DESTHOST DESTFS` (alias -i), or
// `zrep init [-f] --from SRCHOST SRCFS DESTFS` on the destination.
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	o := &InitOptions{}
	c := &cobra.Command{
		Use:   "init [-f] SRCFS DESTHOST DESTFS | init [-f] --from SRCHOST SRCFS DESTFS",
		Short: "Pair SRCFS with DESTHOST:DESTFS and send the first full copy",
		Long: `Set the zrep properties on SRCFS, snapshot it as TAG_000000 and send it to
DESTHOST:DESTFS, which is created, read-only and unmounted. An existing
DESTFS is refused unless -f is given; a failed init removes only what it
created.`,
		Args: func(c *cobra.Command, args []string) error {
			if o.From != "" && len(args) != 2 {
				return usagef("init --from SRCHOST takes SRCFS DESTFS, got %d arguments", len(args))
			}
			if o.From == "" && len(args) != 3 {
				return usagef("init takes SRCFS DESTHOST DESTFS, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if o.From != "" {
				o.Src, o.DestHost, o.DestFS = args[0], "localhost", args[1]
			} else {
				o.Src, o.DestHost, o.DestFS = args[0], args[1], args[2]
			}
			tag, err := f.TagValue()
			if err != nil {
				return err
			}
			if err := checkPairFS(tag, o.Src, o.DestFS); err != nil {
				return err
			}
			if err := checkHost(o.DestHost); err != nil {
				return err
			}
			if o.From != "" {
				if err := checkHost(o.From); err != nil {
					return err
				}
			}
			f.Verbose = o.Verbose
			f.warnUnsupported("init")
			if runF != nil {
				return runF(o)
			}
			env, err := f.Env()
			if err != nil {
				return err
			}
			env.Verbose = env.Verbose || o.Verbose
			return env.Init(c.Context(), zsync.InitOptions{Src: o.Src, DestHost: o.DestHost, DestFS: o.DestFS, SrcHost: o.From, Force: o.Force})
		},
	}
	c.Flags().BoolVarP(&o.Force, "force", "f", false, "receive into an existing DESTFS (replacing its contents)")
	c.Flags().StringVar(&o.From, "from", "", "run on the destination: pull the first copy from SRCHOST")
	c.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "say what is done (zfs send -v)")
	return c
}
