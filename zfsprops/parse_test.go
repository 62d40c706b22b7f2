package zfsprops

import (
	"strings"
	"testing"
)

func TestParseGetTolerant(t *testing.T) {
	cases := []struct {
		name   string
		out    string
		values map[string]string // name|prop -> value
		broken []string
	}{
		{
			name:   "plain",
			out:    "pa/x\tzrep:master\tyes\tlocal\npa/y\tzrep:dest-fs\tpb/y\treceived\n",
			values: map[string]string{"pa/x|zrep:master": "yes", "pa/y|zrep:dest-fs": "pb/y"},
		},
		{
			name: "a newline in a value is joined back",
			out: "pa/a\tzrep:master\tyes\tlocal\n" +
				"pa/bad\tzrep:note\tline one\nline two\tlocal\n" +
				"pa/c\tzrep:master\tyes\tlocal\n",
			values: map[string]string{"pa/a|zrep:master": "yes", "pa/bad|zrep:note": "line one\nline two", "pa/c|zrep:master": "yes"},
		},
		{
			name:   "several newlines and a tab in a value",
			out:    "pa/bad\tzrep:dest-fs\ta\tb\nc\n\nd\tlocal\npa/c\tzrep:master\tyes\tlocal\n",
			values: map[string]string{"pa/bad|zrep:dest-fs": "a\tb\nc\n\nd", "pa/c|zrep:master": "yes"},
		},
		{
			name:   "a value ending in a newline",
			out:    "pa/bad\tzrep:master\tyes\n\tlocal\npa/c\tzrep:master\tyes\tlocal\n",
			values: map[string]string{"pa/bad|zrep:master": "yes\n", "pa/c|zrep:master": "yes"},
		},
		{
			name: "a value mimicking another dataset's line stays in its value",
			out: "pa/bad\tzrep:dest-fs\tx\npa/victim\tzrep:master\tyes\tlocal\n" +
				"pa/c\tzrep:master\tyes\tlocal\n",
			values: map[string]string{"pa/bad|zrep:dest-fs": "x\npa/victim\tzrep:master\tyes", "pa/c|zrep:master": "yes"},
		},
		{
			name: "a value mimicking a line of its own dataset breaks it",
			out: "pa/bad\tzrep:master\t-\tlocal\npa/bad\tzrep:master\tyes\tlocal\n" +
				"pa/c\tzrep:master\tyes\tlocal\n",
			values: map[string]string{"pa/c|zrep:master": "yes"},
			broken: []string{"pa/bad"},
		},
		{
			name:   "a fragment that never completes fails its dataset only",
			out:    "pa/c\tzrep:master\tyes\tlocal\npa/bad\tzrep:note\tno source here\n",
			values: map[string]string{"pa/c|zrep:master": "yes"},
			broken: []string{"pa/bad"},
		},
		{
			name:   "a stray line after a complete record fails that record's dataset",
			out:    "pa/bad\tzrep:note\tx\tlocal\nstray\tlocal\npa/c\tzrep:master\tyes\tlocal\n",
			values: map[string]string{"pa/c|zrep:master": "yes"},
			broken: []string{"pa/bad"},
		},
		{
			name:   "a snapshot's broken line fails its filesystem",
			out:    "pa/c\tzrep:master\tyes\tlocal\npa/bad@zrep_000001\tzrep:sent\t12\n\tbogus\n",
			values: map[string]string{"pa/c|zrep:master": "yes"},
			broken: []string{"pa/bad"},
		},
		{
			name:   "inherited sources and empty values",
			out:    "pa/x/c\tzrep:master\tyes\tinherited from pa/x\npa/sp ace\tzrep:dest-host\t\tlocal\n",
			values: map[string]string{"pa/x/c|zrep:master": "yes", "pa/sp ace|zrep:dest-host": ""},
		},
		{
			// What OpenZFS 2.3 printed for zfs get -d 1 of a bookmarked pair.
			name: "bookmarks (OpenZFS lists them too) are read past",
			out: "pa/x\tzrep:master\tyes\tlocal\n" +
				"pa/x#zrep_000000\tzrep:master\t-\t-\npa/x#zrep_000000\tguid\t17630293173126633311\t-\n" +
				"pa/x@zrep_000001\tguid\t42\t-\n",
			values: map[string]string{"pa/x|zrep:master": "yes", "pa/x@zrep_000001|guid": "42"},
		},
		{name: "empty output", out: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := ParseGetTolerant([]byte(c.out))
			got := map[string]string{}
			for _, l := range res.Lines {
				got[l.Name+"|"+l.Property] = l.Value.Value
			}
			if len(got) != len(c.values) {
				t.Errorf("lines = %q, want %q", got, c.values)
			}
			for k, v := range c.values {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			var broken []string
			for _, b := range res.Broken {
				broken = append(broken, b.Name)
				if !strings.Contains(b.Error(), b.Name) {
					t.Errorf("error %q does not name %s", b.Error(), b.Name)
				}
			}
			if strings.Join(broken, ",") != strings.Join(c.broken, ",") {
				t.Errorf("broken = %v, want %v", broken, c.broken)
			}
		})
	}
}

