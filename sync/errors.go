package sync

import (
	"errors"
	"fmt"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// The errors of the guarded pair operation (pair.go): one type per
// condition, each with its one fix as Hint(), never in the message.
// Commands suggested there are spelled by Env.Zrep (Cmd below is its
// result for the refused command), so they carry -t and -R.

// NoSuchFSError is a filesystem named on the command line that does not
// exist here.
type NoSuchFSError struct{ *zfsprops.NotExistError }

func (e *NoSuchFSError) Unwrap() error { return e.NotExistError }

// Hint says where to look.
func (e *NoSuchFSError) Hint() string {
	return "check the name with zfs list (zrep list shows the pairs)"
}

// NotPairedError is a filesystem with no pairing for this tag.
type NotPairedError struct {
	Host, FS string
	Verb     string // what could not be done ("snapshot it"), or ""
	Fix      string // the command that pairs it
}

func (e *NotPairedError) Error() string {
	msg := fmt.Sprintf("%s on %s is not initialised for zrep", e.FS, e.Host)
	if e.Verb != "" {
		msg += ", cannot " + e.Verb
	}
	return msg
}

// Hint names the command that pairs it.
func (e *NotPairedError) Hint() string { return e.Fix }

// NotMasterError is a command for the master run on a replica.
type NotMasterError struct {
	Host, FS       string
	Op             string // what was refused; "sync" when empty
	SrcHost, SrcFS string // where the master is, as the replica says
	Fix            string // what to run instead
}

func (e *NotMasterError) Error() string {
	op := e.Op
	if op == "" {
		op = "sync"
	}
	return fmt.Sprintf("%s is not master on %s, cannot %s", e.FS, e.Host, op)
}

// Hint says where the master is and what to run.
func (e *NotMasterError) Hint() string { return e.Fix }

// ForeignMasterError is a master (or sentsync's source) whose
// TAG:src-host names another host: the same pool seen from another zone
// or host must not be driven from both.
type ForeignMasterError struct {
	Host, FS, Owner, Prop, Verb string
	Master                      bool // TAG:master is set
	Fix                         string
}

func (e *ForeignMasterError) Error() string {
	if !e.Master {
		return fmt.Sprintf("%s names %s as its source host (%s), not %s; cannot %s", e.FS, e.Owner, e.Prop, e.Host, e.Verb)
	}
	return fmt.Sprintf("%s is master, but of host %q, not %s; cannot %s", e.FS, e.Owner, e.Host, e.Verb)
}

// Hint names the host to run on.
func (e *ForeignMasterError) Hint() string { return e.Fix }

// AlreadyMasterError is a command for a replica run on the master.
type AlreadyMasterError struct {
	Host, FS, Verb, Fix string
}

func (e *AlreadyMasterError) Error() string {
	return fmt.Sprintf("%s is already master on %s, cannot %s", e.FS, e.Host, e.Verb)
}

// Hint says what to run instead.
func (e *AlreadyMasterError) Hint() string { return e.Fix }

// HalfPairError is a pairing with one partner property removed by hand.
type HalfPairError struct {
	Host, FS, Snap, Prop, Fix string
}

func (e *HalfPairError) Error() string {
	return fmt.Sprintf("%s on %s is paired by zrep (it has %s) but %s is missing", e.FS, e.Host, e.Snap, e.Prop)
}

// Hint names the zfs set that restores it.
func (e *HalfPairError) Hint() string { return e.Fix }

// PartnerNameError is a pairing whose partner host or filesystem is unset.
type PartnerNameError struct {
	Host, FS, Prop, Fix string
	Why                 string // what is known of the side instead; "" for "its partner is unknown"
}

func (e *PartnerNameError) Error() string {
	if e.Why != "" {
		return fmt.Sprintf("%s on %s has no %s (%s)", e.FS, e.Host, e.Prop, e.Why)
	}
	return fmt.Sprintf("%s on %s has no %s: its partner is unknown", e.FS, e.Host, e.Prop)
}

// Hint names the command that sets it.
func (e *PartnerNameError) Hint() string { return e.Fix }

// PartnerDownError is a partner that could not be reached; nothing was
// changed on either side.
type PartnerDownError struct {
	What  string // "sending to hostb:pool/fs"
	Host  string
	Alone string // the command that proceeds without the partner, or ""
	Err   error
}

func (e *PartnerDownError) Error() string { return fmt.Sprintf("%s: %v", e.What, e.Err) }
func (e *PartnerDownError) Unwrap() error { return e.Err }

// Hint says what to check, or what the transport already said to do.
func (e *PartnerDownError) Hint() string {
	var ke *ssh.HostKeyError
	if errors.As(e.Err, &ke) {
		return zfsprops.HintOf(e.Err)
	}
	h := fmt.Sprintf("check that %s is up and that `ssh %s zfs list` works without a prompt", e.Host, e.Host)
	if e.Alone != "" {
		h += fmt.Sprintf("; if %s is down, go on without it: %s", e.Host, e.Alone)
	}
	return h
}

// PartnerMissingError is a partner filesystem that does not exist.
type PartnerMissingError struct {
	Role, Host, FS, Of string // Role: "destination" or "source"
	Fix                string
}

func (e *PartnerMissingError) Error() string {
	return fmt.Sprintf("%s %s:%s of %s does not exist", e.Role, e.Host, e.FS, e.Of)
}

// Hint says how to repair or restart the pairing.
func (e *PartnerMissingError) Hint() string { return e.Fix }

// MispairedError is a partner that names another filesystem as its pair.
type MispairedError struct {
	Host, FS, Names, Want string
}

func (e *MispairedError) Error() string {
	return fmt.Sprintf("%s:%s is paired with %s, not with %s", e.Host, e.FS, e.Names, e.Want)
}

// Hint says how to look at both sides.
func (e *MispairedError) Hint() string {
	return "check the pairing with zrep list -v on both hosts (zrep changeconfig fixes it), or use the tag (-t) of this pair"
}

// SplitBrainError is a pair where both sides claim to be master.
type SplitBrainError struct {
	Host, FS, PeerHost, PeerFS string
	Cmd                        string // failover -L of the partner, as the operator types it
	Master                     string // TAG:master
}

func (e *SplitBrainError) Error() string {
	return fmt.Sprintf("split brain: %s:%s and %s:%s are both master", e.Host, e.FS, e.PeerHost, e.PeerFS)
}

// Hint says how to pick the side that stays master.
func (e *SplitBrainError) Hint() string {
	return fmt.Sprintf("decide which side's data to keep; on the other side run %s (or zfs inherit %s there)", e.Cmd, e.Master)
}

// PartnerNotMasterError is a replica whose named master is not master: the
// roles moved, and pulling from it would fork the data.
type PartnerNotMasterError struct {
	Host, FS, PeerHost, PeerFS, Verb, Alone string
}

func (e *PartnerNotMasterError) Error() string {
	return fmt.Sprintf("%s:%s is not master, cannot %s from it into %s", e.PeerHost, e.PeerFS, e.Verb, e.FS)
}

// Hint says where to look, and how to force this side.
func (e *PartnerNotMasterError) Hint() string {
	return "zrep status -v on both hosts shows where the master is now; " + e.Alone + " makes this side master"
}

// BusyError is a pair another zrep holds: here (the flock, or a classic
// zrep's TAG:lock-pid) or on the partner (its TAG:lock-pid).
type BusyError struct {
	*lock.BusyError
	Remote string // host of a partner's lock, "" for ours
	Prop   string // TAG:lock-pid
	Quiet  bool   // the command takes -q
}

func (e *BusyError) Unwrap() error { return e.BusyError }

func (e *BusyError) Error() string {
	if e.Remote == "" {
		return e.BusyError.Error()
	}
	return fmt.Sprintf("%s is busy (a zrep there holds it: %s %d)", e.Dataset, e.Prop, e.PID)
}

// Hint says to wait, or to skip.
func (e *BusyError) Hint() string {
	h := "wait for the other run"
	if e.Remote != "" && e.PID > 0 {
		h += fmt.Sprintf(" (ps -p %d on %s shows it)", e.PID, e.Remote)
	}
	if e.Quiet {
		h += ", or pass -q SECS to skip busy filesystems"
	}
	return h
}

// SkippedError is a busy filesystem skipped under -q: not a failure.
type SkippedError struct{ FS string }

func (e *SkippedError) Error() string { return e.FS + " is busy, skipped (quiet mode)" }

// QuietError is a busy filesystem that -q may not skip: it was never
// synced, or not within the limit.
type QuietError struct {
	*BusyError
	Why string
}

func (e *QuietError) Unwrap() error { return e.BusyError }

// Hint says why it was not skipped.
func (e *QuietError) Hint() string { return e.Why }
