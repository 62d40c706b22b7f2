package sync

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/zrep-go/zrep/zfsprops"
)

// RollbackPartner is `sync FS@SNAP`: roll the partner back to an older
// snapshot both sides have, and unmark the newer local ones so the next
// sync sends from SNAP. The countdown gives the operator a last chance;
// the lock keeps cron syncs of FS out meanwhile.
func (e *Env) RollbackPartner(ctx context.Context, snap string, countdown time.Duration) error {
	name, short, _ := strings.Cut(snap, "@")
	if _, unsent, ok := e.Tag.ParseSerial(short); !ok || unsent {
		return zfsprops.WithHint(fmt.Errorf("%s is not a zrep snapshot of tag %s, cannot roll back to it", snap, e.Tag),
			"zrep list -s %s shows the snapshots", name)
	}
	idx := -1
	op := PairOp{Name: "sync", Cmd: "sync %s@" + short, Verb: "roll its partner back", Role: MasterRole, Partner: WithPartner,
		Reading: "rolling back %s",
		Check: func(ctx context.Context, p *Pair) error {
			for i, s := range p.Here.FS.Snapshots {
				if s.Name == snap {
					idx = i
				}
			}
			if idx < 0 {
				return zfsprops.WithHint(&zfsprops.NotExistError{Host: p.Self, Name: snap}, "zrep list -s %s shows the snapshots", name)
			}
			return nil
		}}
	return e.WithPair(ctx, name, op, func(ctx context.Context, p *Pair) error {
		return p.rollbackPartner(ctx, p.Here.FS, p.There, idx, snap, short, countdown)
	})
}

func (e *Env) rollbackPartner(ctx context.Context, src *zfsprops.Filesystem, there Side, idx int, snap, short string, countdown time.Duration) error {
	cfg := zfsprops.Config{DestHost: there.Name, DestFS: there.FS.Name}
	h := there.Host
	// Planned with force: which of the snapshots that go zrep did not
	// make is said here, with sync's own way out. With -R, each child
	// goes back to its own @short.
	plan, err := e.PlanRollback(ctx, there, short, true)
	if err != nil {
		return err
	}
	if plan.Target.GUID != src.Snapshots[idx].GUID {
		return zfsprops.WithHint(fmt.Errorf("%s:%s is not the same snapshot as %s (GUIDs differ)", cfg.DestHost, plan.Target.Name, snap),
			"pick a snapshot both sides share: zrep list -s on both hosts")
	}
	newer := plan.Newer
	if foreign := notOurs(e.Tag, newer); len(foreign) > 0 {
		return zfsprops.WithHint(fmt.Errorf("rolling %s:%s back would destroy snapshots zrep did not make: %s", cfg.DestHost, cfg.DestFS, strings.Join(foreign, ", ")),
			"keep them elsewhere or destroy them yourself, then run this again")
	}
	fmt.Fprintf(e.Out, "WARNING: We will be rolling back %s, on %s\n", cfg.DestFS, cfg.DestHost)
	fmt.Fprintf(e.Out, "   to %s, made at: %s\n\n", short, e.creation(ctx, snap))
	fmt.Fprintf(e.Out, "All newer snapshots on remote side will be destroyed (%d)\n", len(newer))
	if countdown > 0 {
		fmt.Fprintf(e.Out, "Continuing in %d seconds (interrupt to cancel)....\n", int(countdown.Seconds()))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(countdown):
		}
	}
	if err := e.ReleaseAll(ctx, h, newer); err != nil {
		return err
	}
	for _, t := range plan.Targets {
		if _, err := zfsprops.Run(ctx, h, zfsprops.RollbackArgv(t)); err != nil {
			return fmt.Errorf("roll back of %s:%s failed: %w", cfg.DestHost, t, err)
		}
	}
	fmt.Fprintf(e.Out, "%s:%s rolled back successfully to %s\n", cfg.DestHost, cfg.DestFS, short)
	fmt.Fprintln(e.Out, "Now cleaning up local snapshots")
	for _, s := range src.Snapshots[idx+1:] {
		if _, _, ok := e.Tag.ParseSerial(s.Short()); ok && s.Sent.Local() != "" {
			if err := zfsprops.Inherit(ctx, e.Local, s.Name, e.Tag.Sent()); err != nil {
				return err
			}
		}
	}
	return nil
}

// notOurs are the names among snaps that zrep (this tag) did not make.
func notOurs(tag zfsprops.Tag, snaps []string) []string {
	var out []string
	for _, s := range snaps {
		if _, _, ok := tag.ParseSerial(s); !ok {
			out = append(out, s)
		}
	}
	return out
}

// creation is a snapshot's creation time as zfs prints it, for a warning.
func (e *Env) creation(ctx context.Context, snap string) string {
	v, err := zfsprops.ReadValue(ctx, e.Local, "creation", snap, false)
	if err != nil {
		return "?"
	}
	return v
}
