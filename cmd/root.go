package cmd

import (
	"strings"

	"github.com/spf13/cobra"
)

// ClassicVersion is the classic zrep release whose behaviour we follow.
const ClassicVersion = "2.0.2"

// NewRootCmd builds the command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "zrep",
		Short: "Replicate ZFS filesystems between hosts over SSH, and fail them over",
		Long: `zrep keeps pairs of ZFS filesystems replicated over SSH. All pairing state
lives in zrep:* user properties on the datasets; a drop-in successor to
classic zrep ` + ClassicVersion + `.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       "-", // any value makes cobra add --version; the template prints ours
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			return f.setupLogging()
		},
	}
	root.SetVersionTemplate(versionText())
	root.CompletionOptions.HiddenDefaultCmd = false
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(flagError)
	root.SetHelpCommand(newCmdHelp())
	pf := root.PersistentFlags()
	pf.StringVarP(&f.Tag, "tag", "t", "", "property and snapshot prefix (default $ZREPTAG or zrep)")
	pf.BoolVarP(&f.Recursive, "recursive", "R", false, "recursive pairs: zfs send -R (also $ZREP_R=-R)")
	pf.BoolVarP(&f.Debug, "debug", "D", false, "debug output")
	pf.StringVar(&f.SSH, "ssh", "", "external ssh command instead of the built-in client (also $SSH)")
	pf.BoolVar(&f.Syslog, "syslog", false, "also send every message to syslog (facility daemon, tag zrep), e.g. from cron")
	root.AddCommand(
		NewCmdVersion(f),
		NewCmdInit(f, nil),
		NewCmdSync(f, nil),
		NewCmdSynconly(f, nil),
		NewCmdRefresh(f, nil),
		NewCmdFailover(f, nil),
		NewCmdTakeover(f, nil),
		NewCmdRefreshPull(f),
		NewCmdRefreshComplete(f),
		NewCmdStatus(f, nil),
		NewCmdList(f, nil),
		NewCmdClear(f, nil),
		NewCmdSnapOnly(f, nil),
		NewCmdSentSync(f, nil),
		NewCmdChangeConfig(f, nil),
		NewCmdExpire(f, nil),
		NewCmdGetLastSent(f, nil),
		NewCmdSetLastSent(f),
		NewCmdUpToDate(f, nil),
		NewCmdMetrics(f, nil),
		NewCmdMan(),
	)
	completeDatasets(root, f)
	root.Args = cobra.ArbitraryArgs
	root.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown zrep subcommand %q; run zrep --help", args[0])
		}
		return c.Help()
	}
	return root
}

// classicAliases are the old dash-spelled subcommands (classic §1.2).
var classicAliases = map[string]string{
	"-i": "init", "-S": "sync", "-s": "status", "-l": "list", "-e": "expire",
	"-C": "changeconfig", "lastsent": "getlastsent",
}

// normalizeArgs maps a classic alias in the subcommand position (after the
// global -R, -D and -t TAG) to its name, so `zrep -t x -S all` still works.
func normalizeArgs(args []string) []string {
	out := append([]string{}, args...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		switch {
		case a == "-R" || a == "-D" || a == "--recursive" || a == "--debug" || a == "--syslog":
			continue
		case a == "-t" || a == "--tag" || a == "--ssh":
			i++
			continue
		case strings.HasPrefix(a, "--tag=") || strings.HasPrefix(a, "--ssh=") || (strings.HasPrefix(a, "-t") && len(a) > 2 && !strings.HasPrefix(a, "--")):
			continue
		}
		if name, ok := classicAliases[a]; ok {
			out[i] = name
		}
		break
	}
	return out
}
