package sync

import (
	"context"
	"errors"
	gosync "sync"

	"github.com/zrep-go/zrep/zfsprops"
)

// Masters lists, in zfs's order, the filesystems `sync all` covers: local
// masters whose TAG:src-host is us. One zfs call.
func (e *Env) Masters(ctx context.Context) ([]string, error) {
	return e.list(ctx, func(inv *zfsprops.Inventory) []*zfsprops.Filesystem { return inv.Masters(e.Tag, e.Self) })
}

// Replicas lists the filesystems `refresh all` covers: zrep filesystems on
// this host that are not master.
func (e *Env) Replicas(ctx context.Context) ([]string, error) {
	return e.list(ctx, func(inv *zfsprops.Inventory) []*zfsprops.Filesystem {
		var out []*zfsprops.Filesystem
		for _, fs := range inv.ZrepFilesystems(e.Tag) {
			if !fs.IsMaster(e.Tag) {
				out = append(out, fs)
			}
		}
		return out
	})
}

// ZrepFilesystems lists every zrep filesystem on this host (expire all).
func (e *Env) ZrepFilesystems(ctx context.Context) ([]string, error) {
	return e.list(ctx, func(inv *zfsprops.Inventory) []*zfsprops.Filesystem { return inv.ZrepFilesystems(e.Tag) })
}

// list reads this host's zrep state in one zfs call and names what pick keeps.
func (e *Env) list(ctx context.Context, pick func(*zfsprops.Inventory) []*zfsprops.Filesystem) ([]string, error) {
	inv, err := zfsprops.ReadAll(ctx, e.Local, e.Tag)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, fs := range pick(inv) {
		names = append(names, fs.Name)
	}
	return names, nil
}

// Each runs fn for every name, up to jobs at once, and never stops at a
// failure: report sees each error as it happens (in order when jobs is 1).
// It returns how many failed; quiet-mode skips are not failures.
func Each(ctx context.Context, names []string, jobs int, fn func(context.Context, string) error, report func(string, error)) int {
	if jobs < 1 {
		jobs = 1
	}
	var (
		mu     gosync.Mutex
		wg     gosync.WaitGroup
		failed int
		sem    = make(chan struct{}, jobs)
	)
	for _, name := range names {
		if ctx.Err() != nil {
			mu.Lock()
			report(name, ctx.Err())
			failed++
			mu.Unlock()
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(name string) {
			defer func() { <-sem; wg.Done() }()
			err := fn(ctx, name)
			var skipped *SkippedError
			if err == nil || errors.As(err, &skipped) {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			failed++
			report(name, err)
		}(name)
	}
	wg.Wait()
	return failed
}
