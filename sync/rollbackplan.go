package sync

import (
	"context"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/zfsprops"
)

// RollbackTo rolls one side back to its snapshot short (with -R, each
// child to its own), destroying the newer snapshots; those zrep did not
// make only with force.
func (r *Env) RollbackTo(ctx context.Context, e Side, short string, force bool) error {
	p, err := r.PlanRollback(ctx, e, short, force)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "Rolling back %s to %s\n", e, short)
	if len(p.Newer) > 0 {
		fmt.Fprintf(r.Out, "Destroying newer snapshots: %s\n", strings.Join(p.Newer, " "))
	}
	if err := r.ReleaseAll(ctx, e.Host, p.Newer); err != nil {
		return err
	}
	for _, t := range p.Targets {
		if _, err := zfsprops.Run(ctx, e.Host, zfsprops.RollbackArgv(t)); err != nil {
			return fmt.Errorf("roll back of %s:%s failed: %w", e.Name, t, err)
		}
	}
	return nil
}

// RollbackPlan is what rolling back to a snapshot does.
type RollbackPlan struct {
	Target  zfsprops.Snapshot // FS@short
	Targets []string          // what to roll back: FS@short, with -R its children's too
	Newer   []string          // snapshots that go
}

// PlanRollback finds short on e and what rolling back to it destroys.
func (r *Env) PlanRollback(ctx context.Context, e Side, short string, force bool) (RollbackPlan, error) {
	var p RollbackPlan
	var foreign []string
	for _, s := range e.FS.Snapshots {
		switch {
		case s.Short() == short:
			p.Target = s
		case p.Target.Name != "":
			p.Newer = append(p.Newer, s.Name)
			if _, _, ok := r.Tag.ParseSerial(s.Short()); !ok {
				foreign = append(foreign, s.Name)
			}
		}
	}
	if p.Target.Name == "" {
		return p, zfsprops.WithHint(fmt.Errorf("%s has no snapshot %s", e, short), "zrep list -s %s on %s shows its snapshots", e.FS.Name, e.Name)
	}
	p.Targets = []string{p.Target.Name}
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
func (r *Env) planChildren(ctx context.Context, e Side, short string, p *RollbackPlan, foreign *[]string) error {
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
				p.Newer = append(p.Newer, c+"@"+s)
				if _, _, ok := r.Tag.ParseSerial(s); !ok {
					*foreign = append(*foreign, c+"@"+s)
				}
			}
		}
		if !found {
			return zfsprops.WithHint(fmt.Errorf("%s:%s has no snapshot %s (made after it?), so the pair cannot go back to %s", e.Name, c, short, short),
				"move or destroy %s on %s yourself, then run this again", c, e.Name)
		}
		p.Targets = append(p.Targets, c+"@"+short)
	}
	return nil
}
