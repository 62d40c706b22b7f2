package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// ExpireOptions are `zrep expire`'s parsed arguments.
type ExpireOptions struct {
	Datasets []string
	All      bool
	Local    bool
}

// NewCmdExpire is `zrep expire [-L] [FS...|all]` (alias -e).
func NewCmdExpire(f *Factory, runF func(*ExpireOptions) error) *cobra.Command {
	o := &ExpireOptions{}
	c := &cobra.Command{
		Use:   "expire [-L] [FS...|all]",
		Short: "Destroy old zrep snapshots beyond TAG:savecount",
		Long: `Destroy the zrep snapshots beyond each filesystem's savecount: on a master
the last sent one and those after it are always kept, plus savecount-1
older ones; on a replica the newest savecount are kept. For a master the
partner is expired too (-L: not). With no argument: the filesystems this
host is master of; "all": every zrep filesystem here. Snapshots zrep did
not make are never touched. A failing filesystem does not stop the rest;
the run then exits 1.`,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] == "all" {
				o.All = true
			} else {
				o.Datasets = args
				if err := checkFS(args...); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(o)
			}
			return expireRun(c.Context(), f, o)
		},
	}
	c.Flags().BoolVarP(&o.Local, "local", "L", false, "only this host, not the partner")
	return c
}

func expireRun(ctx context.Context, f *Factory, o *ExpireOptions) error {
	env, err := f.Env()
	if err != nil {
		return err
	}
	if env.SkipExpire {
		return zfsprops.WithHint(errors.New("zrep expire was asked for, but ZREP_SKIP_EXPIRE is set"), "unset ZREP_SKIP_EXPIRE to expire")
	}
	names := o.Datasets
	switch {
	case o.All:
		names, err = env.ZrepFilesystems(ctx)
	case len(names) == 0:
		names, err = env.Masters(ctx)
	}
	if err != nil {
		return err
	}
	opts := zsync.ExpireOptions{Local: o.Local}
	return forEach(ctx, f, "expire", names, len(o.Datasets) == 1,
		func(ctx context.Context, name string) error { return env.Expire(ctx, name, opts) })
}

// withEnv runs fn with this run's replication environment.
func withEnv(f *Factory, fn func(*zsync.Env) error) error {
	env, err := f.Env()
	if err != nil {
		return err
	}
	return fn(env)
}

// forEach runs fn on each name in turn and goes on past failures, each
// reported as one line, then exits 1 if any failed (as sync all does).
// A single named filesystem (single) fails with its own error line.
func forEach(ctx context.Context, f *Factory, verb string, names []string, single bool, fn func(context.Context, string) error) error {
	if single && len(names) == 1 {
		return fn(ctx, names[0])
	}
	failed := zsync.Each(ctx, names, 1, fn, func(name string, err error) { f.IO.Errorf(fmt.Errorf("%s %s: %w", verb, name, err)) })
	if failed > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Error: %d of %d filesystems failed to %s\n", failed, len(names), verb)
		return &SilentError{Code: ExitFailure}
	}
	return nil
}
