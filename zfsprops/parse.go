package zfsprops

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// PropLine is one line of `zfs get -H -p -o name,property,value,source`.
type PropLine struct {
	Name, Property string
	Value
}

// GetArgs builds `zfs get` for name,property,value,source. Extra flags
// (such as "-r", "-d", "1", "-s", "local,received") go before the
// property list; targets may be empty for "every dataset on the host".
func GetArgs(flags []string, props []string, targets ...string) []string {
	argv := []string{"zfs", "get", "-H", "-p", "-o", "name,property,value,source"}
	argv = append(argv, flags...)
	argv = append(argv, joinComma(props))
	return append(argv, targets...)
}

func joinComma(props []string) string {
	var b bytes.Buffer
	for i, p := range props {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p)
	}
	return b.String()
}

// ParseGet parses tab-separated zfs get output. Fields are split on tabs
// only, never on runs of white space: names and values may hold spaces and
// a value may be empty. It never gives up on the whole output: a value
// holding a newline (zfs prints it raw, so one record spans several lines)
// is joined back; what still cannot be read fails its own dataset only
// (Broken), never the host.
func ParseGet(out []byte) ([]PropLine, error) {
	res := ParseGetTolerant(out)
	if len(res.Broken) > 0 {
		return res.Lines, res.Broken[0]
	}
	return res.Lines, nil
}

// GetResult is zfs get output as far as it can be read.
type GetResult struct {
	Lines  []PropLine
	Broken []*BrokenError // one per dataset whose lines could not be read, in order
}

// BrokenError is a dataset whose zfs get lines could not be read: a
// property value holding a newline that did not join back into a record,
// or a property listed twice (a value mimicking another line).
type BrokenError struct {
	Name string // the filesystem (the part before '@' of a snapshot)
	Line int
	Text string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("cannot read the properties of %s (zfs get output line %d: %q): a property value holds a newline or tab", e.Name, e.Line, e.Text)
}

// ParseGetTolerant parses what it can; see ParseGet. zfs prints each
// property of a dataset once: one that repeats a property is broken too (a
// value mimicking a line of it).
func ParseGetTolerant(out []byte) GetResult {
	var (
		res      GetResult
		broken   = map[string]bool{}
		seen     = map[[2]string]bool{}
		last     string // the dataset or snapshot of the previous record
		pending  string // the first lines of a record whose value holds newlines
		pendAt   int
		pendName string // whose record pending is
	)
	markBroken := func(name, text string, n int) {
		if broken[name] {
			return
		}
		broken[name] = name != ""
		res.Broken = append(res.Broken, &BrokenError{Name: name, Line: n, Text: text})
	}
	emit := func(l PropLine, n int, text string) {
		if isBookmark(l.Name) {
			// OpenZFS's zfs get lists bookmarks too (its default -t is
			// all; zfs-fuse has no -t to narrow it): zrep reads them with
			// their own listing, so their rows are read past.
			return
		}
		last = l.Name
		key := [2]string{l.Name, l.Property}
		if seen[key] {
			fs, _, _ := strings.Cut(l.Name, "@")
			markBroken(fs, text, n)
		}
		seen[key] = true
		res.Lines = append(res.Lines, l)
	}
	start := func(line string, n int) {
		pending, pendAt = line, n
		pendName, _, _ = strings.Cut(last, "@")
		// A record's first line has at least name, property and the start
		// of the value; anything shorter continues the previous value.
		if f := strings.Split(line, "\t"); len(f) >= 3 && looksLikeName(f[0]) {
			pendName, _, _ = strings.Cut(f[0], "@")
		}
	}
	text := strings.TrimSuffix(string(out), "\n")
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if pending != "" {
			joined := pending + "\n" + line
			if l, ok := parseRecord(joined); ok && looksLikeName(l.Name) {
				emit(l, pendAt, joined)
				pending = ""
				continue
			}
			if l, ok := parseRecord(line); ok && looksLikeName(l.Name) {
				// The pending lines never completed: they fail their
				// dataset alone, and this line starts afresh.
				markBroken(pendName, pending, pendAt)
				pending = ""
				emit(l, n, line)
				continue
			}
			pending = joined
			continue
		}
		if line == "" {
			continue
		}
		if l, ok := parseRecord(line); ok && looksLikeName(l.Name) {
			emit(l, n, line)
			continue
		}
		start(line, n)
	}
	if pending != "" {
		markBroken(pendName, pending, pendAt)
	}
	// A broken dataset's lines are not to be trusted: drop them.
	if len(broken) > 0 {
		kept := res.Lines[:0]
		for _, l := range res.Lines {
			fs, _, _ := strings.Cut(l.Name, "@")
			if !broken[fs] {
				kept = append(kept, l)
			}
		}
		res.Lines = kept
	}
	return res
}

// parseRecord reads name<TAB>property<TAB>value<TAB>source. Names and
// property names hold no tab; the source is one zfs prints; a value may
// hold tabs (and, joined by the caller, newlines).
func parseRecord(s string) (PropLine, bool) {
	f := strings.Split(s, "\t")
	if len(f) < 4 {
		return PropLine{}, false
	}
	src := f[len(f)-1]
	if !validSource(src) || f[0] == "" || f[1] == "" || strings.ContainsRune(f[0]+f[1], '\n') {
		return PropLine{}, false
	}
	return PropLine{Name: f[0], Property: f[1],
		Value: Value{Value: strings.Join(f[2:len(f)-1], "\t"), Source: ParseSource(src)}}, true
}

func validSource(s string) bool {
	switch s {
	case "-", "local", "received", "default", "temporary", "none":
		return true
	}
	return strings.HasPrefix(s, "inherited from ")
}

// looksLikeName is a dataset, snapshot or bookmark name as zfs prints one.
func looksLikeName(s string) bool {
	if fs, mark, ok := strings.Cut(s, "#"); ok {
		return fs != "" && mark != "" && !strings.Contains(fs, "@") && validChars(fs) == nil
	}
	fs, snap, isSnap := strings.Cut(s, "@")
	if isSnap && snap == "" {
		return false
	}
	return fs != "" && validChars(fs) == nil
}

// isBookmark says whether a name zfs printed is a bookmark's (FS#NAME).
func isBookmark(name string) bool { return strings.Contains(name, "#") }

// Bookmark is one line of BookmarksArgv's listing.
type Bookmark struct {
	Name      string // FS#NAME
	GUID      string // the GUID of the snapshot it was made from
	CreateTXG uint64
}

// ParseBookmarks reads `zfs list -H -p -o name,guid,createtxg -t bookmark`,
// oldest first as zfs lists them; malformed lines are skipped.
func ParseBookmarks(out []byte) []Bookmark {
	var marks []Bookmark
	for _, line := range bytes.Split(out, []byte{'\n'}) {
		f := bytes.Split(line, []byte{'\t'})
		if len(f) != 3 {
			continue
		}
		txg, err := strconv.ParseUint(string(f[2]), 10, 64)
		if err != nil {
			continue
		}
		marks = append(marks, Bookmark{Name: string(f[0]), GUID: string(f[1]), CreateTXG: txg})
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].CreateTXG < marks[j].CreateTXG })
	return marks
}

// ParseRows splits tab-separated `zfs list -H` / `zfs get -H` output into
// rows of exactly n fields (on tabs only: names and values may hold
// spaces); other lines are skipped.
func ParseRows(out []byte, n int) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if f := strings.Split(line, "\t"); len(f) == n && line != "" {
			rows = append(rows, f)
		}
	}
	return rows
}
