package sync

import "fmt"

// SplitBrainError is a pair where both sides claim to be master.
type SplitBrainError struct {
	Host, FS, PeerHost, PeerFS string
}

func (e *SplitBrainError) Error() string {
	return fmt.Sprintf("split brain: %s:%s and %s:%s are both master", e.Host, e.FS, e.PeerHost, e.PeerFS)
}

// NotMasterError is a sync asked of a filesystem we are not master of.
type NotMasterError struct {
	Host, FS string
	Op       string // what was refused; "sync" when empty
}

func (e *NotMasterError) Error() string {
	op := e.Op
	if op == "" {
		op = "sync"
	}
	return fmt.Sprintf("%s is not master on %s, cannot %s", e.FS, e.Host, op)
}

// SkippedError is a busy filesystem skipped under -q: not a failure.
type SkippedError struct{ FS string }

func (e *SkippedError) Error() string { return e.FS + " is busy, skipped (quiet mode)" }
