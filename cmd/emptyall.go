package cmd

import (
	"context"
	"fmt"
	"strings"

	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// warnEmptyAll is for a `sync all` or `refresh all` that selected nothing
// although this host has pairs with the tag: a cron line that silently
// replicates nothing after a host rename (src-host names the old name) or
// a takeover is worse than one warning a run. A host with no pairs of
// the tag, or only replicas for sync all, is not warned about: a replica
// host runs the same cron line, ready for a failover.
func (f *Factory) warnEmptyAll(ctx context.Context, env *zsync.Env, pull bool) {
	inv, err := zfsprops.ReadAll(ctx, env.Local, env.Tag)
	if err != nil {
		return // sync all just read the same; a failure here says nothing new
	}
	var masters, elsewhere []string
	for _, fs := range inv.ZrepFilesystems(env.Tag) {
		cfg := fs.Config(env.Tag)
		if !cfg.Master {
			continue
		}
		masters = append(masters, fs.Name)
		if cfg.SrcHost != env.Self {
			elsewhere = append(elsewhere, fmt.Sprintf("%s (master host %q)", fs.Name, cfg.SrcHost))
		}
	}
	switch {
	case !pull && len(elsewhere) > 0:
		f.warnOnce("all", "Warning: sync all: nothing here is master under this host's name %q, but %s %s; if this host was renamed, set ZREP_SRC_HOST in %s",
			env.Self, some(elsewhere), plural(len(elsewhere), "is master under another name", "are masters under other names"), defaultsFile)
	case pull && len(masters) > 0:
		f.warnOnce("all", "Warning: refresh all: nothing to pull with tag %s: %s %s here (zrep sync all sends from a master; refresh pulls into a replica)",
			env.Tag, some(masters), plural(len(masters), "is master", "are masters"))
	}
}

// some names up to three items, then how many more.
func some(items []string) string {
	if len(items) <= 3 {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:3], ", "), len(items)-3)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
