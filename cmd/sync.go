package cmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// SyncOptions are `zrep sync`'s (and synconly's and refresh's) parsed arguments.
type SyncOptions struct {
	Datasets []string
	All      bool
	Snap     string // sync FS@SNAP: roll the partner back to SNAP
	Force    bool   // zfs recv -F: -f or ZREP_FORCE
	// NoCountdown is -f given on the command line: sync FS@SNAP starts at
	// once. ZREP_FORCE in a file must not skip the last chance to stop it.
	NoCountdown bool
	Verbose     bool
	Quiet       int
	Jobs        int
	// ChangedOnly (-c, ZREP_CHANGEDONLY) skips an unchanged filesystem
	// where zfs has the written property. Resume (-r, ZREP_RESUME) is
	// accepted so old cron lines keep working: where zfs has resume
	// tokens every transfer is resumable anyway.
	ChangedOnly bool
	Resume      bool
	// Existing is synconly: send what is there, take no snapshot.
	Existing bool
	// Pull is refresh: run on the replica, pull from the master.
	Pull bool
	// ForceEmpty (--force-empty) sends a snapshot the empty-source guard
	// would refuse.
	ForceEmpty bool
	// Wait (--wait SECS, else Z_LOCK_RETRY) is how long a filesystem that
	// another run holds is waited for before it counts as busy.
	Wait int
}

// NewCmdSync is `zrep sync [-f] [-v] [-c] [-r] [-q SECS] [-j N] FS…|all|FS@SNAP` (alias -S).
func NewCmdSync(f *Factory, runF func(*SyncOptions) error) *cobra.Command {
	c := newSyncCmd(f, runF, &SyncOptions{}, "sync [-f] [-v] [-c] [-r] [-q SECS] [-j N] FS...|all|FS@SNAP",
		"Send new changes of master filesystems to their partners",
		`Snapshot each master filesystem and send the changes since the last common
snapshot to its partner, then expire old snapshots on both sides.
"all" syncs every filesystem this host is master of; it goes on past a
failing pair, reports each failure, and exits 1 at the end.
A successful run prints nothing (cron).

sync FS@SNAP rolls the partner back to SNAP, an older snapshot both sides
have (newer snapshots there are destroyed) after a 20 second countdown
(-f: none), and unmarks the newer local snapshots, so the next sync sends
from SNAP.`)
	c.Flags().Lookup("force").Usage = "let zfs recv -F roll back changes on the receiver; with FS@SNAP: no countdown"
	c.Flags().BoolVarP(&c.opts.ChangedOnly, "changed-only", "c", false, "skip a filesystem with no writes since its last sync (needs zfs with the written property; also $ZREP_CHANGEDONLY)")
	return c.Command
}

// NewCmdSynconly is `zrep synconly FS…|all`: sync without a new snapshot.
func NewCmdSynconly(f *Factory, runF func(*SyncOptions) error) *cobra.Command {
	return newSyncCmd(f, runF, &SyncOptions{Existing: true}, "synconly [-f] [-v] [-q SECS] [-j N] FS...|all",
		"Send existing snapshots (from zrep snaponly) without taking a new one",
		`Like sync, but sends up to the newest zrep snapshot there is instead of
taking one: pairs with zrep snaponly when snapshots and transfers run at
different times.`).Command
}

// NewCmdRefresh is `zrep refresh [-f] [-v] [-q SECS] [-j N] DESTFS…|all`.
func NewCmdRefresh(f *Factory, runF func(*SyncOptions) error) *cobra.Command {
	return newSyncCmd(f, runF, &SyncOptions{Pull: true}, "refresh [-f] [-v] [-q SECS] [-j N] DESTFS...|all",
		"Pull new changes into replicas on this host (backup server)",
		`Run on the destination: snapshot the master over SSH and pull the changes
since the last common snapshot into DESTFS, mark them sent and expire old
snapshots on both sides. Only this host needs SSH access to the master,
and the master needs only zfs. "all" pulls every replica on this host,
going on past a failing pair and exiting 1 at the end.`).Command
}

type syncCmd struct {
	*cobra.Command
	opts *SyncOptions
}

