package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NewCmdVersion prints our version and the classic release we follow.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprintf(f.IO.Out, "zrep %s (Go)\ncompatible with classic zrep %s\nhttps://github.com/zrep-go/zrep\n", Version, ClassicVersion)
			return nil
		},
	}
}
