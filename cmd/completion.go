package cmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/zrep-go/zrep/zfsprops"
)

// noDatasetArgs are commands whose arguments are not local datasets.
var noDatasetArgs = map[string]bool{
	"version": true, "help": true, "completion": true, "man": true,
}

// completeDatasets makes every command that takes filesystems complete
// their names from this host's `zfs list` (`zrep completion bash|zsh|fish`
// prints the shell's script; cobra calls back into zrep for the names).
// init completes only its local argument: SRCFS, or DESTFS with --from.
func completeDatasets(root *cobra.Command, f *Factory) {
	for _, c := range root.Commands() {
		if noDatasetArgs[c.Name()] || c.ValidArgsFunction != nil {
			continue
		}
		name := c.Name()
		c.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if name == "init" && !localInitArg(c, len(args)) {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return f.datasetNames(c.Context(), toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
}

// localInitArg reports whether init's argument number i names a local
// filesystem: SRCFS DESTHOST DESTFS, or with --from SRCHOST SRCFS DESTFS.
func localInitArg(c *cobra.Command, i int) bool {
	if from := c.Flags().Lookup("from"); from != nil && from.Changed {
		return i == 1 // --from takes SRCHOST as its value: SRCFS DESTFS follow
	}
	return i == 0
}

// datasetNames are this host's filesystems starting with prefix; a failure
// completes nothing (a completion must not print errors into the prompt).
func (f *Factory) datasetNames(ctx context.Context, prefix string) []string {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	local, err := f.Host("localhost")
	if err != nil {
		return nil
	}
	names, err := zfsprops.Names(ctx, local)
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}
