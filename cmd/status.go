package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/zrep-go/zrep/zfsprops"
)

// StatusOptions are `zrep status`'s parsed arguments.
type StatusOptions struct {
	Verbose, All bool
	Datasets     []string
}

// NewCmdStatus is `zrep status [-v] [-a] [FS…]` (alias -s).
func NewCmdStatus(f *Factory, runF func(*StatusOptions) error) *cobra.Command {
	o := &StatusOptions{}
	c := &cobra.Command{
		Use:   "status [-v] [-a] [FS...]",
		Short: "Show when each pair last synced",
		Long: `Show the last successful sync of each filesystem this host is master of
(-a: every zrep filesystem here, masters and replicas). The output is
classic zrep's, so scripts that parse it keep working; the date format is
ZREP_DATEFORMAT (strftime, default %Y/%m/%d-%H:%M:%S).`,
		RunE: func(c *cobra.Command, args []string) error {
			o.Datasets = args
			if err := checkFS(args...); err != nil {
				return err
			}
			if o.All && len(args) > 0 {
				return usagef("status takes -a or filesystem names, not both")
			}
			if runF != nil {
				return runF(o)
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
	return c
}

// writeStatus prints one filesystem in classic layout: the name in 52
// columns then "last: DATE" or "[NEVER]"; verbose, SRC in 25 columns,
// "->", DESTHOST:DESTFS in 35, and the date without seconds.
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
	fmt.Fprintf(w, "%-25s->%-35s %s\n", cfg.SrcFS, cfg.DestHost+":"+cfg.DestFS, date)
}
