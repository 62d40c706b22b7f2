package cmd

import (
	"path/filepath"
	"strings"

	"github.com/zrep-go/zrep/ssh"
)

// fallbackPath is the search path when there is none at all (env -i).
const fallbackPath = "/usr/local/bin:/usr/bin:/bin"

// searchPath is the PATH zrep runs local commands (zfs, zpool, ssh, the
// filters' sh) with: the defaults file's PATH when it sets one (classic
// sourced it, so `PATH=/opt/zfs/bin:$PATH` there took effect), else the
// environment's, with the sbin directories appended where missing. cron
// gives PATH=/usr/bin:/bin, where zfs (/usr/sbin or /sbin) is not found.
func searchPath(env, file string) string {
	p := env
	if file != "" {
		p = file
	}
	if p == "" {
		p = fallbackPath
	}
	have := map[string]bool{}
	for _, d := range filepath.SplitList(p) {
		have[filepath.Clean(d)] = true
	}
	for _, d := range filepath.SplitList(ssh.SbinDirs) {
		if !have[d] {
			p += string(filepath.ListSeparator) + d
		}
	}
	return strings.TrimPrefix(p, string(filepath.ListSeparator))
}
