package zfsprops

import (
	"sort"
	"strconv"
	"strings"

	"github.com/zrep-go/zrep/ssh"
)

// Snapshot is one snapshot of a filesystem. Its identity is the GUID; the
// name is what zrep expires and what the classic tool sorts by.
type Snapshot struct {
	Name      string // FS@SHORT
	GUID      string // "" when not read
	CreateTXG uint64
	Sent      Value // TAG:sent
	// Referenced is the bytes it refers to (-1: not read); the
	// empty-source guard compares the new snapshot with the last sent one.
	Referenced int64
}

// Short is the part after '@'.
func (s Snapshot) Short() string { _, short, _ := strings.Cut(s.Name, "@"); return short }

// SentTime is the TAG:sent epoch when it was set locally, else 0.
func (s Snapshot) SentTime() int64 {
	n, err := strconv.ParseInt(s.Sent.Local(), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// Filesystem is a filesystem (or volume) with the properties zrep read and,
// when asked for, its direct snapshots.
type Filesystem struct {
	Name      string
	Props     map[string]Value
	Snapshots []Snapshot // oldest first
	// Broken is set when zfs's lines for it could not be read (a value
	// holding a newline): this filesystem fails, the others go on.
	Broken error
}

// Prop returns a property value; a property not read or unset is the zero Value.
func (f *Filesystem) Prop(name string) Value { return f.Props[name] }

// Inventory is what one query told us about a host, in zfs's order.
type Inventory struct {
	Order []string
	FS    map[string]*Filesystem
}

// NewInventory groups parsed lines by filesystem; snapshot lines become
// Snapshots of their filesystem.
func NewInventory(lines []PropLine, tag Tag) *Inventory {
	inv := &Inventory{FS: map[string]*Filesystem{}}
	snaps := map[string]*Snapshot{}
	var snapOrder []string
	for _, l := range lines {
		fsName, _, isSnap := strings.Cut(l.Name, "@")
		fs := inv.get(fsName)
		if !isSnap {
			fs.Props[l.Property] = l.Value
			continue
		}
		s := snaps[l.Name]
		if s == nil {
			s = &Snapshot{Name: l.Name, Referenced: -1}
			snaps[l.Name] = s
			snapOrder = append(snapOrder, l.Name)
		}
		switch l.Property {
		case "guid":
			s.GUID = l.Value.Value
		case "createtxg":
			s.CreateTXG, _ = strconv.ParseUint(l.Value.Value, 10, 64)
		case tag.Sent():
			s.Sent = l.Value
		case "referenced":
			if n, err := strconv.ParseInt(l.Value.Value, 10, 64); err == nil {
				s.Referenced = n
			}
		}
	}
	for _, name := range snapOrder {
		fsName, _, _ := strings.Cut(name, "@")
		fs := inv.FS[fsName]
		fs.Snapshots = append(fs.Snapshots, *snaps[name])
	}
	for _, fs := range inv.FS {
		sortSnapshots(fs.Snapshots, tag)
	}
	return inv
}

func (inv *Inventory) get(name string) *Filesystem {
	fs := inv.FS[name]
	if fs == nil {
		fs = &Filesystem{Name: name, Props: map[string]Value{}}
		inv.FS[name] = fs
		inv.Order = append(inv.Order, name)
	}
	return fs
}

// sortSnapshots orders by creation when createtxg is known; otherwise by
// serial for zrep snapshots, which is the classic name order.
func sortSnapshots(s []Snapshot, tag Tag) {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].CreateTXG != 0 || s[j].CreateTXG != 0 {
			return s[i].CreateTXG < s[j].CreateTXG
		}
		return s[i].Name < s[j].Name
	})
}

// ZrepFilesystems are those with TAG:dest-fs set locally or received: the
// classic definition of "managed by zrep" for list and status -a; and
// those whose properties could not be read (Broken), so they fail by name.
func (inv *Inventory) ZrepFilesystems(tag Tag) []*Filesystem {
	var out []*Filesystem
	for _, name := range inv.Order {
		if fs := inv.FS[name]; fs.Managed(tag) || fs.Broken != nil {
			out = append(out, fs)
		}
	}
	return out
}

// Managed reports a TAG:dest-fs set locally or received; one inherited
// from a parent pair does not make a child part of it.
func (f *Filesystem) Managed(tag Tag) bool {
	v := f.Prop(tag.DestFS())
	return v.Set() && (v.Source == SourceLocal || v.Source == SourceReceived)
}

// Masters are filesystems with a local TAG:master=yes whose TAG:src-host is
// self: the same pool seen from another zone or host is not ours to sync.
// Pairs this host may be master of whose master or src-host value is
// garbage, and filesystems that could not be read, are in the list too:
// syncing them fails with the fix instead of skipping them unseen.
func (inv *Inventory) Masters(tag Tag, self string) []*Filesystem {
	var out []*Filesystem
	for _, fs := range inv.ZrepFilesystems(tag) {
		host := fs.Prop(tag.SrcHost()).Any()
		master := fs.Prop(tag.Master()).Local()
		hostOK := ssh.ValidateHostName(host) == nil
		switch {
		case fs.Broken != nil:
		case master == "yes" && host == self:
		case master == "yes" && !hostOK:
		case master != "" && master != "yes" && (host == self || !hostOK):
		default:
			continue
		}
		out = append(out, fs)
	}
	return out
}

// IsMaster reads TAG:master from its local value only.
func (f *Filesystem) IsMaster(tag Tag) bool { return f.Prop(tag.Master()).Local() == "yes" }

// ZrepSnapshots are the snapshots zrep made under this tag, oldest first.
func (f *Filesystem) ZrepSnapshots(tag Tag) []Snapshot {
	var out []Snapshot
	for _, s := range f.Snapshots {
		if _, _, ok := tag.ParseSerial(s.Short()); ok {
			out = append(out, s)
		}
	}
	return out
}

// LastSent is the newest zrep snapshot carrying a local TAG:sent, the
// classic "last synced" point; ok is false when there is none.
func (f *Filesystem) LastSent(tag Tag) (Snapshot, bool) {
	snaps := f.ZrepSnapshots(tag)
	for i := len(snaps) - 1; i >= 0; i-- {
		if snaps[i].SentTime() != 0 {
			return snaps[i], true
		}
	}
	return Snapshot{}, false
}

// NextSerial is one more than the highest serial among the given
// snapshots, "_unsent" ones included since they consumed theirs.
func NextSerial(tag Tag, snapsets ...[]Snapshot) uint64 {
	var next uint64
	for _, snaps := range snapsets {
		for _, s := range snaps {
			if n, _, ok := tag.ParseSerial(s.Short()); ok && n+1 > next {
				next = n + 1
			}
		}
	}
	return next
}
