package failover

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// rollbackBoth is the FS@SNAP form of a planned change: both ends go back
// to SNAP, which must be the same snapshot on both, and nothing is sent.
func (r *Roles) rollbackBoth(ctx context.Context, m, rep *end, o Options) error {
	a, err := r.PlanRollback(ctx, m.Side, o.Snap, o.Discard)
	if err != nil {
		return err
	}
	b, err := r.PlanRollback(ctx, rep.Side, o.Snap, o.Discard)
	if err != nil {
		return err
	}
	if a.Target.GUID != b.Target.GUID {
		return zfsprops.WithHint(fmt.Errorf("%s@%s and %s@%s are different snapshots (GUIDs differ)", m, o.Snap, rep, o.Snap),
			"pick a snapshot both sides share: zrep list -s on both hosts")
	}
	if err := r.RollbackTo(ctx, rep.Side, o.Snap, o.Discard); err != nil {
		return err
	}
	return r.RollbackTo(ctx, m.Side, o.Snap, o.Discard)
}
