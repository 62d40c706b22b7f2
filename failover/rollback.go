package failover

import (
	"context"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/zfsprops"
)

// rollbackTo rolls one end back to its snapshot short (with -R, each
// child to its own), destroying the newer snapshots; those zrep did not
// make only with force.
func (r *Roles) rollbackTo(ctx context.Context, e *end, short string, force bool) error {
	p, err := r.planRollback(ctx, e, short, force)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "Rolling back %s to %s\n", e, short)
	if len(p.newer) > 0 {
		fmt.Fprintf(r.Out, "Destroying newer snapshots: %s\n", strings.Join(p.newer, " "))
	}
	if err := r.ReleaseAll(ctx, e.Host, p.newer); err != nil {
		return err
	}
	for _, t := range p.targets {
		if _, err := zfsprops.Run(ctx, e.Host, zfsprops.RollbackArgv(t)); err != nil {
			return fmt.Errorf("roll back of %s:%s failed: %w", e.Name, t, err)
		}
	}
	return nil
}

// rollbackPlan is what rolling back to a snapshot does.
type rollbackPlan struct {
	target  zfsprops.Snapshot // FS@short
	targets []string          // what to roll back: FS@short, with -R its children's too
	newer   []string          // snapshots that go
}

// planRollback finds short on e and what rolling back to it destroys.
func (r *Roles) planRollback(ctx context.Context, e *end, short string, force bool) (rollbackPlan, error) {
	var p rollbackPlan
	var foreign []string
	for _, s := range e.FS.Snapshots {
		switch {
		case s.Short() == short:
			p.target = s
		case p.target.Name != "":
			p.newer = append(p.newer, s.Name)
			if _, _, ok := r.Tag.ParseSerial(s.Short()); !ok {
				foreign = append(foreign, s.Name)
			}
		}
	}
	if p.target.Name == "" {
		return p, zfsprops.WithHint(fmt.Errorf("%s has no snapshot %s", e, short), "zrep list -s %s on %s shows its snapshots", e.FS.Name, e.Name)
	}
	p.targets = []string{p.target.Name}
	if r.Recursive {
		if err := r.planChildren(ctx, e, short, &p, &foreign); err != nil {
			return p, err
		}
	}
	if len(foreign) > 0 && !force {
		return p, zfsprops.WithHint(fmt.Errorf("rolling %s back to %s would destroy snapshots zrep did not make: %s", e, short, strings.Join(foreign, ", ")),
			"keep or remove them yourself, or pass -f to destroy them too")
	}
	return p, nil
}

// planChildren adds e's descendants to a recursive rollback: each goes
// back to its own @short. A child made after short has none; destroying
// it is not ours to decide.
func (r *Roles) planChildren(ctx context.Context, e *end, short string, p *rollbackPlan, foreign *[]string) error {
	out, err := zfsprops.Run(ctx, e.Host, zfsprops.DescendantsArgv(e.FS.Name))
	if err != nil {
		return err
	}
	var children []string
	snaps := map[string][]string{}
	for _, row := range zfsprops.ParseRows(out, 1) {
		ds, snap, isSnap := strings.Cut(row[0], "@")
		switch {
		case ds == e.FS.Name:
		case isSnap:
			snaps[ds] = append(snaps[ds], snap)
		default:
			children = append(children, ds)
		}
	}
	for _, c := range children {
		found := false
		for _, s := range snaps[c] {
			switch {
			case s == short:
				found = true
			case found:
				p.newer = append(p.newer, c+"@"+s)
				if _, _, ok := r.Tag.ParseSerial(s); !ok {
					*foreign = append(*foreign, c+"@"+s)
				}
			}
		}
		if !found {
			return zfsprops.WithHint(fmt.Errorf("%s:%s has no snapshot %s (made after it?), so the pair cannot go back to %s", e.Name, c, short, short),
				"move or destroy %s on %s yourself, then run this again", c, e.Name)
		}
		p.targets = append(p.targets, c+"@"+short)
	}
	return nil
}

// rollbackBoth is the FS@SNAP form of a planned change: both ends go back
// to SNAP, which must be the same snapshot on both, and nothing is sent.
func (r *Roles) rollbackBoth(ctx context.Context, m, rep *end, o Options) error {
	a, err := r.planRollback(ctx, m, o.Snap, o.Discard)
	if err != nil {
		return err
	}
	b, err := r.planRollback(ctx, rep, o.Snap, o.Discard)
	if err != nil {
		return err
	}
	if a.target.GUID != b.target.GUID {
		return zfsprops.WithHint(fmt.Errorf("%s@%s and %s@%s are different snapshots (GUIDs differ)", m, o.Snap, rep, o.Snap),
			"pick a snapshot both sides share: zrep list -s on both hosts")
	}
	if err := r.rollbackTo(ctx, rep, o.Snap, o.Discard); err != nil {
		return err
	}
	return r.rollbackTo(ctx, m, o.Snap, o.Discard)
}
