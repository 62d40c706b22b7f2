package cmd

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// ListOptions are `zrep list`'s parsed arguments.
type ListOptions struct {
	Verbose, Masters, Snapshots bool
	JSON                        bool
	Datasets                    []string
}

// NewCmdList is `zrep list [-v|-L|-s] [FS…]` (alias -l).
func NewCmdList(f *Factory, runF func(*ListOptions) error) *cobra.Command {
	o := &ListOptions{}
	c := &cobra.Command{
		Use:   "list [-v | -L | -s] [FS...]",
		Short: "List zrep filesystems on this host",
		Long: `List every zrep filesystem on this host, masters and replicas (-L: only
masters). -v prints, per filesystem, its locally set and received
properties (sorted by name) and the last snapshot synced, as classic zrep does.
-s lists the snapshots of the named filesystems (default: the ones this host
is master of) with their creation time, all of them, zrep's or not.
--json prints the same document as status --json (docs/monitoring.md)
from this host's state alone: partners are not asked.`,
		RunE: func(c *cobra.Command, args []string) error {
			o.Datasets = args
			if err := checkFS(args...); err != nil {
				return err
			}
			if o.Snapshots && (o.Verbose || o.Masters) {
				return usagef("list -s cannot be combined with -v or -L")
			}
			if o.JSON && (o.Snapshots || o.Verbose) {
				return usagef("list --json cannot be combined with -v or -s")
			}
			if runF != nil {
				return runF(o)
			}
			return listRun(c, f, o)
		},
	}
	c.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "properties and last synced snapshot of each")
	c.Flags().BoolVarP(&o.Masters, "masters", "L", false, "only filesystems this host is master of")
	c.Flags().BoolVarP(&o.Snapshots, "snapshots", "s", false, "snapshots of each, with creation time (zfs list -r -t snapshot)")
	c.Flags().BoolVar(&o.JSON, "json", false, "each pair's state as JSON (docs/monitoring.md), from this host alone")
	return c
}

func listRun(c *cobra.Command, f *Factory, o *ListOptions) error {
	if o.Snapshots {
		return listSnapshots(c, f, o.Datasets)
	}
	if o.JSON {
		env, states, err := readStates(c, f, true, o.Masters, o.Datasets, false)
		if err != nil {
			return err
		}
		return writeJSON(f.IO.Out, newStatusDoc(env, states, zsync.Thresholds{}))
	}
	sel, err := selectFilesystems(c, f, true, o.Masters, o.Datasets)
	if err != nil {
		return err
	}
	out := f.IO.Out
	if !o.Verbose {
		for _, fs := range sel.fs {
			fmt.Fprintln(out, fs.Name)
		}
		return nil
	}
	if len(sel.fs) == 0 {
		return nil
	}
	local, _ := f.Host("localhost")
	var names []string
	for _, fs := range sel.fs {
		names = append(names, fs.Name)
	}
	props, err := zfsprops.ReadSetProps(c.Context(), local, names...)
	if err != nil {
		return err
	}
	for _, fs := range sel.fs {
		fmt.Fprintf(out, "%s:\n", fs.Name)
		// zfs lists user properties in hash order, which differs between
		// datasets and runs; sorted output can be read and diffed.
		lines := props[fs.Name]
		sort.SliceStable(lines, func(i, j int) bool { return lines[i].Property < lines[j].Property })
		for _, p := range lines {
			fmt.Fprintf(out, "%s\t%s\n", p.Property, p.Value.Value)
		}
		last := ""
		if s, ok := fs.LastSent(sel.tag); ok {
			last = s.Name
		}
		fmt.Fprintf(out, "last snapshot synced: %s\n", last)
		if len(o.Datasets) == 0 {
			fmt.Fprintln(out)
		}
	}
	return nil
}

// listSnapshots is classic `list -s`: zfs's own snapshot table for the
// named filesystems, or for this host's masters, printed as zfs prints it.
// Named filesystems need not be zrep's (classic passed them to zfs as is).
func listSnapshots(c *cobra.Command, f *Factory, names []string) error {
	if len(names) == 0 {
		sel, err := selectFilesystems(c, f, false, true, nil)
		if err != nil {
			return err
		}
		if len(sel.fs) == 0 {
			fmt.Fprintln(f.IO.ErrOut, "No zrep master filesystems found")
			return nil
		}
		for _, fs := range sel.fs {
			names = append(names, fs.Name)
		}
	}
	local, err := f.Host("localhost")
	if err != nil {
		return err
	}
	out, err := zfsprops.SnapshotTable(c.Context(), local, names...)
	f.IO.Out.Write(out)
	return err
}
