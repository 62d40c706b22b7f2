package sync

import (
	"context"
	"time"
)

// SyncOptions are sync's flags.
type SyncOptions struct {
	Force bool          // -f: recv -F
	Quiet time.Duration // -q: skip a busy fs synced within this long
	// ChangedOnly is sync -c; Existing is synconly (no new snapshot).
	ChangedOnly, Existing bool
}

// Sync replicates one master filesystem to its partner.
func (e *Env) Sync(ctx context.Context, name string, o SyncOptions) error {
	op := PairOp{Name: "sync", Cmd: "sync %s", Role: MasterRole, Partner: WithPartner, Quiet: o.Quiet, Quietable: true,
		Reading: "sending to %s"}
	return e.WithPair(ctx, name, op, func(ctx context.Context, p *Pair) error {
		_, err := p.Replicate(ctx, p.Here, p.There,
			Step{Force: o.Force, Expire: true, ChangedOnly: o.ChangedOnly, Existing: o.Existing,
				Retry: p.Zrep("sync --force-empty %s", name), Rollback: p.Zrep("sync -f %s", name)})
		return err
	})
}
