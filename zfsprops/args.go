package zfsprops

import "sort"

// Every zfs command line zrep runs is built here, by pure functions with
// table tests (args_test.go): the rest of zrep never spells a zfs argv.

// SendArgs shapes one `zfs send`.
type SendArgs struct {
	From         string   // incremental source: FS@SNAP or FS#BOOKMARK; "" for a full stream
	To           string   // the snapshot to send
	Intermediate bool     // -I (every snapshot between From and To) rather than -i
	Recursive    bool     // -R
	Raw          bool     // -w: encrypted blocks as they are on disk
	Props        bool     // -p
	Verbose      bool     // -v
	DryRun       bool     // -n (with -P: the size estimate)
	Parsable     bool     // -P
	ResumeToken  string   // -t TOKEN: the rest of an interrupted stream; From/To unused
	Extra        []string // ZREP_SEND_FLAGS / ZREP_RESUME_FLAGS, as the user gave them
}

// Argv builds the command line.
func (a SendArgs) Argv() []string {
	argv := []string{"zfs", "send"}
	if a.DryRun {
		argv = append(argv, "-n")
	}
	if a.Parsable {
		argv = append(argv, "-P")
	}
	if a.Verbose {
		argv = append(argv, "-v")
	}
	if a.ResumeToken != "" {
		return append(append(argv, a.Extra...), "-t", a.ResumeToken)
	}
	if a.Recursive {
		argv = append(argv, "-R")
	}
	if a.Raw && !hasWord(a.Extra, "-w", "--raw") {
		argv = append(argv, "-w")
	}
	argv = append(argv, a.Extra...)
	if a.Props {
		argv = append(argv, "-p")
	}
	if a.From != "" {
		flag := "-i"
		if a.Intermediate {
			flag = "-I"
		}
		argv = append(argv, flag, a.From)
	}
	return append(argv, a.To)
}

func hasWord(words []string, want ...string) bool {
	for _, w := range words {
		for _, x := range want {
			if w == x {
				return true
			}
		}
	}
	return false
}

// RecvArgs shapes one `zfs recv`.
type RecvArgs struct {
	Target    string
	Force     bool              // -F
	Unmounted bool              // -u
	Resumable bool              // -s: keep a partial receive's state for send -t
	Set       map[string]string // -o prop=value, in sorted order
	Exclude   []string          // -x prop
}

// Argv builds the command line.
func (a RecvArgs) Argv() []string {
	argv := []string{"zfs", "recv"}
	if a.Resumable {
		argv = append(argv, "-s")
	}
	if a.Unmounted {
		argv = append(argv, "-u")
	}
	if a.Force {
		argv = append(argv, "-F")
	}
	keys := make([]string, 0, len(a.Set))
	for k := range a.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		argv = append(argv, "-o", k+"="+a.Set[k])
	}
	for _, p := range a.Exclude {
		argv = append(argv, "-x", p)
	}
	return append(argv, a.Target)
}

// RecvAbortArgv discards a partial receive's saved state (zfs recv -A).
func RecvAbortArgv(fs string) []string { return []string{"zfs", "recv", "-A", fs} }

func rflag(recursive bool) []string {
	if recursive {
		return []string{"-r"}
	}
	return nil
}

// SnapshotArgv takes snapshots; several names in one call are atomic where
// zfs accepts them (Features.MultiSnap).
func SnapshotArgv(recursive bool, snaps ...string) []string {
	return append(append([]string{"zfs", "snapshot"}, rflag(recursive)...), snaps...)
}

// DestroyArgv destroys datasets, snapshots or bookmarks. deferred is -d:
// a held snapshot goes when its last hold is released.
func DestroyArgv(recursive, deferred bool, name string) []string {
	argv := append([]string{"zfs", "destroy"}, rflag(recursive)...)
	if deferred {
		argv = append(argv, "-d")
	}
	return append(argv, name)
}

// RollbackArgv rolls back to snap, destroying newer snapshots (-r), never
// clones (-R) or mounted-busy filesystems (-f).
func RollbackArgv(snap string) []string { return []string{"zfs", "rollback", "-r", snap} }

// RenameArgv renames a snapshot (-r: the same snapshot of every child).
func RenameArgv(recursive bool, from, to string) []string {
	return append(append([]string{"zfs", "rename"}, rflag(recursive)...), from, to)
}