func TestInventoryKeepsBrokenDatasetAlone(t *testing.T) {
	out := "pa/m\tzrep:master\tyes\tlocal\npa/m\tzrep:src-host\thosta\tlocal\npa/m\tzrep:dest-fs\tpb/m\tlocal\n" +
		"pa/junk\tzrep:note\tno source\n"
	inv := readInventory("hosta", []byte(out), "zrep")
	var names []string
	for _, fs := range inv.Masters("zrep", "hosta") {
		names = append(names, fs.Name)
	}
	if strings.Join(names, ",") != "pa/m,pa/junk" {
		t.Fatalf("masters = %v, want pa/m and the broken pa/junk", names)
	}
	err := inv.FS["pa/junk"].Broken
	if err == nil || !strings.Contains(err.Error(), "hosta") || !strings.Contains(HintOf(err), "zfs inherit") {
		t.Errorf("broken error = %v (hint %q)", err, HintOf(err))
	}
}

func TestMastersListGarbageMaster(t *testing.T) {
	out := "pa/g\tzrep:master\tgarbage\tlocal\npa/g\tzrep:src-host\thosta\tlocal\npa/g\tzrep:dest-fs\tpb/g\tlocal\n" +
		"pa/h\tzrep:master\tyes\tlocal\npa/h\tzrep:src-host\tbad host\tlocal\npa/h\tzrep:dest-fs\tpb/h\tlocal\n" +
		"pa/r\tzrep:src-host\thostb\treceived\npa/r\tzrep:dest-fs\tpa/r\treceived\n" +
		"pa/z\tzrep:master\tjunk\tlocal\npa/z\tzrep:src-host\tzone2\tlocal\npa/z\tzrep:dest-fs\tpb/z\tlocal\n"
	inv := readInventory("hosta", []byte(out), "zrep")
	var names []string
	for _, fs := range inv.Masters("zrep", "hosta") {
		names = append(names, fs.Name)
	}
	if strings.Join(names, ",") != "pa/g,pa/h" {
		t.Fatalf("masters = %v, want pa/g (garbage master) and pa/h (bad src-host)", names)
	}
}

func TestCheckConfig(t *testing.T) {
	cases := []struct {
		props map[string]Value
		prop  string // "" = no error
		fix   string
	}{
		{map[string]Value{"zrep:master": {"yes", SourceLocal}, "zrep:savecount": {"5", SourceLocal}}, "", ""},
		{map[string]Value{"zrep:master": {"-", SourceNone}, "zrep:savecount": {"5", SourceReceived}}, "", ""},
		{map[string]Value{"zrep:master": {"no", SourceLocal}}, "zrep:master", "zfs inherit zrep:master"},
		{map[string]Value{"zrep:master": {"yes\nx", SourceLocal}}, "zrep:master", "zfs set zrep:master=yes"},
		{map[string]Value{"zrep:savecount": {"five", SourceReceived}}, "zrep:savecount", "zfs set zrep:savecount=5"},
		{map[string]Value{"zrep:savecount": {"0", SourceLocal}}, "zrep:savecount", "zfs set zrep:savecount=5"},
		{map[string]Value{"zrep:dest-fs": {"pb/x/..", SourceLocal}}, "zrep:dest-fs", "changeconfig"},
		{map[string]Value{"zrep:src-fs": {"pa/$(id)", SourceReceived}}, "zrep:src-fs", "zfs set zrep:src-fs=POOL/NAME"},
		{map[string]Value{"zrep:dest-host": {"-oProxyCommand=x", SourceLocal}}, "zrep:dest-host", "zfs set zrep:dest-host=HOST"},
		{map[string]Value{"zrep:src-host": {"a b", SourceReceived}}, "zrep:src-host", "zfs set zrep:src-host=HOST"},
		{map[string]Value{"zrep:recursive": {"no", SourceLocal}}, "zrep:recursive", "zfs inherit zrep:recursive"},
		{map[string]Value{"zrep:recursive": {"yes", SourceReceived}}, "", ""},
	}
	for _, c := range cases {
		fs := &Filesystem{Name: "pa/x", Props: c.props}
		err := fs.CheckConfig("zrep", "hosta")
		if c.prop == "" {
			if err != nil {
				t.Errorf("%v: %v", c.props, err)
			}
			continue
		}
		pe, ok := err.(*PropError)
		if !ok || pe.Prop != c.prop || !strings.Contains(err.Error(), "pa/x on hosta") || !strings.Contains(HintOf(err), c.fix) {
			t.Errorf("%v: err = %v, hint %q; want %s and %q", c.props, err, HintOf(err), c.prop, c.fix)
		}
	}
}
