package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// SnapOnlyOptions are `zrep snaponly`'s parsed arguments.
type SnapOnlyOptions struct {
	Datasets []string
	All      bool
}

// NewCmdSnapOnly is `zrep snaponly FS...|all`.
func NewCmdSnapOnly(f *Factory, runF func(*SnapOnlyOptions) error) *cobra.Command {
	o := &SnapOnlyOptions{}
	c := &cobra.Command{
		Use:   "snaponly FS...|all",
		Short: "Make the next zrep snapshot of master filesystems, sending nothing",
		Long: `Snapshot each master filesystem as zrep_NNNNNN (the next serial) and print
the snapshot names, one per line, without a final newline: a classic
zrep partner's refresh reads this output. "all" is every filesystem this
host is master of.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("snaponly needs FS... or all")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := o.parse(args); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return snapOnlyRun(c.Context(), f, o)
		},
	}
	return c
}

func (o *SnapOnlyOptions) parse(args []string) error {
	if len(args) == 1 && args[0] == "all" {
		o.All = true
		return nil
	}
	o.Datasets = args
	return checkFS(args...)
}

func snapOnlyRun(ctx context.Context, f *Factory, o *SnapOnlyOptions) error {
	env, err := f.Env()
	if err != nil {
		return err
	}
	names := o.Datasets
	if o.All {
		if names, err = env.Masters(ctx); err != nil {
			return err
		}
	}
	made := 0
	return forEach(ctx, f, "snapshot", names, !o.All, func(ctx context.Context, name string) error {
		snap, err := env.SnapOnly(ctx, name)
		if err != nil {
			return err
		}
		if made > 0 {
			fmt.Fprint(f.IO.Out, "\n")
		}
		made++
		fmt.Fprint(f.IO.Out, snap)
		return nil
	})
}
