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
//
// It is linear in the size of the output, a value of many lines included,
// and allocates little beyond the result: names and values are substrings
// of one copy of out (a host with 100 000 snapshots prints 300 000 lines).
func ParseGetTolerant(out []byte) GetResult {
	text := strings.TrimSuffix(string(out), "\n")
	p := getParser{
		res:  GetResult{Lines: make([]PropLine, 0, strings.Count(text, "\n")+1)},
		seen: newPropSet(),
	}
	for off, n := 0, 1; ; n++ {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += off
		}
		p.line(text, off, end, n)
		if end == len(text) {
			break
		}
		off = end + 1
	}
	if p.pending {
		p.markBroken(p.pendName, text[p.pendStart:p.pendEnd], p.pendAt)
	}
	// A broken dataset's lines are not to be trusted: drop them.
	if len(p.broken) > 0 {
		kept := p.res.Lines[:0]
		for _, l := range p.res.Lines {
			fs, _, _ := strings.Cut(l.Name, "@")
			if !p.broken[fs] {
				kept = append(kept, l)
			}
		}
		p.res.Lines = kept
	}
	return p.res
}

// getParser is ParseGetTolerant's state between lines.
type getParser struct {
	res    GetResult
	broken map[string]bool
	seen   *propSet
	last   string // the dataset or snapshot of the previous record
	// A record whose value holds newlines: its first lines so far are
	// text[pendStart:pendEnd], from line pendAt, of dataset pendName. Its
	// head (name, property, where the value starts) is read once, so
	// joining line after line stays linear.
	pending            bool
	pendStart, pendEnd int
	pendAt             int
	pendName           string
	head               recordHead
	headOK             bool
}

// line handles text[off:end], line n.
func (p *getParser) line(text string, off, end, n int) {
	line := text[off:end]
	if p.pending {
		// The pending lines and this one as one record.
		if p.headOK {
			if l, ok := p.head.record(text, off, end); ok && looksLikeName(l.Name) {
				p.emit(l, p.pendAt, text[p.pendStart:end])
				p.pending = false
				return
			}
		}
		if l, ok := parseRecord(line); ok && looksLikeName(l.Name) {
			// The pending lines never completed: they fail their
			// dataset alone, and this line starts afresh.
			p.markBroken(p.pendName, text[p.pendStart:p.pendEnd], p.pendAt)
			p.pending = false
			p.emit(l, n, line)
			return
		}
		p.pendEnd = end
		return
	}
	if line == "" {
		return
	}
	if l, ok := parseRecord(line); ok && looksLikeName(l.Name) {
		p.emit(l, n, line)
		return
	}
	p.pending, p.pendStart, p.pendEnd, p.pendAt = true, off, end, n
	p.pendName, _, _ = strings.Cut(p.last, "@")
	p.head, p.headOK = readHead(text, off, end)
	// A record's first line has at least name, property and the start
	// of the value; anything shorter continues the previous value.
	if p.headOK && looksLikeName(p.head.name) {
		p.pendName, _, _ = strings.Cut(p.head.name, "@")
	}
	// parseRecord also wants both names non-empty.
	p.headOK = p.headOK && p.head.name != "" && p.head.prop != ""
}

func (p *getParser) markBroken(name, text string, n int) {
	if p.broken[name] {
		return
	}
	if p.broken == nil {
		p.broken = map[string]bool{}
	}
	p.broken[name] = name != ""
	p.res.Broken = append(p.res.Broken, &BrokenError{Name: name, Line: n, Text: text})
}

func (p *getParser) emit(l PropLine, n int, text string) {
	if isBookmark(l.Name) {
		// OpenZFS's zfs get lists bookmarks too (its default -t is
		// all; zfs-fuse has no -t to narrow it): zrep reads them with
		// their own listing, so their rows are read past.
		return
	}
	p.last = l.Name
	if p.seen.add(l.Name, l.Property) {
		fs, _, _ := strings.Cut(l.Name, "@")
		p.markBroken(fs, text, n)
	}
	p.res.Lines = append(p.res.Lines, l)
}

// recordHead is the first line of a record: name<TAB>property<TAB>, and
// the value from valueAt in the output.
type recordHead struct {
	name, prop string
	valueAt    int
}

// readHead reads the head of a record starting at text[off:end].
func readHead(text string, off, end int) (recordHead, bool) {
	line := text[off:end]
	name, rest, ok := strings.Cut(line, "\t")
	if !ok {
		return recordHead{}, false
	}
	prop, _, ok := strings.Cut(rest, "\t")
	if !ok {
		return recordHead{}, false
	}
	return recordHead{name: name, prop: prop, valueAt: off + len(name) + len(prop) + 2}, true
}

// record completes h with the line text[off:end], which holds the end of
// the value, a tab and the source.
func (h recordHead) record(text string, off, end int) (PropLine, bool) {
	i := strings.LastIndexByte(text[off:end], '\t')
	if i < 0 || off+i < h.valueAt {
		return PropLine{}, false
	}
	src := text[off+i+1 : end]
	if !validSource(src) {
		return PropLine{}, false
	}
	return PropLine{Name: h.name, Property: h.prop,
		Value: Value{Value: text[h.valueAt : off+i], Source: ParseSource(src)}}, true
}

// parseRecord reads name<TAB>property<TAB>value<TAB>source. Names and
// property names hold no tab; the source is one zfs prints; a value may
// hold tabs (and, joined by the caller, newlines).
func parseRecord(s string) (PropLine, bool) {
	h, ok := readHead(s, 0, len(s))
	if !ok || h.name == "" || h.prop == "" || strings.ContainsRune(h.name, '\n') || strings.ContainsRune(h.prop, '\n') {
		return PropLine{}, false
	}
	return h.record(s, 0, len(s))
}

// propSet is the (name, property) pairs seen so far. zfs prints a
// dataset's properties together, so it keeps one bit per property for the
// current name and touches its map only when the name changes.
type propSet struct {
	index   map[string]uint // property -> bit
	names   map[string]uint64
	cur     string
	curBits uint64
	extra   map[[2]string]bool // properties past the 64th
}

func newPropSet() *propSet {
	return &propSet{index: map[string]uint{}, names: map[string]uint64{}}
}

// add records (name, prop) and reports whether it was there already.
func (s *propSet) add(name, prop string) bool {
	bit, ok := s.index[prop]
	if !ok {
		bit = uint(len(s.index))
		s.index[prop] = bit
	}
	if bit >= 64 {
		if s.extra == nil {
			s.extra = map[[2]string]bool{}
		}
		key := [2]string{name, prop}
		dup := s.extra[key]
		s.extra[key] = true
		return dup
	}
	if name != s.cur {
		if s.cur != "" || s.curBits != 0 {
			s.names[s.cur] = s.curBits
		}
		s.cur, s.curBits = name, s.names[name]
	}
	dup := s.curBits&(1<<bit) != 0
	s.curBits |= 1 << bit
	return dup
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