func newSyncCmd(f *Factory, runF func(*SyncOptions) error, o *SyncOptions, use, short, long string) syncCmd {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("%s needs FS... or all", c.Name())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			switch {
			case len(args) == 1 && args[0] == "all":
				o.All = true
			case len(args) == 1 && strings.Contains(args[0], "@") && c.Name() == "sync":
				o.Snap = args[0]
				if err := checkSnap(args[0]); err != nil {
					return err
				}
			default:
				o.Datasets = args
				if err := checkFS(args...); err != nil {
					return err
				}
			}
			if err := checkQuiet(o.Quiet); err != nil {
				return err
			}
			if err := checkJobs(o.Jobs); err != nil {
				return err
			}
			if c.Flags().Changed("wait") {
				if err := checkWait("--wait", strconv.Itoa(o.Wait)); err != nil {
					return err
				}
				f.LockWait = &o.Wait
			}
			o.ChangedOnly = o.ChangedOnly || f.Getenv("ZREP_CHANGEDONLY") != ""
			o.Resume = o.Resume || f.Getenv("ZREP_RESUME") != ""
			o.NoCountdown = o.Force
			o.Force = o.Force || f.Getenv("ZREP_FORCE") != ""
			f.Verbose = o.Verbose
			f.warnUnsupported("sync")
			if runF != nil {
				return runF(o)
			}
			return syncRun(c.Context(), f, o)
		},
	}
	c.Flags().BoolVarP(&o.Force, "force", "f", false, "let zfs recv -F roll back changes on the receiver")
	c.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "say what is done")
	c.Flags().IntVarP(&o.Quiet, "quiet", "q", 0, "skip a busy filesystem if it synced within SECS seconds")
	c.Flags().IntVarP(&o.Jobs, "jobs", "j", 1, "sync up to N pairs at once")
	c.Flags().IntVar(&o.Wait, "wait", 0, "wait up to SECS for a filesystem another zrep holds before it counts as busy (default $Z_LOCK_RETRY, else 0)")
	c.Flags().BoolVar(&o.ForceEmpty, "force-empty", false, "send even if the source looks emptied (its new snapshot refers to under ZREP_EMPTY_FRACTION of the last sent one; also $ZREP_FORCE_EMPTY=yes)")
	c.Flags().BoolVarP(&o.Resume, "resume", "r", false, "classic: resume interrupted transfers (always done where zfs supports it; also $ZREP_RESUME)")
	return syncCmd{c, o}
}

func syncRun(ctx context.Context, f *Factory, o *SyncOptions) error {
	env, err := f.Env()
	if err != nil {
		return err
	}
	env.Verbose = env.Verbose || o.Verbose
	env.ForceEmpty = env.ForceEmpty || o.ForceEmpty
	if o.Snap != "" {
		countdown := 20 * time.Second
		if o.NoCountdown {
			countdown = 0
		}
		return env.RollbackPartner(ctx, o.Snap, countdown)
	}
	names := o.Datasets
	verb, one := "sync", zsync.PairFunc(env.Sync)
	if o.Pull {
		verb, one = "refresh", env.Refresh
	}
	// Every pair's outcome is recorded on it (status, metrics), and with
	// ZREP_TEXTFILE_DIR the run ends by writing the metrics textfile.
	var runs runCollector
	one = env.Recorded(one, runs.add)
	if dir := f.Getenv("ZREP_TEXTFILE_DIR"); dir != "" {
		defer func() {
			if err := writeMetrics(context.WithoutCancel(ctx), f, dir, runs.runs); err != nil {
				fmt.Fprintln(f.IO.ErrOut, "Warning: ZREP_TEXTFILE_DIR: "+strings.TrimPrefix(errorLine(err), "Error: "))
			}
		}()
	}
	if o.All {
		list := env.Masters
		if o.Pull {
			list = env.Replicas
		}
		if names, err = list(ctx); err != nil {
			return err
		}
		if len(names) == 0 {
			f.warnEmptyAll(ctx, env, o.Pull)
		}
	}
	opts := zsync.SyncOptions{Force: o.Force, Quiet: time.Duration(o.Quiet) * time.Second, ChangedOnly: o.ChangedOnly, Existing: o.Existing}
	if len(names) == 1 && !o.All {
		err := one(ctx, names[0], opts)
		var skipped *zsync.SkippedError
		if errors.As(err, &skipped) {
			return nil
		}
		return err
	}
	failed := zsync.Each(ctx, names, o.Jobs,
		func(ctx context.Context, name string) error { return one(ctx, name, opts) },
		func(name string, err error) { f.printErr(ctx, fmt.Errorf("%s %s: %w", verb, name, notStarted(err))) })
	if failed > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Error: %d of %d filesystems failed to %s\n", failed, len(names), verb)
		return &SilentError{Code: ExitFailure}
	}
	return nil
}
