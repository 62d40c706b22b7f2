package failover

import (
	"context"
	"errors"
	"fmt"
	"strings"

	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// end is one side of a pair during a role change.
type end struct {
	zsync.Side
	self  string // its own host name: its TAG:src-host while it is master
	reach string // how the other side reaches it: the other's dest-host or src-host
}

// flip moves the master role from m to rep. Until rep's master flag is
// set, every failure undoes the steps taken, so m stays master; after it,
// what is left (readonly, mount) is reported with the commands to finish.
func (r *Roles) flip(ctx context.Context, m, rep *end, o Options) error {
	what := fmt.Sprintf("failover of %s to %s", m, rep)
	u := &undo{r: r}
	value, source := zsync.ReadonlyState(ctx, m.Side)
	// The intent first, on both sides: a crash from here on is completed
	// or undone by the next zrep on either host (sync/rolechange.go).
	ro := "inherit"
	if source == "local" && (value == "on" || value == "off") {
		ro = value
	}
	in := zfsprops.RoleChangeIntent{Epoch: max(r.EpochOf(m.FS), r.EpochOf(rep.FS)) + 1,
		Old: zfsprops.Endpoint{Host: m.reach, FS: m.FS.Name}, OldSelf: m.self,
		New: zfsprops.Endpoint{Host: rep.reach, FS: rep.FS.Name}, NewSelf: rep.self, Readonly: ro}
	if err := u.do(fmt.Sprintf("zfs inherit %s %q on %s and on %s", r.Tag.RoleChange(), m.FS.Name, m.Name, rep.Name), func(ctx context.Context) error {
		return r.EndRoleChange(ctx, m.Side, rep.Side)
	}, func() error { return r.BeginRoleChange(ctx, m.Side, rep.Side, in) }); err != nil {
		return u.fail(ctx, what, m, err)
	}
	fmt.Fprintf(r.Out, "Setting readonly on %s, then syncing\n", m)
	if value != "on" || source != "local" {
		// Back to what it was: an explicit local off stays explicit.
		restore := fmt.Sprintf("zfs inherit readonly %q on %s", m.FS.Name, m.Name)
		undoRO := func(ctx context.Context) error { return zfsprops.Inherit(ctx, m.Host, m.FS.Name, "readonly") }
		if source == "local" {
			restore = fmt.Sprintf("zfs set readonly=%s %q on %s", value, m.FS.Name, m.Name)
			undoRO = func(ctx context.Context) error { return zfsprops.Set(ctx, m.Host, m.FS.Name, "readonly", value) }
		}
		if err := u.do(restore, undoRO, func() error { return zfsprops.Set(ctx, m.Host, m.FS.Name, "readonly", "on") }); err != nil {
			return u.fail(ctx, what, m, err)
		}
	}
	r.CrashPoint("readonly")
	// Off first: no cron run on either side syncs the pair from here on.
	// Each undo is registered before its step: a step that fails may
	// still have happened (the connection died after the command ran).
	if err := u.do(fmt.Sprintf("zfs set %s=yes %q on %s", r.Tag.Master(), m.FS.Name, m.Name), func(ctx context.Context) error {
		return zfsprops.Set(ctx, m.Host, m.FS.Name, r.Tag.Master(), "yes")
	}, func() error { return zfsprops.Inherit(ctx, m.Host, m.FS.Name, r.Tag.Master()) }); err != nil {
		return u.fail(ctx, what, m, err)
	}
	r.CrashPoint("master-off")
	if m.Host != r.Local {
		// Not ours to flock: a sync that started there before the flag went
		// shows in its lock-pid.
		if err := r.notBusy(ctx, m); err != nil {
			return u.fail(ctx, what, m, err)
		}
	}
	if o.Snap == "" {
		verb := "failover"
		if rep.Host == r.Local {
			verb = "takeover"
		}
		retry := r.Zrep("%s --force-empty %s", verb, o.FS)
		if _, err := r.Replicate(ctx, m.Side, rep.Side, zsync.Step{Force: o.RecvForce, Retry: retry}); err != nil {
			return u.fail(ctx, what, m, err)
		}
	} else if err := r.rollbackBoth(ctx, m, rep, o); err != nil {
		return u.fail(ctx, what, m, err)
	}
	r.CrashPoint("replicated")
	// The commit point: from here a crash is completed, not undone. Undone
	// on failure before anything else, or nothing is: the old master must
	// not take the flag back while the intent says to go forward.
	u.barrier(fmt.Sprintf("zfs set %s=%q %q on %s", r.Tag.RoleChange(), in.Copy(true).String(), rep.FS.Name, rep.Name), func(ctx context.Context) error {
		return r.MarkSynced(ctx, rep.Side, in, zfsprops.PhaseBegun)
	})
	if err := r.MarkSynced(ctx, rep.Side, in, zfsprops.PhaseSynced); err != nil {
		return u.fail(ctx, what, m, err)
	}
	r.CrashPoint("synced")
	fmt.Fprintf(r.Out, "Reversing master properties for %s\n", m)
	if err := r.setConfig(ctx, u, m, rep.FS.Name, rep.reach, m.FS.Name, m.self); err != nil {
		return u.fail(ctx, what, m, err)
	}
	r.CrashPoint("config-old")
	fmt.Fprintf(r.Out, "Setting master on %s\n", rep)
	if err := r.setConfig(ctx, u, rep, rep.FS.Name, rep.self, m.FS.Name, m.reach); err != nil {
		return u.fail(ctx, what, m, err)
	}
	r.CrashPoint("config-new")
	for _, e := range []*end{m, rep} {
		if err := r.setProp(ctx, u, e, r.Tag.Epoch(), fmt.Sprint(in.Epoch)); err != nil {
			return u.fail(ctx, what, m, err)
		}
	}
	r.CrashPoint("epoch")
	if err := u.do(fmt.Sprintf("zfs inherit %s %q on %s", r.Tag.Master(), rep.FS.Name, rep.Name), func(ctx context.Context) error {
		return zfsprops.Inherit(ctx, rep.Host, rep.FS.Name, r.Tag.Master())
	}, func() error { return zfsprops.Set(ctx, rep.Host, rep.FS.Name, r.Tag.Master(), "yes") }); err != nil {
		return u.fail(ctx, what, m, err)
	}
	r.CrashPoint("master-on")
	if err := r.MakeWritable(ctx, rep.Side); err != nil {
		return err // the intent stays: the next zrep finishes this too
	}
	r.CrashPoint("writable")
	if err := r.EndRoleChange(ctx, m.Side, rep.Side); err != nil {
		fmt.Fprintf(r.Err, "Warning: %s is master, but its %s could not be cleared (the next zrep clears it): %v\n", rep, r.Tag.RoleChange(), err)
	}
	return nil
}

// setConfig writes the four pairing properties on one end, remembering
// how to put the old values back.
func (r *Roles) setConfig(ctx context.Context, u *undo, e *end, srcFS, srcHost, destFS, destHost string) error {
	for _, p := range r.PairingProps(srcFS, srcHost, destFS, destHost) {
		if err := r.setProp(ctx, u, e, p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}

// setProp sets one property on one end, remembering how to put the old
// value back (a local one; a received or no value by inheriting).
func (r *Roles) setProp(ctx context.Context, u *undo, e *end, prop, value string) error {
	old := e.FS.Prop(prop)
	manual := fmt.Sprintf("zfs set %q %q on %s", prop+"="+old.Value, e.FS.Name, e.Name)
	if !old.Set() {
		manual = fmt.Sprintf("zfs inherit %s %q on %s", prop, e.FS.Name, e.Name)
	}
	undoFn := func(ctx context.Context) error {
		if !old.Set() {
			return zfsprops.Inherit(ctx, e.Host, e.FS.Name, prop)
		}
		return zfsprops.Set(ctx, e.Host, e.FS.Name, prop, old.Value)
	}
	return u.do(manual, undoFn, func() error { return zfsprops.Set(ctx, e.Host, e.FS.Name, prop, value) })
}

// notBusy refuses a partner filesystem that a zrep there holds.
func (r *Roles) notBusy(ctx context.Context, e *end) error {
	out, err := zfsprops.Run(ctx, e.Host, zfsprops.LocalValueArgv(r.Tag.LockPID(), e.FS.Name))
	if err != nil {
		return err
	}
	return r.busy(ctx, e, strings.TrimSpace(string(out)))
}

// busy is the error for a partner filesystem whose lock-pid is pid, nil
// when there is none or when it is stale (no zrep runs as that process
// there): then it is cleared, with a warning.
func (r *Roles) busy(ctx context.Context, e *end, pid string) error {
	busy, err := r.PartnerLock(ctx, e.Side, pid)
	if err != nil || busy == nil {
		return err
	}
	return &zsync.BusyError{BusyError: busy, Remote: e.Name, Prop: r.Tag.LockPID()}
}

// undo remembers how to reverse the steps of a role change.
type undo struct {
	r     *Roles
	steps []undoStep
}

type undoStep struct {
	manual  string // the same as a command, for the operator when it fails
	fn      func(context.Context) error
	barrier bool // when it fails, nothing older is undone
}

// barrier adds an undo step that must succeed before any older one runs.
func (u *undo) barrier(manual string, fn func(context.Context) error) {
	u.steps = append(u.steps, undoStep{manual, fn, true})
}

func (u *undo) add(manual string, fn func(context.Context) error) {
	u.steps = append(u.steps, undoStep{manual: manual, fn: fn})
}

// do runs one step with its undo registered first: a step that fails may
// still have happened (the connection died after the command ran), unless
// zfs itself refused it, which leaves nothing to undo.
func (u *undo) do(manual string, undoFn func(context.Context) error, step func() error) error {
	u.add(manual, undoFn)
	err := step()
	if refused(err) {
		u.steps = u.steps[:len(u.steps)-1]
	}
	return err
}

// refused is a zfs command that ran and failed, changing nothing (a
// property set whose remount failed did change it).
func refused(err error) bool {
	var ze *zfsprops.Error
	var ne *zfsprops.NotExistError
	return errors.As(err, &ne) || errors.As(err, &ze) && ze.Kind != zfsprops.KindRemount
}

// run reverses what was done, newest first, and returns the steps that
// failed, as commands for the operator.
func (u *undo) run(ctx context.Context) []string {
	ctx = context.WithoutCancel(ctx)
	var left []string
	for i := len(u.steps) - 1; i >= 0; i-- {
		if err := u.steps[i].fn(ctx); err != nil {
			left = append(left, u.steps[i].manual)
			if u.steps[i].barrier {
				for j := i - 1; j >= 0; j-- {
					left = append(left, u.steps[j].manual)
				}
				break
			}
		}
	}
	u.steps = nil
	return left
}

// fail reverses what was done and says in which state the pair is.
func (u *undo) fail(ctx context.Context, what string, m *end, cause error) error {
	left := u.run(ctx)
	err := fmt.Errorf("%s failed, changes undone, %s is still master: %w", what, m, cause)
	if len(left) > 0 {
		err = fmt.Errorf("%s failed and could not be fully undone: %w", what, cause)
		return zfsprops.WithHint(err, "to keep %s master, run by hand: %s", m, strings.Join(left, "; "))
	}
	if errors.Is(cause, context.Canceled) {
		return err
	}
	if h := zfsprops.HintOf(cause); h != "" {
		return zfsprops.WithHint(err, "%s", h)
	}
	return zfsprops.WithHint(err, "fix the cause and run it again")
}
