package zfsprops

import (
	"reflect"
	"strings"
	"testing"
)

// Captured from zfs-fuse 0.7 with:
// zfs get -H -p -o name,property,value,source -d 1 guid,createtxg,zrep:sent,zrep:master px/a
const detailOut = "px/a\tguid\t14986695256934409121\t-\n" +
	"px/a\tcreatetxg\t6\t-\n" +
	"px/a\tzrep:sent\t-\t-\n" +
	"px/a\tzrep:master\tyes\tlocal\n" +
	"px/a@zrep_000000\tguid\t14903123163282220756\t-\n" +
	"px/a@zrep_000000\tcreatetxg\t21\t-\n" +
	"px/a@zrep_000000\tzrep:sent\t123\tlocal\n" +
	"px/a@zrep_000000\tzrep:master\tyes\tinherited from px/a\n" +
	"px/a@other\tguid\t17431070370850532831\t-\n" +
	"px/a@other\tcreatetxg\t28\t-\n" +
	"px/a@other\tzrep:sent\t-\t-\n" +
	"px/a/child\tguid\t18084716263010919879\t-\n" +
	"px/a/child\tzrep:master\tyes\tinherited from px/a\n"

func TestInventoryFromDetail(t *testing.T) {
	lines, err := ParseGet([]byte(detailOut))
	if err != nil {
		t.Fatal(err)
	}
	inv := NewInventory(lines, "zrep")
	a := inv.FS["px/a"]
	if a == nil || !a.IsMaster("zrep") {
		t.Fatalf("px/a: %+v", a)
	}
	if inv.FS["px/a/child"].IsMaster("zrep") {
		t.Error("an inherited master must not count")
	}
	if len(a.Snapshots) != 2 || a.Snapshots[0].Short() != "zrep_000000" || a.Snapshots[1].CreateTXG != 28 {
		t.Fatalf("snapshots: %+v", a.Snapshots)
	}
	if got := a.ZrepSnapshots("zrep"); len(got) != 1 {
		t.Errorf("zrep snapshots: %+v", got)
	}
	last, ok := a.LastSent("zrep")
	if !ok || last.Name != "px/a@zrep_000000" || last.SentTime() != 123 {
		t.Errorf("LastSent = %+v, %v", last, ok)
	}
}

func TestParseGetKeepsEmptyAndSpacedFields(t *testing.T) {
	lines, err := ParseGet([]byte("pa/sp ace\tzrep:dest-host\t\tlocal\n"))
	if err != nil {
		t.Fatal(err)
	}
	if lines[0].Name != "pa/sp ace" || lines[0].Value.Value != "" || lines[0].Source != SourceLocal {
		t.Fatalf("%+v", lines[0])
	}
	if _, err := ParseGet([]byte("a\tb\tc\n")); err == nil {
		t.Fatal("want error for 3 fields")
	}
}

func TestSources(t *testing.T) {
	for in, want := range map[string]Source{"local": SourceLocal, "received": SourceReceived,
		"inherited from pa": SourceInherited, "default": SourceDefault, "-": SourceNone} {
		if got := ParseSource(in); got != want {
			t.Errorf("ParseSource(%q) = %v, want %v", in, got, want)
		}
	}
	v := Value{"yes", SourceReceived}
	if v.Local() != "" || v.Any() != "yes" {
		t.Errorf("received value: Local=%q Any=%q", v.Local(), v.Any())
	}
}

func TestMastersAndZrepFilesystems(t *testing.T) {
	// zfs get -H -p -o name,property,value,source -s local,received zrep:... (no target)
	out := "pa/m\tzrep:master\tyes\tlocal\n" +
		"pa/m\tzrep:src-host\thosta\tlocal\n" +
		"pa/m\tzrep:dest-fs\tpb/m\tlocal\n" +
		"pa/other\tzrep:master\tyes\tlocal\n" +
		"pa/other\tzrep:src-host\tzone2\tlocal\n" +
		"pa/other\tzrep:dest-fs\tpb/o\tlocal\n" +
		"pa/r\tzrep:master\tyes\treceived\n" +
		"pa/r\tzrep:dest-fs\tpa/r\treceived\n" +
		"pa/m@zrep_000001\tzrep:sent\t99\tlocal\n"
	lines, _ := ParseGet([]byte(out))
	inv := NewInventory(lines, "zrep")
	var names []string
	for _, fs := range inv.Masters("zrep", "hosta") {
		names = append(names, fs.Name)
	}
	if !reflect.DeepEqual(names, []string{"pa/m"}) {
		t.Errorf("masters = %v", names)
	}
	if n := len(inv.ZrepFilesystems("zrep")); n != 3 {
		t.Errorf("zrep filesystems = %d, want 3", n)
	}
	if last, ok := inv.FS["pa/m"].LastSent("zrep"); !ok || last.SentTime() != 99 {
		t.Errorf("last sent from the batch query: %+v %v", last, ok)
	}
}

func TestSerials(t *testing.T) {
	tag := Tag("zrep")
	cases := []struct {
		in     string
		serial uint64
		unsent bool
		ok     bool
	}{
		{"zrep_000000", 0, false, true},
		{"fs@zrep_00001f", 31, false, true},
		{"zrep_00000a_unsent", 10, true, true},
		{"zrep_00000A", 0, false, false},
		{"zrep_12", 0, false, false},
		{"zrep-b_000001", 0, false, false},
		{"other", 0, false, false},
	}
	for _, c := range cases {
		s, u, ok := tag.ParseSerial(c.in)
		if s != c.serial || u != c.unsent || ok != c.ok {
			t.Errorf("ParseSerial(%q) = %d,%v,%v", c.in, s, u, ok)
		}
	}
	snaps := []Snapshot{{Name: "a@zrep_000003"}, {Name: "a@zrep_000007_unsent"}, {Name: "a@manual"}}
	if n := NextSerial(tag, snaps, []Snapshot{{Name: "b@zrep_000005"}}); n != 8 {
		t.Errorf("NextSerial = %d, want 8", n)
	}
	if tag.SnapName(255) != "zrep_0000ff" {
		t.Errorf("SnapName(255) = %s", tag.SnapName(255))
	}
}

func TestValidateNames(t *testing.T) {
	good := []string{"pa/x", "pa/sp ace", "pa/a-b_c.d:e"}
	bad := []string{"", "-pa/x", "pa/x@s", "pa/$(id)", "pa/`id`", "pa/a;b", "pa/a'b", "pa/a\"b", "/pa", "pa//x", "pa/x/"}
	for _, n := range good {
		if err := ValidateFilesystem(n); err != nil {
			t.Errorf("ValidateFilesystem(%q): %v", n, err)
		}
	}
	for _, n := range bad {
		if err := ValidateFilesystem(n); err == nil {
			t.Errorf("ValidateFilesystem(%q) accepted", n)
		}
	}
	for _, tag := range []string{"zrep", "zrep-b", "site_2.daily", "9x"} {
		if err := ValidateTag(tag); err != nil {
			t.Errorf("ValidateTag(%q): %v", tag, err)
		}
	}
	for _, tag := range []string{"", "a:b", "-x", ".x", "a b", "a/b", "a@b", "Zrep", "zrepB", "ZREP"} {
		if err := ValidateTag(tag); err == nil {
			t.Errorf("ValidateTag(%q) accepted", tag)
		}
	}
	if err := ValidateTag("Backup"); err == nil || !strings.Contains(err.Error(), "uppercase") || !strings.Contains(err.Error(), `"backup"`) {
		t.Errorf("ValidateTag(Backup) = %v, want a message about uppercase", err)
	}
}
