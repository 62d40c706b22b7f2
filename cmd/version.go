package cmd

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version and Commit are stamped at build time (scripts/build.sh):
//
//	go build -ldflags "-X github.com/zrep-go/zrep/cmd.Version=1.2.0 -X github.com/zrep-go/zrep/cmd.Commit=abc123"
//
// Unstamped, buildVersion falls back to what the Go toolchain recorded.
var (
	Version = ""
	Commit  = ""
)

// baseVersion is this source tree's release, for builds nobody stamped.
const baseVersion = "0.1.0"

// buildVersion is the version and commit of this binary: the stamped
// ones, else the module version `go install …@vX` records and the VCS
// revision `go build` records in a git checkout (not with -buildvcs=false).
func buildVersion() (version, commit string) {
	version, commit = Version, Commit
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = &debug.BuildInfo{}
	}
	if version == "" {
		version = baseVersion + "-dev"
		if v := info.Main.Version; v != "" && v != "(devel)" {
			version = v
		}
	}
	if commit == "" {
		modified := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if len(commit) > 12 {
			commit = commit[:12]
		}
		if commit != "" && modified {
			commit += "-dirty"
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	return version, commit
}

// versionText is what `zrep version` and `zrep --version` print.
func versionText() string {
	v, c := buildVersion()
	return fmt.Sprintf("zrep %s (commit %s)\ncompatible with classic zrep %s\nhttps://github.com/zrep-go/zrep\n", v, c, ClassicVersion)
}

// NewCmdVersion prints our version and the classic release we follow.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprint(f.IO.Out, versionText())
			return nil
		},
	}
}
