package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zrep-go/zrep/lock"
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
	held, src, err := e.lockAndRead(ctx, name)
	var busy *lock.BusyError
	if errors.As(err, &busy) {
		return zfsprops.WithHint(busy, "wait for the running zrep, or stop its cron job first")
	}
	if err != nil {
		return err
	}
	defer held.Unlock()
	if err := src.CheckConfig(e.Tag, e.Self); err != nil {
		return err
	}
	e = e.ForPair(src)
	cfg := src.Config(e.Tag)
	if !cfg.Master || cfg.SrcHost != e.Self {
		return zfsprops.WithHint(&NotMasterError{Host: e.Self, FS: name}, "run this on the master host of the pair")
	}
	idx := -1
	for i, s := range src.Snapshots {
		if s.Name == snap {
			idx = i
		}
	}
	if idx < 0 {
		return zfsprops.WithHint(&zfsprops.NotExistError{Host: e.Self, Name: snap}, "zrep list -s %s shows the snapshots", name)
	}
	l, err := e.claim(ctx, src, held)
	if err != nil {
		return err
	}
	defer l.unlock(context.WithoutCancel(ctx))

	h, err := e.host(ctx, cfg.DestHost)
	if err != nil {
		return err
	}
	dst, err := zfsprops.ReadOne(ctx, h, e.Tag, cfg.DestFS)
	if err != nil {
		return partnerErr(err, cfg.DestHost, fmt.Sprintf("rolling back %s:%s", cfg.DestHost, cfg.DestFS))
	}
	if err := dst.CheckConfig(e.Tag, cfg.DestHost); err != nil {
		return err
	}
	if dst.IsMaster(e.Tag) {
		return zfsprops.WithHint(&SplitBrainError{Host: e.Self, FS: name, PeerHost: cfg.DestHost, PeerFS: cfg.DestFS},
			"decide which side's data to keep; on the other side run zrep failover -L")
	}
	target := cfg.DestFS + "@" + short
	var newer []string
	found := false
	for _, s := range dst.Snapshots {
		switch {
		case s.Name == target:
			if s.GUID != src.Snapshots[idx].GUID {
				return zfsprops.WithHint(fmt.Errorf("%s:%s is not the same snapshot as %s (GUIDs differ)", cfg.DestHost, target, snap),
					"pick a snapshot both sides share: zrep list -s on both hosts")
			}
			found = true
		case found:
			newer = append(newer, s.Name)
		}
	}
	if !found {
		return zfsprops.WithHint(fmt.Errorf("%s:%s does not exist, cannot roll back to it", cfg.DestHost, target),
			"zrep list -s on %s shows the snapshots it has", cfg.DestHost)
	}
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
	if _, err := zfsprops.Run(ctx, h, zfsprops.RollbackArgv(target)); err != nil {
		return fmt.Errorf("roll back of %s:%s failed: %w", cfg.DestHost, target, err)
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
