package cmd

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/zrep-go/zrep/zfsprops"
)

// newCmdHelp is cobra's help command, except that an unknown topic is a
// usage error (exit 2) instead of the root usage and exit 0: a script
// that asks `zrep help nosuch` learns that there is no such command.
func newCmdHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var names []string
			for _, sub := range c.Root().Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return &UsageError{Err: zfsprops.WithHint(usagef("no help topic %q", strings.Join(args, " ")),
					"zrep help lists the commands")}
			}
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	}
}

// flagError is a bad flag or flag value: exit 2, with where to look.
func flagError(c *cobra.Command, err error) error {
	return &UsageError{Err: zfsprops.WithHint(err, "%s --help lists its options", c.CommandPath())}
}
