package sync

import (
	"context"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// written is fs's written@short: the bytes written since that snapshot.
// OpenZFS counts a write only once its transaction group commits (up to
// several seconds later), so the pool is synced first: otherwise a write
// made just before `zrep uptodate` or `sync -c` would read as nothing. If
// the pool cannot be synced the answer is an error, never a guess.
func (e *Env) written(ctx context.Context, h ssh.Host, fs, short string) (string, error) {
	pool, _, _ := strings.Cut(fs, "/")
	if _, err := zfsprops.Run(ctx, h, zfsprops.PoolSyncArgv(pool)); err != nil {
		return "", fmt.Errorf("cannot tell what %s wrote since %s: committing pool %s failed: %w", fs, short, pool, err)
	}
	return zfsprops.ReadValue(ctx, h, "written@"+short, fs, true)
}
