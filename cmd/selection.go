package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/zrep-go/zrep/zfsprops"
)

type selection struct {
	tag zfsprops.Tag
	fs  []*zfsprops.Filesystem
}

// selectFilesystems reads this host's zrep state in one zfs call and picks
// the named filesystems, or the masters, or (all) every zrep filesystem.
func selectFilesystems(c *cobra.Command, f *Factory, all, mastersOnly bool, names []string) (*selection, error) {
	tag, self, local, err := f.Where()
	if err != nil {
		return nil, err
	}
	inv, err := zfsprops.ReadAll(c.Context(), local, tag)
	if err != nil {
		return nil, err
	}
	sel := &selection{tag: tag}
	switch {
	case len(names) > 0:
		zrep := map[string]*zfsprops.Filesystem{}
		for _, fs := range inv.ZrepFilesystems(tag) {
			zrep[fs.Name] = fs
		}
		for _, n := range names {
			fs := zrep[n]
			if fs == nil {
				return nil, zfsprops.WithHint(fmt.Errorf("%s is not a zrep filesystem on %s", n, self),
					"zrep list shows the ones that are; zrep init pairs a new one")
			}
			sel.fs = append(sel.fs, fs)
		}
	case all && !mastersOnly:
		sel.fs = inv.ZrepFilesystems(tag)
	default:
		sel.fs = inv.Masters(tag, self)
	}
	return sel, nil
}
