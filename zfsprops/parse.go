package zfsprops

import (
	"bufio"
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
// a value may be empty.
func ParseGet(out []byte) ([]PropLine, error) {
	var lines []PropLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1<<20) // user property values reach 8 KiB
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		f := bytes.Split([]byte(line), []byte{'\t'})
		if len(f) != 4 {
			return nil, fmt.Errorf("zfs get output line %d: want 4 tab-separated fields, got %d: %q", n, len(f), line)
		}
		lines = append(lines, PropLine{
			Name:     string(f[0]),
			Property: string(f[1]),
			Value:    Value{Value: string(f[2]), Source: ParseSource(string(f[3]))},
		})
	}
	return lines, sc.Err()
}

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
