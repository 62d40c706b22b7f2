package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// NewCmdMan writes the man pages (zrep.8 and one zrep-CMD.8 per command),
// generated from the same help text `zrep CMD --help` prints, so they
// cannot drift from the binary. The package build installs them.
func NewCmdMan() *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write zrep's man pages (section 8) into DIR",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("man needs one directory, e.g. zrep man /usr/share/man/man8")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			v, _ := buildVersion()
			header := &doc.GenManHeader{Title: "ZREP", Section: "8", Source: "zrep " + v, Manual: "System Manager's Manual"}
			root := c.Root()
			root.DisableAutoGenTag = true // reproducible pages: no generation date
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("man pages in %s: %w", dir, err)
			}
			return nil
		},
	}
}
