package zfsprops

import (
	"errors"
	"fmt"
	"strconv"
)

// Config is a filesystem's pairing, read from its zrep properties.
type Config struct {
	SrcFS, SrcHost, DestFS, DestHost string
	SaveCount                        string // raw: validated where used
	Master                           bool
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
	}
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
