package cmd

import (
	"strings"

	"github.com/spf13/cobra"
)

// The hidden commands below are what a classic zrep partner runs on us
// over ssh during its refresh (classic §7.5); nothing else calls them.

// NewCmdRefreshPull is `zrep _refreshpull FS@SNAP [TOKEN]`: write the
// stream to stdout.
func NewCmdRefreshPull(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "_refreshpull FS@SNAP [TOKEN]",
		Hidden: true,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 || !strings.Contains(args[0], "@") {
				return usagef("_refreshpull takes FS@SNAP [TOKEN]")
			}
			return checkSnap(args[0])
		},
		RunE: func(c *cobra.Command, args []string) error {
			env, err := f.Env()
			if err != nil {
				return err
			}
			token := ""
			if len(args) == 2 {
				token = args[1]
			}
			return env.SendLatest(c.Context(), args[0], token, f.IO.Out)
		},
	}
}

// NewCmdRefreshComplete is `zrep _refreshcomplete FS@SNAP TAG:sent=EPOCH`.
func NewCmdRefreshComplete(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "_refreshcomplete FS@SNAP TAG:sent=EPOCH",
		Hidden: true,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 2 || !strings.Contains(args[0], "@") {
				return usagef("_refreshcomplete takes FS@SNAP PROP=VALUE")
			}
			return checkSnap(args[0])
		},
		RunE: func(c *cobra.Command, args []string) error {
			env, err := f.Env()
			if err != nil {
				return err
			}
			return env.MarkSent(c.Context(), args[0], args[1])
		},
	}
}
