package failover

import (
	"context"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/zfsprops"
)

// rollbackTo rolls one end back to its snapshot short, destroying the
// newer snapshots; those zrep did not make only with force.
func (r *Roles) rollbackTo(ctx context.Context, e *end, short string, force bool) error {
	target, newer, err := r.planRollback(e, short, force)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "Rolling back %s to %s\n", e, short)
	if len(newer) > 0 {
		fmt.Fprintf(r.Out, "Destroying newer snapshots: %s\n", strings.Join(newer, " "))
	}
	if _, err := e.Host.Run(ctx, []string{"zfs", "rollback", "-r", target.Name}, nil); err != nil {
		return fmt.Errorf("roll back of %s to %s failed: %w", e, short, err)
	}
	return nil
}

// planRollback finds short on e and what rolling back to it destroys.
func (r *Roles) planRollback(e *end, short string, force bool) (zfsprops.Snapshot, []string, error) {
	var target zfsprops.Snapshot
	var newer, foreign []string
	for _, s := range e.FS.Snapshots {
		switch {
		case s.Short() == short:
			target = s
		case target.Name != "":
			newer = append(newer, s.Short())
			if _, _, ok := r.Tag.ParseSerial(s.Short()); !ok {
				foreign = append(foreign, s.Short())
			}
		}
	}
	if target.Name == "" {
		return target, nil, zfsprops.WithHint(fmt.Errorf("%s has no snapshot %s", e, short), "zrep list -s %s on %s shows its snapshots", e.FS.Name, e.Name)
	}
	if len(foreign) > 0 && !force {
		return target, nil, zfsprops.WithHint(fmt.Errorf("rolling %s back to %s would destroy snapshots zrep did not make: %s", e, short, strings.Join(foreign, ", ")),
			"keep or remove them yourself, or pass -f to destroy them too")
	}
	return target, newer, nil
}

// rollbackBoth is the FS@SNAP form of a planned change: both ends go back
// to SNAP, which must be the same snapshot on both, and nothing is sent.
func (r *Roles) rollbackBoth(ctx context.Context, m, rep *end, o Options) error {
	a, _, err := r.planRollback(m, o.Snap, o.Force)
	if err != nil {
		return err
	}
	b, _, err := r.planRollback(rep, o.Snap, o.Force)
	if err != nil {
		return err
	}
	if a.GUID != b.GUID {
		return fmt.Errorf("%s@%s and %s@%s are different snapshots (GUIDs differ)", m, o.Snap, rep, o.Snap)
	}
	if err := r.rollbackTo(ctx, rep, o.Snap, o.Force); err != nil {
		return err
	}
	return r.rollbackTo(ctx, m, o.Snap, o.Force)
}
