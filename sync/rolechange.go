package sync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/zrep-go/zrep/zfsprops"
)

// Crash-safe role changes (docs/reliability.md, Role changes): a failover
// or takeover writes its intent (TAG:role-change) on the old master, then
// on the new one, before its first change; it marks the new master's copy
// synced once that side has all the data; it clears both copies after its
// last change, old first. Whatever command finds an intent on either side
// first finishes the change (the new master's copy says synced) or undoes
// it (anything else), deterministically, then starts over.

// errRecovered restarts a guarded operation after a recovery changed the
// pair under it.
var errRecovered = errors.New("an interrupted role change was recovered")

// IntentMode says what a guarded operation does with a role-change intent.
type IntentMode int

const (
	// RecoverIntent finishes or undoes it first (every command).
	RecoverIntent IntentMode = iota
	// IgnoreIntent leaves it (clear removes it with the pairing;
	// changeconfig repairs by hand).
	IgnoreIntent
	// DropIntent is failover -L and takeover -L: the operator overrides
	// it from this side alone, and the command clears it here.
	DropIntent
)

// CrashPoint is a test-only hook: when ZREP_TEST_CRASH_AT (Env.CrashAt)
// names step, zrep kills itself with SIGKILL there, as a kill -9 or a
// power cut would. Inert unless set; the crash scenarios set it.
func (e *Env) CrashPoint(step string) {
	if e.CrashAt != "" && e.CrashAt == step {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}

// IntentOf is fs's TAG:role-change (local only: one received with a -R
// stream is the sender's), ok false when there is none or it cannot be
// read (CheckConfig names that).
func (e *Env) IntentOf(fs *zfsprops.Filesystem) (zfsprops.RoleChangeIntent, bool) {
	v := fs.Prop(e.Tag.RoleChange()).Local()
	if v == "" {
		return zfsprops.RoleChangeIntent{}, false
	}
	in, err := zfsprops.ParseRoleChange(v)
	return in, err == nil
}

// EpochOf is fs's TAG:epoch (local only), 0 when unset.
func (e *Env) EpochOf(fs *zfsprops.Filesystem) uint64 {
	n, _ := zfsprops.ParseEpoch(fs.Prop(e.Tag.Epoch()).Local())
	return n
}

// BeginRoleChange writes the intent on the old master, then on the new.
func (e *Env) BeginRoleChange(ctx context.Context, old, new Side, in zfsprops.RoleChangeIntent) error {
	in.Phase = zfsprops.PhaseBegun
	if err := zfsprops.Set(ctx, old.Host, old.FS.Name, e.Tag.RoleChange(), in.Copy(false).String()); err != nil {
		return err
	}
	e.CrashPoint("intent-old")
	if err := zfsprops.Set(ctx, new.Host, new.FS.Name, e.Tag.RoleChange(), in.Copy(true).String()); err != nil {
		return err
	}
	e.CrashPoint("intent-new")
	return nil
}

// MarkSynced is the commit point: the new master's copy says it has all
// the data, and from here on a crash is completed, not undone.
func (e *Env) MarkSynced(ctx context.Context, new Side, in zfsprops.RoleChangeIntent, phase zfsprops.Phase) error {
	in.Phase = phase
	return zfsprops.Set(ctx, new.Host, new.FS.Name, e.Tag.RoleChange(), in.Copy(true).String())
}

// EndRoleChange clears the intent, old master first: a new master's copy
// left alone still decides.
func (e *Env) EndRoleChange(ctx context.Context, old, new Side) error {
	if err := zfsprops.Inherit(ctx, old.Host, old.FS.Name, e.Tag.RoleChange()); err != nil {
		return err
	}
	e.CrashPoint("cleared-old")
	return zfsprops.Inherit(ctx, new.Host, new.FS.Name, e.Tag.RoleChange())
}

// PairingProps are the four properties that name a pair's sides, in the
// order role changes write them.
func (e *Env) PairingProps(srcFS, srcHost, destFS, destHost string) [][2]string {
	return [][2]string{{e.Tag.DestFS(), destFS}, {e.Tag.DestHost(), destHost}, {e.Tag.SrcFS(), srcFS}, {e.Tag.SrcHost(), srcHost}}
}

// InterruptedError is an interrupted role change that cannot be recovered
// now: its other side cannot be reached or read.
type InterruptedError struct {
	Here   string // host:fs
	Intent zfsprops.RoleChangeIntent
	Other  string // host
	Err    error
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("%s is in an interrupted role change (epoch %d, %s to %s), and its other side cannot be read: %v",
		e.Here, e.Intent.Epoch, e.Intent.Old, e.Intent.New, e.Err)
}
func (e *InterruptedError) Unwrap() error { return e.Err }

// Hint says how it gets recovered.
func (e *InterruptedError) Hint() string {
	return fmt.Sprintf("run zrep again once %s answers: it completes or undoes the change; if %s is lost for good, zrep takeover -L or failover -L here overrides it",
		e.Other, e.Other)
}

// recoverIntent finishes or undoes the role change whose intent in was
// found here (foundHere) or on the partner already read into p.There,
// says in one line what it did, and returns errRecovered.
func (p *Pair) recoverIntent(ctx context.Context, in zfsprops.RoleChangeIntent, foundHere bool) error {
	hereIsNew := in.HereIsNew == foundHere
	other := in.New
	if hereIsNew {
		other = in.Old
	}
	there := p.There
	if there.FS == nil || there.FS.Name != other.FS {
		h, err := p.Hosts(other.Host)
		var fs *zfsprops.Filesystem
		if err == nil {
			fs, err = zfsprops.ReadOne(ctx, h, p.Tag, other.FS)
		}
		if err != nil {
			return &InterruptedError{Here: p.Here.String(), Intent: in, Other: other.Host, Err: err}
		}
		there = Side{h, other.Host, fs}
	}
	if busy, err := p.PartnerLock(ctx, there, there.FS.Prop(p.Tag.LockPID()).Local()); err != nil || busy != nil {
		if busy != nil {
			return &BusyError{BusyError: busy, Remote: there.Name, Prop: p.Tag.LockPID()}
		}
		return err
	}
	old, new := p.Here, there
	if hereIsNew {
		old, new = there, p.Here
	}
	old.Name, new.Name = in.Old.Host, in.New.Host
	// The new master's copy decides: synced means it has all the data.
	forward := false
	if c, ok := p.IntentOf(new.FS); ok && c.Epoch == in.Epoch {
		in, forward = c, c.Phase == zfsprops.PhaseSynced
	}
	if forward {
		if err := p.completeRoleChange(ctx, old, new, in); err != nil {
			return fmt.Errorf("completing the interrupted role change of %s to %s: %w", old, new, err)
		}
		p.warn("completed the interrupted role change of %s to %s (epoch %d): %s is master", old, new, in.Epoch, new)
		return errRecovered
	}
	if err := p.undoRoleChange(ctx, old, new, in); err != nil {
		return fmt.Errorf("undoing the interrupted role change of %s to %s: %w", old, new, err)
	}
	p.warn("undid the interrupted role change of %s to %s (epoch %d): %s is still master", old, new, in.Epoch, old)
	return errRecovered
}

// completeRoleChange redoes every step after the commit point; each is
// idempotent, so a crash in here is completed again by the next run.
func (e *Env) completeRoleChange(ctx context.Context, old, new Side, in zfsprops.RoleChangeIntent) error {
	steps := []func() error{
		func() error { return zfsprops.Set(ctx, old.Host, old.FS.Name, "readonly", "on") },
		func() error { return zfsprops.Inherit(ctx, old.Host, old.FS.Name, e.Tag.Master()) },
	}
	for _, s := range []struct {
		side             Side
		srcHost, dstHost string
	}{{old, in.New.Host, in.OldSelf}, {new, in.NewSelf, in.Old.Host}} {
		for _, kv := range e.PairingProps(new.FS.Name, s.srcHost, old.FS.Name, s.dstHost) {
			side, kv := s.side, kv
			steps = append(steps, func() error { return zfsprops.Set(ctx, side.Host, side.FS.Name, kv[0], kv[1]) })
		}
	}
	epoch := fmt.Sprint(in.Epoch)
	steps = append(steps,
		func() error { return zfsprops.Set(ctx, old.Host, old.FS.Name, e.Tag.Epoch(), epoch) },
		func() error { return zfsprops.Set(ctx, new.Host, new.FS.Name, e.Tag.Epoch(), epoch) },
		func() error { return zfsprops.Set(ctx, new.Host, new.FS.Name, e.Tag.Master(), "yes") },
		func() error { return e.MakeWritable(ctx, new) },
		func() error { return e.EndRoleChange(ctx, old, new) })
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// undoRoleChange puts the old master back: before the commit point the
// new side got nothing but data and its intent.
func (e *Env) undoRoleChange(ctx context.Context, old, new Side, in zfsprops.RoleChangeIntent) error {
	if err := zfsprops.Set(ctx, old.Host, old.FS.Name, e.Tag.Master(), "yes"); err != nil {
		return err
	}
	var err error
	if in.Readonly == "inherit" {
		err = zfsprops.Inherit(ctx, old.Host, old.FS.Name, "readonly")
	} else {
		err = zfsprops.Set(ctx, old.Host, old.FS.Name, "readonly", in.Readonly)
	}
	if err != nil {
		return err
	}
	return e.EndRoleChange(ctx, old, new)
}

// FencedError is a side that claims to be master while its epoch is
// older than its partner's: a returning old master after takeover -L.
type FencedError struct {
	Stale, Newer             Side
	StaleEpoch, NewerEpoch   uint64
	NewerIsMaster            bool
	Prop, FailoverL, SyncCmd string
}

func (e *FencedError) Error() string {
	return fmt.Sprintf("%s is a stale master: its %s is %d, %s's is %d (a newer role change happened there); nothing done",
		e.Stale, e.Prop, e.StaleEpoch, e.Newer, e.NewerEpoch)
}

// Hint names the command that demotes it.
func (e *FencedError) Hint() string {
	if e.NewerIsMaster {
		return fmt.Sprintf("on %s run: %s (it becomes the replica of %s), then on %s: %s", e.Stale.Name, e.FailoverL, e.Newer, e.Newer.Name, e.SyncCmd)
	}
	return fmt.Sprintf("on %s run: %s; or, if it is to stay master, there: zfs set %s=%d %q", e.Stale.Name, e.FailoverL, e.Prop, e.NewerEpoch, e.Stale.FS.Name)
}

// fence refuses a master whose epoch is older than its partner's, on
// either side; nil when the epochs do not tell them apart.
func (p *Pair) fence(here, there Side) error {
	he, te := p.EpochOf(here.FS), p.EpochOf(there.FS)
	stale, newer, se, ne := here, there, he, te
	if te < he {
		stale, newer, se, ne = there, here, te, he
	}
	if se == ne || !stale.FS.IsMaster(p.Tag) {
		return nil
	}
	return &FencedError{Stale: stale, Newer: newer, StaleEpoch: se, NewerEpoch: ne, NewerIsMaster: newer.FS.IsMaster(p.Tag),
		Prop: p.Tag.Epoch(), FailoverL: p.Zrep("failover -L %s", stale.FS.Name), SyncCmd: p.Zrep("sync %s", newer.FS.Name)}
}
