package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// SyncOptions are `zrep sync`'s parsed arguments.
type SyncOptions struct {
	Datasets []string
	All      bool
	Force    bool
	Verbose  bool
	Quiet    int
	Jobs     int
	// ChangedOnly (-c, ZREP_CHANGEDONLY) and Resume (-r, ZREP_RESUME) are
	// classic spellings accepted so old cron lines keep working; the sync
	// engine does a full incremental sync either way for now.
	ChangedOnly bool
	Resume      bool
}

// NewCmdSync is `zrep sync [-f] [-v] [-c] [-r] [-q SECS] [-j N] FS…|all` (alias -S).
func NewCmdSync(f *Factory, runF func(*SyncOptions) error) *cobra.Command {
	o := &SyncOptions{}
	c := &cobra.Command{
		Use:   "sync [-f] [-v] [-c] [-r] [-q SECS] [-j N] FS...|all",
		Short: "Send new changes of master filesystems to their partners",
		Long: `Snapshot each master filesystem and send the changes since the last common
snapshot to its partner, then expire old snapshots on both sides.
"all" syncs every filesystem this host is master of; it goes on past a
failing pair, reports each failure, and exits 1 at the end.
A successful run prints nothing (cron).`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("sync needs FS... or all")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] == "all" {
				o.All = true
			} else {
				o.Datasets = args
				if err := checkFS(args...); err != nil {
					return err
				}
			}
			if o.Quiet != 0 && o.Quiet < 30 {
				return usagef("-q must be at least 30 seconds, got %d", o.Quiet)
			}
			o.ChangedOnly = o.ChangedOnly || f.Getenv("ZREP_CHANGEDONLY") != ""
			o.Resume = o.Resume || f.Getenv("ZREP_RESUME") != ""
			f.warnUnsupported("sync")
			if runF != nil {
				return runF(o)
			}
			return syncRun(c.Context(), f, o)
		},
	}
	c.Flags().BoolVarP(&o.Force, "force", "f", false, "let zfs recv -F roll back changes on the destination")
	c.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "say what is done")
	c.Flags().IntVarP(&o.Quiet, "quiet", "q", 0, "skip a busy filesystem if it synced within SECS seconds")
	c.Flags().IntVarP(&o.Jobs, "jobs", "j", 1, "sync up to N pairs at once")
	c.Flags().BoolVarP(&o.ChangedOnly, "changed-only", "c", false, "classic: skip unchanged filesystems (also $ZREP_CHANGEDONLY; accepted, currently a full sync)")
	c.Flags().BoolVarP(&o.Resume, "resume", "r", false, "classic: resume an interrupted transfer (also $ZREP_RESUME; accepted, currently a full sync)")
	return c
}

func syncRun(ctx context.Context, f *Factory, o *SyncOptions) error {
	env, err := f.Env()
	if err != nil {
		return err
	}
	env.Verbose = env.Verbose || o.Verbose
	names := o.Datasets
	if o.All {
		if names, err = env.Masters(ctx); err != nil {
			return err
		}
	}
	opts := zsync.SyncOptions{Force: o.Force, Quiet: time.Duration(o.Quiet) * time.Second}
	if len(names) == 1 && !o.All {
		err := env.Sync(ctx, names[0], opts)
		var skipped *zsync.SkippedError
		if errors.As(err, &skipped) {
			return nil
		}
		return err
	}
	failed := zsync.Each(ctx, names, o.Jobs,
		func(ctx context.Context, name string) error { return env.Sync(ctx, name, opts) },
		func(name string, err error) { f.IO.Errorf(fmt.Errorf("sync %s: %w", name, err)) })
	if failed > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Error: %d of %d filesystems failed to sync\n", failed, len(names))
		return &SilentError{Code: ExitFailure}
	}
	return nil
}
