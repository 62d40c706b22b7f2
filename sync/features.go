package sync

import (
	"context"
	"strings"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// features probes a host's zfs once per run; later calls hit the cache.
func (e *Env) features(ctx context.Context, h ssh.Host) (zfsprops.Features, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if f, ok := e.feat[h.Name()]; ok {
		return f, nil
	}
	f, err := zfsprops.DetectFeatures(ctx, h)
	if err != nil {
		return f, err
	}
	if e.feat == nil {
		e.feat = map[string]zfsprops.Features{}
	}
	e.feat[h.Name()] = f
	if missing := f.Missing(); len(missing) > 0 {
		e.say("%s: zfs has no %s; zrep does without", h.Name(), strings.Join(missing, ", "))
	}
	return f, nil
}
