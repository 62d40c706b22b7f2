package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// ExpireOptions are expire's flags.
type ExpireOptions struct {
	Local bool // -L: leave the partner alone
}

// Expire destroys old zrep snapshots of one filesystem: by the master
// rule on a master, then by the replica rule on its partner (unless
// Local); by the replica rule on anything else (classic §4.4).
func (e *Env) Expire(ctx context.Context, name string, o ExpireOptions) error {
	op := PairOp{Name: "expire", Cmd: "expire %s", Verb: "expire it", Role: AnyRole, Partner: PartnerIfMaster}
	if o.Local {
		op.Partner = NoPartner
	}
	// The partner is read first: in a split brain nothing is expired.
	return e.WithPair(ctx, name, op, func(ctx context.Context, p *Pair) error {
		fs := p.Here.FS
		fmt.Fprintf(p.Out, "Expiring zrep snaps on %s\n", name)
		if !p.Cfg.Master {
			return p.expireSide(ctx, p.Local, fs, fs.Snapshots, false, "", "")
		}
		last, ok := fs.LastSent(p.Tag)
		if !ok {
			return zfsprops.WithHint(fmt.Errorf("%s on %s has no snapshot marked sent, nothing expired", name, p.Self),
				"%s marks the newest one its partner has", p.Zrep("sentsync %s@%s_NNNNNN", name, p.Tag))
		}
		if err := p.expireSide(ctx, p.Local, fs, fs.Snapshots, true, last.Name, ""); err != nil || o.Local {
			return err
		}
		fmt.Fprintf(p.Out, "Also running expire on %s now...\n", p.There)
		return p.expireSide(ctx, p.There.Host, p.There.FS, p.There.FS.Snapshots, false, "", p.Cfg.SaveCount)
	})
}
