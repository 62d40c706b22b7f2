package sync

import (
	"context"

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
	return f, nil
}
