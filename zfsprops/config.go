package zfsprops

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/zrep-go/zrep/ssh"
)

// Config is a filesystem's pairing, read from its zrep properties.
type Config struct {
	SrcFS, SrcHost, DestFS, DestHost string
	SaveCount                        string // raw: validated where used
	Master                           bool
	// Recursive is TAG:recursive=yes (any source): the pair was made with -R.
	Recursive bool
}

// Config reads the pairing; src/dest/savecount from any source, master
// from the local value only.
func (f *Filesystem) Config(tag Tag) Config {
	return Config{
		SrcFS:     f.Prop(tag.SrcFS()).Any(),
		SrcHost:   f.Prop(tag.SrcHost()).Any(),
		DestFS:    f.Prop(tag.DestFS()).Any(),
		DestHost:  f.Prop(tag.DestHost()).Any(),
		SaveCount: f.Prop(tag.SaveCount()).Any(),
		Master:    f.IsMaster(tag),
		Recursive: f.Prop(tag.Recursive()).Any() == "yes",
	}
}

// PropError is a zrep property holding a value zrep cannot use: never
// skipped silently, it fails its pair with the fix.
type PropError struct {
	Host, FS, Prop, Value, Want, Fix string
}

func (e *PropError) Error() string {
	return fmt.Sprintf("%s on %s has a corrupt %s=%q (%s)", e.FS, e.Host, e.Prop, e.Value, e.Want)
}

// Hint is the fix.
func (e *PropError) Hint() string { return e.Fix }

// CheckConfig refuses zrep properties that hold garbage: a TAG:master
// that is neither yes nor unset, a savecount that is not a positive
// number, pair names zfs or ssh would refuse, a TAG:recursive other than
// yes. Unset values are for the callers to judge.
func (f *Filesystem) CheckConfig(tag Tag, host string) error {
	bad := func(prop, value, want, fix string, args ...any) error {
		return &PropError{Host: host, FS: f.Name, Prop: prop, Value: value, Want: want, Fix: fmt.Sprintf(fix, args...)}
	}
	if v := f.Prop(tag.Master()).Local(); v != "" && v != "yes" {
		return bad(tag.Master(), v, "want yes or unset",
			"on %s, if %s is the pair's master run: zfs set %s=yes %q; if it is the replica: zfs inherit %s %q",
			host, f.Name, tag.Master(), f.Name, tag.Master(), f.Name)
	}
	if v := f.Prop(tag.SaveCount()); v.Set() {
		if _, err := ParseSaveCount(v.Value); err != nil {
			return bad(tag.SaveCount(), v.Value, "want a positive number",
				"on %s run: zfs set %s=5 %q", host, tag.SaveCount(), f.Name)
		}
	}
	for _, p := range []struct{ prop, role string }{{tag.SrcFS(), "source"}, {tag.DestFS(), "destination"}} {
		if v := f.Prop(p.prop); v.Set() && ValidateFilesystem(v.Value) != nil {
			return bad(p.prop, v.Value, ValidateFilesystem(v.Value).Error(),
				"on %s run: zfs set %s=POOL/NAME %q with the pair's %s filesystem (or zrep changeconfig)", host, p.prop, f.Name, p.role)
		}
	}
	for _, p := range []struct{ prop, role string }{{tag.SrcHost(), "source"}, {tag.DestHost(), "destination"}} {
		if v := f.Prop(p.prop); v.Set() && ssh.ValidateHostName(v.Value) != nil {
			return bad(p.prop, v.Value, ssh.ValidateHostName(v.Value).Error(),
				"on %s run: zfs set %s=HOST %q with the pair's %s host (or zrep changeconfig)", host, p.prop, f.Name, p.role)
		}
	}
	if v := f.Prop(tag.Recursive()); v.Set() && v.Value != "yes" {
		return bad(tag.Recursive(), v.Value, "want yes or unset",
			"on %s, for a recursive pair run: zfs set %s=yes %q; else: zfs inherit %s %q", host, tag.Recursive(), f.Name, tag.Recursive(), f.Name)
	}
	if v := f.Prop(tag.RoleChange()).Local(); v != "" {
		if _, err := ParseRoleChange(v); err != nil {
			return bad(tag.RoleChange(), v, err.Error(),
				"see docs/reliability.md (Role changes) for what it records; once both sides are as they should be, on %s run: zfs inherit %s %q", host, tag.RoleChange(), f.Name)
		}
	}
	if v := f.Prop(tag.Epoch()).Local(); v != "" {
		if _, err := ParseEpoch(v); err != nil {
			return bad(tag.Epoch(), v, "want a number", "on %s run: zfs set %s=N %q with its partner's N", host, tag.Epoch(), f.Name)
		}
	}
	return nil
}

// ParseSaveCount accepts a positive integer; classic #113 showed that a
// missing value must stop expiry rather than destroy everything.
func ParseSaveCount(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("savecount %q is not a positive integer", v)
	}
	return n, nil
}

// HintError carries what the operator should do next; cmd prints it after
// the error on the same line.
type HintError struct {
	Err  error
	Hint string
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }

// WithHint attaches a next step to err.
func WithHint(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &HintError{Err: err, Hint: fmt.Sprintf(format, args...)}
}

// HintOf returns what to do about err: the fix an error that knows its
// exact cause carries itself (a Hint method: a missing permission, a full
// pool, a key not loaded, a stalled transfer), else the outermost hint in
// err's chain, or "".
func HintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		if hint := h.Hint(); hint != "" {
			return hint
		}
	}
	var he *HintError
	if errors.As(err, &he) {
		return he.Hint
	}
	return ""
}
