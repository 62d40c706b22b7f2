package sync

import (
	"context"
	"strings"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// features probes a host's zfs once per run; later calls hit the cache.
func (e *Env) features(ctx context.Context, h ssh.Host) (zfsprops.Features, error) {
	c := e.runCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.feat[h.Name()]; ok {
		return f, nil
	}
	f, err := zfsprops.DetectFeatures(ctx, h)
	if err != nil {
		return f, err
	}
	if c.feat == nil {
		c.feat = map[string]zfsprops.Features{}
	}
	c.feat[h.Name()] = f
	if missing := f.Missing(); len(missing) > 0 {
		e.say("%s: zfs has no %s; zrep does without", h.Name(), strings.Join(missing, ", "))
	}
	return f, nil
}
