package zfsprops

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/zrep-go/zrep/ssh"
)

// Kind is what a failed zfs command means, read from its stderr here and
// nowhere else. The patterns are pinned by fixtures captured from zfs-fuse
// and OpenZFS (testdata/, errors_test.go).
type Kind int

const (
	KindOther       Kind = iota
	KindNotExist         // the dataset does not exist
	KindBusy             // in use, or held (a held snapshot cannot be destroyed)
	KindModified         // receiver modified since its newest snapshot
	KindMismatch         // receiver's newest snapshot is not the incremental source
	KindNoSpace          // out of space
	KindPermission       // a delegated permission is missing
	KindUnsupported      // this zfs has no such option or command
	KindExists           // the destination exists
	KindKeyNeeded        // an encrypted dataset whose key is not loaded
	KindRemount          // a property was set, but the remount it needs failed
)

var kindNames = [...]string{"other", "does not exist", "busy", "modified", "mismatch", "out of space",
	"permission denied", "unsupported", "exists", "key not loaded", "remount failed"}

func (k Kind) String() string { return kindNames[k] }

var kindPatterns = []struct {
	kind Kind
	re   *regexp.Regexp
}{
	// First: its text also says why the mount failed.
	{KindRemount, regexp.MustCompile(`property may be set but unable to remount`)},
	{KindNotExist, regexp.MustCompile(`dataset does not exist|could not find any snapshots to destroy|no such pool|bookmark '[^']*' does not exist`)},
	{KindBusy, regexp.MustCompile(`dataset is busy|being held|pool or dataset is busy`)},
	{KindModified, regexp.MustCompile(`has been modified\s+since most recent snapshot`)},
	{KindMismatch, regexp.MustCompile(`does not\s+match incremental source|most recent snapshot of \S+ does not`)},
	{KindNoSpace, regexp.MustCompile(`out of space|No space left on device`)},
	{KindPermission, regexp.MustCompile(`permission denied|Operation not permitted|must be root`)},
	{KindUnsupported, regexp.MustCompile(`invalid option|unrecognized command|invalid property|unsupported version|bad property list|too many arguments`)},
	{KindExists, regexp.MustCompile(`destination '[^']*' exists|dataset already exists|already exists`)},
	{KindKeyNeeded, regexp.MustCompile(`key must be loaded|encryption key not loaded|keystatus`)},
}

// Classify reads a zfs stderr text.
func Classify(stderr string) Kind {
	for _, p := range kindPatterns {
		if p.re.MatchString(stderr) {
			return p.kind
		}
	}
	return KindOther
}

// Error is a zfs command that failed, with what its stderr means.
// It wraps the *ssh.ExitError and reads as it does.
type Error struct {
	*ssh.ExitError
	Kind Kind
}

func (e *Error) Unwrap() error { return e.ExitError }

// Permission is the `zfs allow` permission the failed command needed, as
// far as its argv tells; "" when it is not a permission error.
func (e *Error) Permission() string {
	if e.Kind != KindPermission || len(e.Argv) < 2 {
		return ""
	}
	// What zfs says it could not do comes first: zfs send -I takes holds,
	// a receive sets properties.
	if m := cannotRE.FindStringSubmatch(e.Stderr); m != nil {
		return m[1] + m[2]
	}
	switch sub := e.Argv[1]; sub {
	case "recv", "receive":
		return "receive,create,mount"
	case "set", "inherit":
		for _, a := range e.Argv[2:] {
			if prop, _, _ := strings.Cut(a, "="); strings.Contains(prop, ":") {
				return "userprop"
			} else if !strings.HasPrefix(a, "-") {
				return prop
			}
		}
		return "userprop"
	case "destroy", "rollback", "rename":
		return sub + ",mount"
	case "get", "list":
		return ""
	default:
		return sub
	}
}

// Hint is the fix for the failures whose cause zfs names exactly, "" for
// the others.
func (e *Error) Hint() string {
	target := e.Argv[len(e.Argv)-1]
	ds, _, _ := strings.Cut(strings.Split(target, "#")[0], "@")
	pool, _, _ := strings.Cut(ds, "/")
	switch e.Kind {
	case KindPermission:
		perm, on := e.Permission(), ds
		if e.Argv[1] == "recv" || e.Argv[1] == "receive" {
			on = ds[:max(strings.LastIndex(ds, "/"), 0)] // created below its parent
			if on == "" {
				on = ds
			}
		}
		if perm == "" {
			return fmt.Sprintf("zrep's user on %s lacks a permission there: see README, Running as a non-root user", e.Host)
		}
		return fmt.Sprintf("grant it on %s: zfs allow -u USER %s %s (USER: the account zrep runs as there; README, Running as a non-root user)", e.Host, perm, on)
	case KindNoSpace:
		return fmt.Sprintf("free space in pool %s on %s, then run zrep again", pool, e.Host)
	case KindKeyNeeded:
		return fmt.Sprintf("load its key on %s: zfs load-key %s (add -L file:///PATH or -L prompt if its keylocation is not there), then zfs mount %s", e.Host, ds, ds)
	}
	return ""
}

// cannotRE finds a permission in what zfs says it could not do.
var cannotRE = regexp.MustCompile(`cannot (hold|release|bookmark)\b|cannot receive (\S+) property`)

// KindOf is err's Kind (KindNotExist for *NotExistError), KindOther when
// err is no zfs failure.
func KindOf(err error) Kind {
	var ne *NotExistError
	var ze *Error
	switch {
	case errors.As(err, &ne):
		return KindNotExist
	case errors.As(err, &ze):
		return ze.Kind
	}
	return KindOther
}

var noSuchHoldRE = regexp.MustCompile(`no such tag on this dataset`)

// IsNoSuchHold is a release of a hold the snapshot does not carry.
func IsNoSuchHold(err error) bool {
	var ze *Error
	return errors.As(err, &ze) && noSuchHoldRE.MatchString(ze.Stderr)
}

// NotExistError is a dataset that zfs says does not exist.
type NotExistError struct {
	Host, Name string
}

func (e *NotExistError) Error() string {
	return fmt.Sprintf("%s does not exist on %s", e.Name, e.Host)
}

var notExistRE = regexp.MustCompile(`cannot open '([^']*)': dataset does not exist`)

// classify turns a failed zfs command into *NotExistError (when zfs names
// the dataset) or *Error; other errors (transport, cancel) pass through.
func classify(err error) error {
	var xe *ssh.ExitError
	if !errors.As(err, &xe) || len(xe.Argv) == 0 || (xe.Argv[0] != "zfs" && xe.Argv[0] != "zpool") {
		return err
	}
	if m := notExistRE.FindStringSubmatch(xe.Stderr); m != nil {
		return &NotExistError{Host: xe.Host, Name: m[1]}
	}
	return &Error{ExitError: xe, Kind: Classify(xe.Stderr)}
}

// Explain classifies the failure of a zfs command run some other way (a
// streaming send or receive).
func Explain(err error) error { return classify(err) }

// Run runs a zfs argv built here on h and classifies its failure.
func Run(ctx context.Context, h ssh.Host, argv []string) ([]byte, error) {
	out, err := h.Run(ctx, argv, nil)
	return out, classify(err)
}

// ReadValue reads one property value (trimmed) of name on h.
func ReadValue(ctx context.Context, h ssh.Host, prop, name string, parsable bool) (string, error) {
	out, err := Run(ctx, h, ValueArgv(prop, name, parsable))
	return strings.TrimSpace(string(out)), err
}
