package zfsprops

import (
	"fmt"
	"strconv"
	"strings"
)

// RoleChange is ours (classic ignores it): the TAG:role-change property a
// failover or takeover writes on both sides before its first change and
// clears after its last, so that the next zrep after a crash can finish
// or undo it. Its value is words of key=value:
//
//	epoch=4 old=hosta:pool/fs old-self=hosta new=hostb:pool/fs new-self=hostb here=old phase=begun readonly=inherit
//
// old and new name the old and the new master as the other side reaches
// each (the pair's dest-host/src-host values); old-self and new-self are
// their own names (what each stores in src-host while it is master); here
// says which of the two carries this copy; phase is begun until the new
// master has all the data (synced, written on the new master only: its
// copy decides); readonly is what the old master's readonly was
// (inherit, on, off), restored when the change is rolled back.
func (t Tag) RoleChange() string { return string(t) + ":role-change" }

// Epoch is ours: the pair's generation, bumped by every role change and
// set on both sides by a planned one, on the new master alone by takeover
// -L. A master whose epoch is older than its partner's is a returning old
// master and is never treated as master.
func (t Tag) Epoch() string { return string(t) + ":epoch" }

// Phase is how far a role change got.
type Phase string

const (
	PhaseBegun  Phase = "begun"  // intent written; undone when found after a crash
	PhaseSynced Phase = "synced" // the new master has all the data; completed when found
)

// Endpoint is one side of a pair as the other reaches it.
type Endpoint struct{ Host, FS string }

func (p Endpoint) String() string { return p.Host + ":" + p.FS }

// value is HOST:FS with spaces in FS as %20 (ZFS names hold no %), so
// that the property value splits on spaces.
func (p Endpoint) value() string { return p.Host + ":" + strings.ReplaceAll(p.FS, " ", "%20") }

// RoleChangeIntent is a parsed TAG:role-change value.
type RoleChangeIntent struct {
	Epoch            uint64
	Old, New         Endpoint
	OldSelf, NewSelf string
	HereIsNew        bool
	Phase            Phase
	Readonly         string // the old master's: inherit, on or off
}

// String formats the value; ParseRoleChange reads it back.
func (r RoleChangeIntent) String() string {
	here := "old"
	if r.HereIsNew {
		here = "new"
	}
	return fmt.Sprintf("epoch=%d old=%s old-self=%s new=%s new-self=%s here=%s phase=%s readonly=%s",
		r.Epoch, r.Old.value(), r.OldSelf, r.New.value(), r.NewSelf, here, r.Phase, r.Readonly)
}

// Copy is the intent as the side here (new or old) carries it.
func (r RoleChangeIntent) Copy(hereIsNew bool) RoleChangeIntent {
	r.HereIsNew = hereIsNew
	return r
}

// ParseRoleChange reads a TAG:role-change value, refusing anything that
// is not exactly what String writes: a half-understood intent must not
// drive a role change.
func ParseRoleChange(v string) (RoleChangeIntent, error) {
	var r RoleChangeIntent
	seen := map[string]bool{}
	for _, w := range strings.Fields(v) {
		k, val, ok := strings.Cut(w, "=")
		if !ok || val == "" || seen[k] {
			return r, fmt.Errorf("%q is not key=value once", w)
		}
		seen[k] = true
		var err error
		switch k {
		case "epoch":
			r.Epoch, err = strconv.ParseUint(val, 10, 64)
		case "old", "new":
			host, fs, _ := strings.Cut(val, ":")
			fs = strings.ReplaceAll(fs, "%20", " ")
			if host == "" || ValidateFilesystem(fs) != nil {
				err = fmt.Errorf("want HOST:FS")
			}
			if k == "old" {
				r.Old = Endpoint{host, fs}
			} else {
				r.New = Endpoint{host, fs}
			}
		case "old-self":
			r.OldSelf = val
		case "new-self":
			r.NewSelf = val
		case "here":
			if val != "old" && val != "new" {
				err = fmt.Errorf("want old or new")
			}
			r.HereIsNew = val == "new"
		case "phase":
			r.Phase = Phase(val)
			if r.Phase != PhaseBegun && r.Phase != PhaseSynced {
				err = fmt.Errorf("want begun or synced")
			}
		case "readonly":
			r.Readonly = val
			if val != "inherit" && val != "on" && val != "off" {
				err = fmt.Errorf("want inherit, on or off")
			}
		default:
			err = fmt.Errorf("unknown key")
		}
		if err != nil {
			return r, fmt.Errorf("%q: %v", w, err)
		}
	}
	for _, k := range []string{"epoch", "old", "old-self", "new", "new-self", "here", "phase", "readonly"} {
		if !seen[k] {
			return r, fmt.Errorf("no %s=", k)
		}
	}
	return r, nil
}

// ParseEpoch reads a TAG:epoch value; unset is 0 (a pair made before
// epochs, or by classic zrep).
func ParseEpoch(v string) (uint64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("epoch %q is not a number", v)
	}
	return n, nil
}
