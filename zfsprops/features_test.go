package zfsprops_test

import (
	"testing"

	"github.com/zrep-go/zrep/zfsprops"
	"github.com/zrep-go/zrep/zfsprops/zfstest"
)

// Each feature is read from the captured usage texts on its own; zfs-fuse
// has none of them (its `holds` needs a helper it lacks).
func TestParseFeaturesCaptured(t *testing.T) {
	for impl, want := range map[string]zfsprops.Features{
		"fuse":    {},
		"openzfs": {Resume: true, Holds: true, Bookmarks: true, Raw: true, RecvO: true, MultiSnap: true, Diff: true, Written: true},
	} {
		got := zfsprops.ParseFeatures(zfstest.Usage(impl, "zfs"), zfstest.Usage(impl, "zfs-get"))
		if got != want {
			t.Errorf("%s: features = %+v, want %+v", impl, got, want)
		}
	}
}

// One feature missing from the text turns only that feature off.
func TestParseFeaturesOneAtATime(t *testing.T) {
	cmds, props := zfstest.Usage("openzfs", "zfs"), zfstest.Usage("openzfs", "zfs-get")
	for _, c := range []struct {
		name       string
		cmds, prop string // text to cut out of the usage / property table
	}{
		{"resume", "\tsend [-nVvPe] -t <receive_resume_token>\n", ""},
		{"bookmarks", "\tbookmark <snapshot|bookmark> <newbookmark>\n", ""},
		{"holds", "\tholds [-rHp] <snapshot> ...\n", ""},
		{"diff", "\tdiff [-FHth] <snapshot> [snapshot|filesystem]\n", ""},
		{"written", "", "\twritten                 NO       NO   <size>\n"},
	} {
		f := zfsprops.ParseFeatures(cut(t, cmds, c.cmds), cut(t, props, c.prop))
		got := f.Named()
		for name, on := range got {
			if on != (name != c.name) {
				t.Errorf("without %s: %s = %v", c.name, name, on)
			}
		}
	}
}

func cut(t *testing.T, s, part string) string {
	t.Helper()
	if part == "" {
		return s
	}
	for i := 0; i+len(part) <= len(s); i++ {
		if s[i:i+len(part)] == part {
			return s[:i] + s[i+len(part):]
		}
	}
	t.Fatalf("usage text has no %q", part)
	return ""
}
