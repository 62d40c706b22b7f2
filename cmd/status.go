package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// StatusOptions are `zrep status`'s parsed arguments.
type StatusOptions struct {
	Verbose, All bool
	Datasets     []string
	JSON         bool
	// Warn and Crit (--warn, --crit) make status a Nagios/Icinga check.
	WarnText, CritText string
	Thresholds         zsync.Thresholds
}

// Check is status as a Nagios/Icinga check: --warn or --crit given.
func (o *StatusOptions) Check() bool { return o.WarnText != "" || o.CritText != "" }

// NewCmdStatus is `zrep status [-v] [-a] [--json] [--warn AGE] [--crit AGE] [FS…]` (alias -s).
func NewCmdStatus(f *Factory, runF func(*StatusOptions) error) *cobra.Command {
	o := &StatusOptions{}
	c := &cobra.Command{
		Use:   "status [-v] [-a] [--json] [--warn AGE] [--crit AGE] [FS...]",
		Short: "Show when each pair last synced; --json, or a Nagios check",
		Long: `Show the last successful sync of each filesystem this host is master of
(-a: every zrep filesystem here, masters and replicas). The output is
classic zrep's, so scripts that parse it keep working; the date format is
ZREP_DATEFORMAT (strftime, default %Y/%m/%d-%H:%M:%S).

--json prints every selected pair with its partner (asked over SSH), role,
last sync and lag, pending snapshots, bytes written since the last sync
(where zfs has the written property), the last recorded failure and the
lock holder; the schema is in docs/monitoring.md.

--warn AGE and --crit AGE (15m, 2h, or seconds) make status a Nagios or
Icinga check: one summary line, and the exit code is the worst pair's.
A pair with no master, a recorded failure, an unreachable partner or a
lag at or past --warn is never OK.

EXIT STATUS (with --warn or --crit)
  0  OK        every pair synced within the thresholds
  1  WARNING   a lag past --warn, a recorded failure, an unreachable partner
  2  CRITICAL  a lag past --crit, never synced, no master or two masters
  3  UNKNOWN   zrep could not read its state, bad thresholds, or no pair selected`,
		RunE: func(c *cobra.Command, args []string) error {
			o.Datasets = args
			if err := checkFS(args...); err != nil {
				return err
			}
			if o.All && len(args) > 0 {
				return usagef("status takes -a or filesystem names, not both")
			}
			if err := o.parseThresholds(); err != nil {
				if o.Check() {
					fmt.Fprintf(f.IO.Out, "ZREP UNKNOWN - %s\n", err)
					return &SilentError{Code: int(zsync.LevelUnknown)}
				}
				return err
			}
			if runF != nil {
				return runF(o)
			}
			if o.JSON || o.Check() {
				return statusCheck(c, f, o)
			}
			sel, err := selectFilesystems(c, f, o.All, false, o.Datasets)
			if err != nil {
				return err
			}
			format := f.Getenv("ZREP_DATEFORMAT")
			if format == "" {
				format = "%Y/%m/%d-%H:%M:%S"
			}
			for _, fs := range sel.fs {
				writeStatus(f.IO.Out, sel.tag, fs, o.Verbose, format)
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "source -> destination and date per pair")
	c.Flags().BoolVarP(&o.All, "all", "a", false, "every zrep filesystem, masters and replicas")
	c.Flags().BoolVar(&o.JSON, "json", false, "every pair's state as JSON (docs/monitoring.md), partners asked")
	c.Flags().StringVar(&o.WarnText, "warn", "", "Nagios check: WARNING when a pair's lag reaches AGE (15m, 2h, seconds)")
	c.Flags().StringVar(&o.CritText, "crit", "", "Nagios check: CRITICAL when a pair's lag reaches AGE")
	return c
}

func (o *StatusOptions) parseThresholds() error {
	var err error
	if o.Thresholds.Warn, err = parseAge("--warn", o.WarnText); err != nil {
		return err
	}
	if o.Thresholds.Crit, err = parseAge("--crit", o.CritText); err != nil {
		return err
	}
	if w, c := o.Thresholds.Warn, o.Thresholds.Crit; w > 0 && c > 0 && w > c {
		return usagef("--warn %s is longer than --crit %s", w, c)
	}
	return nil
}

// statusCheck is status --json and the Nagios check: the pairs' state,
// partners asked. In a check, state zrep cannot read is UNKNOWN (3).
func statusCheck(c *cobra.Command, f *Factory, o *StatusOptions) error {
	env, states, err := readStates(c, f, o.All, false, o.Datasets, true)
	if err != nil {
		if !o.Check() {
			return err
		}
		fmt.Fprintln(f.IO.Out, "ZREP UNKNOWN - "+strings.TrimPrefix(errorLine(err), "Error: "))
		return &SilentError{Code: int(zsync.LevelUnknown)}
	}
	if o.JSON {
		if err := writeJSON(f.IO.Out, newStatusDoc(env, states, o.Thresholds)); err != nil {
			return err
		}
	}
	if !o.Check() {
		return nil
	}
	line, level := nagiosSummary(env, states, o.Thresholds)
	if !o.JSON {
		fmt.Fprintln(f.IO.Out, line)
	}
	if level != zsync.LevelOK {
		return &SilentError{Code: int(level)}
	}
	return nil
}

// writeStatus prints one filesystem in classic layout: the name in 52
// columns then "last: DATE" or "[NEVER]"; verbose, SRC in 25 columns,
// "->", DESTHOST:DESTFS in 35, and the date without seconds. A column
// that overflows is still followed by a space (classic ran a long SRC
// into "->", which broke parsers): short names are laid out as classic.
func writeStatus(w io.Writer, tag zfsprops.Tag, fs *zfsprops.Filesystem, verbose bool, format string) {
	date := ""
	if last, ok := fs.LastSent(tag); ok {
		date = strftime(format, time.Unix(last.SentTime(), 0))
	}
	if !verbose {
		if date == "" {
			fmt.Fprintf(w, "%-52s [NEVER]\n", fs.Name)
		} else {
			fmt.Fprintf(w, "%-52s last: %s\n", fs.Name, date)
		}
		return
	}
	if i := strings.LastIndex(date, ":"); i >= 0 {
		date = date[:i]
	}
	cfg := fs.Config(tag)
	fmt.Fprintf(w, "%-24s ->%-35s %s\n", cfg.SrcFS, cfg.DestHost+":"+cfg.DestFS, date)
}
