// Package zfsprops models zrep's view of ZFS: datasets, snapshots, the
// zrep:* user properties and where their values came from. It parses the
// output of `zfs get -H -p` and builds the few batched queries zrep makes.
package zfsprops

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// DefaultTag is the property and snapshot prefix when none is given.
const DefaultTag = "zrep"

// Tag is the property/snapshot prefix (classic -t / ZREPTAG).
type Tag string

// Property names, as classic §3 spells them.
func (t Tag) Master() string       { return string(t) + ":master" }
func (t Tag) SrcFS() string        { return string(t) + ":src-fs" }
func (t Tag) SrcHost() string      { return string(t) + ":src-host" }
func (t Tag) DestFS() string       { return string(t) + ":dest-fs" }
func (t Tag) DestHost() string     { return string(t) + ":dest-host" }
func (t Tag) SaveCount() string    { return string(t) + ":savecount" }
func (t Tag) LockPID() string      { return string(t) + ":lock-pid" }
func (t Tag) LockTime() string     { return string(t) + ":lock-time" }
func (t Tag) Sent() string         { return string(t) + ":sent" }
func (t Tag) LastSent() string     { return string(t) + ":lastsent" }
func (t Tag) LastSentTime() string { return string(t) + ":lastsenttime" }

// Recursive is ours (classic has no such property): "yes" on both sides
// of a pair made with -R, so every later command is recursive without -R.
func (t Tag) Recursive() string { return string(t) + ":recursive" }

// HoldTag is the user hold zrep puts on a pair's sync point, on both
// sides, so that no pruning tool can break the incremental chain.
func (t Tag) HoldTag() string { return string(t) + ":syncpoint" }

// LastError, LastAttempt and Failures are ours (classic ignores them): a
// failed sync or refresh records its one-line message and epoch on the
// local dataset, cleared by the next success, and counts itself in
// Failures, which only zrep clear resets (docs/monitoring.md).
func (t Tag) LastError() string   { return string(t) + ":last-error" }
func (t Tag) LastAttempt() string { return string(t) + ":last-attempt" }
func (t Tag) Failures() string    { return string(t) + ":failures" }

// FilesystemProps are the per-filesystem properties zrep reads in its
// batched query; Sent is included because the same query returns snapshots.
func (t Tag) FilesystemProps() []string {
	return []string{t.Master(), t.SrcFS(), t.SrcHost(), t.DestFS(), t.DestHost(),
		t.SaveCount(), t.LockPID(), t.LockTime(), t.Sent(), t.LastSent(), t.Recursive(),
		t.LastError(), t.LastAttempt(), t.Failures(), t.RoleChange(), t.Epoch()}
}

// IsPrefixOf reports whether prop belongs to this tag ("zrep:..." for "zrep").
func (t Tag) IsPrefixOf(prop string) bool { return strings.HasPrefix(prop, string(t)+":") }

var tagRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// ValidateTag checks that a tag can prefix both a user property and a
// snapshot name. ZFS user property names take only lowercase letters,
// digits and ":-._", and ':' separates the tag from the property.
func ValidateTag(tag string) error {
	if tag != strings.ToLower(tag) {
		return fmt.Errorf("invalid tag %q: ZFS user property names cannot contain uppercase letters; use %q", tag, strings.ToLower(tag))
	}
	if !tagRE.MatchString(tag) {
		return fmt.Errorf("invalid tag %q: use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit", tag)
	}
	return nil
}

// SnapName is TAG_NNNNNN for a serial.
func (t Tag) SnapName(serial uint64) string { return fmt.Sprintf("%s_%06x", t, serial) }

// ParseSerial returns the serial of a zrep snapshot name (the part after
// '@', or a bare short name); ok is false for snapshots zrep did not make.
// "_unsent" names count: they consumed their serial.
func (t Tag) ParseSerial(short string) (serial uint64, unsent, ok bool) {
	if i := strings.IndexByte(short, '@'); i >= 0 {
		short = short[i+1:]
	}
	rest, found := strings.CutPrefix(short, string(t)+"_")
	if !found {
		return 0, false, false
	}
	rest, unsent = strings.CutSuffix(rest, "_unsent")
	if len(rest) < 6 || !isLowerHex(rest) {
		return 0, false, false
	}
	n, err := strconv.ParseUint(rest, 16, 64)
	if err != nil {
		return 0, false, false
	}
	return n, unsent, true
}

func isLowerHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
