package zfsprops

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestParseGetMatchesReference feeds ParseGetTolerant and the reference
// below random mixes of good records, values with newlines and tabs, stray
// fragments and repeats: they must agree on every input.
func TestParseGetMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"pa/a", "pa/b@zrep_000001", "pa/sp ace", "zrep:master", "guid", "yes", "", "-",
		"local", "received", "inherited from pa", "default", "bogus", "x\ny", "\n", "\t", "@", "pa/a@"}
	for i := range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			switch r.IntN(4) {
			case 0: // a good record
				b.WriteString(pieces[r.IntN(3)] + "\t" + pieces[3+r.IntN(2)] + "\t" + pieces[r.IntN(len(pieces))] + "\t" + pieces[8+r.IntN(4)] + "\n")
			default: // anything
				for range r.IntN(5) {
					b.WriteString(pieces[r.IntN(len(pieces))])
					b.WriteString([]string{"\t", "\n", ""}[r.IntN(3)])
				}
			}
		}
		checkAgainstReference(t, i, b.String())
	}
}

func FuzzParseGetMatchesReference(f *testing.F) {
	f.Add("pa/a\tzrep:master\tyes\tlocal\npa/bad\tzrep:note\tx\npa/a\tzrep:master\tyes\tlocal\n")
	f.Add("pa/bad\tzrep:dest-fs\ta\tb\nc\n\nd\tlocal\n")
	f.Fuzz(func(t *testing.T, out string) { checkAgainstReference(t, 0, out) })
}

func checkAgainstReference(t *testing.T, i int, out string) {
	t.Helper()
	got, want := ParseGetTolerant([]byte(out)), parseGetReference([]byte(out))
	if len(got.Lines) == 0 && len(want.Lines) == 0 {
		got.Lines, want.Lines = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("case %d, %q:\n got %+v\nwant %+v", i, out, got, want)
	}
}

// parseGetReference is ParseGetTolerant as first written, the plain
// definition of its behaviour: line by line, pending lines joined by
// concatenation and split again (quadratic in a value's lines).
func parseGetReference(out []byte) GetResult {
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
			if l, ok := refRecord(joined); ok && looksLikeName(l.Name) {
				emit(l, pendAt, joined)
				pending = ""
				continue
			}
			if l, ok := refRecord(line); ok && looksLikeName(l.Name) {
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
		if l, ok := refRecord(line); ok && looksLikeName(l.Name) {
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

// refRecord reads name<TAB>property<TAB>value<TAB>source. Names and
// property names hold no tab; the source is one zfs prints; a value may
// hold tabs (and, joined by the caller, newlines).
func refRecord(s string) (PropLine, bool) {
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
