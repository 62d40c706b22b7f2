package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// SnapOnly makes the next zrep snapshot of a master filesystem, sending
// nothing, and returns its full name. A classic partner's refresh calls
// it over ssh and parses that name.
func (e *Env) SnapOnly(ctx context.Context, name string) (string, error) {
	var snap string
	op := PairOp{Name: "snaponly", Cmd: "snaponly %s", Verb: "snapshot it", Role: MasterRole}
	err := e.WithPair(ctx, name, op, func(ctx context.Context, p *Pair) error {
		snap = name + "@" + p.Tag.SnapName(zfsprops.NextSerial(p.Tag, p.Here.FS.Snapshots))
		if _, err := zfsprops.Run(ctx, p.Local, zfsprops.SnapshotArgv(p.Recursive, snap)); err != nil {
			return fmt.Errorf("could not create snapshot %s: %w", snap, err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return snap, nil
}
