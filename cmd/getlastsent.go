package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// NewCmdGetLastSent is `zrep getlastsent FS` (alias lastsent).
func NewCmdGetLastSent(f *Factory, runF func(fs string) error) *cobra.Command {
	return newOneFSCmd(f, runF, "getlastsent FS", "Print the last snapshot of FS marked sent (an empty line if none)", "",
		func(ctx context.Context, env *zsync.Env, fs string) error {
			last, err := env.LastSent(ctx, fs)
			if err == nil {
				fmt.Fprintln(f.IO.Out, last)
			}
			return err
		})
}

// NewCmdSetLastSent is classic's placeholder, kept so scripts that call it
// get the same answer.
func NewCmdSetLastSent(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:                "setlastsent",
		Short:              "Does nothing (classic placeholder); see sentsync",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			fmt.Fprintln(f.IO.Out, "Nothing to see here. You might want sentsync. You might not.")
			return &SilentError{Code: ExitFailure}
		},
	}
}

// newOneFSCmd is a command on exactly one filesystem: runF records it
// (tests), else fn runs it.
func newOneFSCmd(f *Factory, runF func(string) error, use, short, long string, fn func(context.Context, *zsync.Env, string) error) *cobra.Command {
	name, _, _ := strings.Cut(use, " ")
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("%s takes the name of a zrep filesystem, got %d arguments", name, len(args))
			}
			return checkFS(args[0])
		},
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(args[0])
			}
			return withEnv(f, func(env *zsync.Env) error { return fn(c.Context(), env, args[0]) })
		},
	}
}
