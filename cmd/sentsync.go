package cmd

import (
	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// SentSyncOptions are `zrep sentsync`'s parsed arguments.
type SentSyncOptions struct {
	Snapshot string
	Local    bool
}

// NewCmdSentSync is `zrep sentsync [-L] FS@TAG_NNNNNN`.
func NewCmdSentSync(f *Factory, runF func(*SentSyncOptions) error) *cobra.Command {
	o := &SentSyncOptions{}
	c := &cobra.Command{
		Use:   "sentsync [-L] FS@zrep_NNNNNN",
		Short: "Record a snapshot the partner already has as the last one sent",
		Long: `Adopt a pair replicated by hand: mark FS@zrep_NNNNNN as sent, here and on
the partner (dest-host:dest-fs, which must have the same snapshot and must
not be master), clear the mark from FS's other snapshots, and make FS
master. -L leaves the partner alone. Set the pairing first with
zrep changeconfig.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("sentsync takes one FS@TAG_NNNNNN, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.Snapshot = args[0]
			if err := checkSnap(o.Snapshot); err != nil {
				return err
			}
			tag, err := f.TagValue()
			if err != nil {
				return err
			}
			if _, _, err := zsync.ParseZrepSnapshot(tag, o.Snapshot); err != nil {
				return &UsageError{Err: err}
			}
			if runF != nil {
				return runF(o)
			}
			return withEnv(f, func(env *zsync.Env) error {
				return env.SentSync(c.Context(), o.Snapshot, zsync.SentSyncOptions{Local: o.Local})
			})
		},
	}
	c.Flags().BoolVarP(&o.Local, "local", "L", false, "do not mark the partner's snapshot")
	return c
}