// HoldArgv puts the hold tag on snaps (-r: on the children's too).
func HoldArgv(tag string, recursive bool, snaps ...string) []string {
	return append(append(append([]string{"zfs", "hold"}, rflag(recursive)...), tag), snaps...)
}

// ReleaseArgv takes the hold tag off snaps.
func ReleaseArgv(tag string, recursive bool, snaps ...string) []string {
	return append(append(append([]string{"zfs", "release"}, rflag(recursive)...), tag), snaps...)
}

// HoldsArgv lists the holds on snaps, tab-separated: name, tag, time.
func HoldsArgv(recursive bool, snaps ...string) []string {
	return append(append([]string{"zfs", "holds", "-H"}, rflag(recursive)...), snaps...)
}

// BookmarkArgv bookmarks snap as bookmark (FS#NAME).
func BookmarkArgv(snap, bookmark string) []string { return []string{"zfs", "bookmark", snap, bookmark} }

// BookmarksArgv lists fs's bookmarks: name, guid, createtxg.
func BookmarksArgv(fs string) []string {
	return []string{"zfs", "list", "-H", "-p", "-t", "bookmark", "-o", "name,guid,createtxg", "-d", "1", fs}
}

// CreateArgv creates a filesystem with the user's zfs create flags.
func CreateArgv(flags []string, fs string) []string {
	return append(append([]string{"zfs", "create"}, flags...), fs)
}

// MountArgv and UnmountArgv mount and unmount one filesystem.
func MountArgv(fs string) []string   { return []string{"zfs", "mount", fs} }
func UnmountArgv(fs string) []string { return []string{"zfs", "unmount", fs} }

// ValueArgv reads one property's value; parsable gives exact numbers.
func ValueArgv(prop, name string, parsable bool) []string {
	argv := []string{"zfs", "get", "-H"}
	if parsable {
		argv = append(argv, "-p")
	}
	return append(argv, "-o", "value", prop, name)
}

// ValueSourceArgv reads one property's value and source.
func ValueSourceArgv(prop, name string) []string {
	return []string{"zfs", "get", "-H", "-o", "value,source", prop, name}
}

// LocalValueArgv reads a property only where it is set locally ("" else).
func LocalValueArgv(prop, name string) []string {
	return []string{"zfs", "get", "-H", "-o", "value", "-s", "local", prop, name}
}

// NameValueArgv reads prop as name<TAB>value for name (-r: and below).
func NameValueArgv(prop, name string, recursive bool) []string {
	argv := []string{"zfs", "get", "-H", "-p"}
	return append(append(append(argv, rflag(recursive)...), "-o", "name,value"), prop, name)
}

// SetArgv sets one property (zfs-fuse takes one prop=value per call).
func SetArgv(prop, value, name string) []string {
	return []string{"zfs", "set", prop + "=" + value, name}
}

// InheritArgv clears a locally set property.
func InheritArgv(prop, name string) []string { return []string{"zfs", "inherit", prop, name} }

// ExistsArgv lists one dataset by name: it fails when there is none.
func ExistsArgv(name string) []string { return []string{"zfs", "list", "-H", "-o", "name", name} }

// TreeArgv lists fs and everything below it, parents first: name, type, mounted.
func TreeArgv(fs string, recursive bool) []string {
	argv := []string{"zfs", "list", "-H"}
	return append(append(argv, rflag(recursive)...), "-o", "name,type,mounted", fs)
}

// DescendantsArgv lists fs, its children and all their snapshots by name,
// in creation order.
func DescendantsArgv(fs string) []string {
	return []string{"zfs", "list", "-H", "-r", "-o", "name", "-s", "createtxg", "-t", "filesystem,volume,snapshot", fs}
}

// PoolSyncArgv commits the pool's open transaction group, so that what
// was just written shows in written@SNAP.
func PoolSyncArgv(pool string) []string { return []string{"zpool", "sync", pool} }

// SourceArgv reads where a property's value comes from (local, default, …).
func SourceArgv(prop, name string) []string {
	return []string{"zfs", "get", "-H", "-o", "source", prop, name}
}

// NamesArgv lists every filesystem and volume by name (shell completion).
func NamesArgv() []string {
	return []string{"zfs", "list", "-H", "-o", "name", "-t", "filesystem,volume"}
}
