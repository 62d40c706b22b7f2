package sync

import (
	"context"
)

// Refresh pulls new changes of a pair's master into the replica name on
// this host (classic pull mode, for a backup server that may reach the
// source while the source cannot reach it). On the source it runs only
// zfs: snapshot, send, set the mark, expire.
func (e *Env) Refresh(ctx context.Context, name string, o SyncOptions) error {
	op := PairOp{Name: "refresh", Cmd: "refresh %s", Role: ReplicaRole, Partner: WithPartner, Quiet: o.Quiet, Quietable: true,
		Reading: "pulling from %s"}
	return e.WithPair(ctx, name, op, func(ctx context.Context, p *Pair) error {
		_, err := p.Replicate(ctx, p.There, p.Here,
			Step{Force: o.Force, Expire: true, Retry: p.Zrep("refresh --force-empty %s", name), Rollback: p.Zrep("refresh -f %s", name)})
		return err
	})
}
