package zfsprops

import (
	"strings"
	"testing"
)

func TestValidateFilesystem(t *testing.T) {
	long := "pa/" + strings.Repeat("x", MaxNameLen-3)
	good := []string{"pa", "pa/x", "pa/a b", "pa/x:y", "pa/x.y", "pa/.x", "pa/x..", "pa/..x", "pa/x_y-z", "tank/c0t0", "c0/x", "logs/x", "pa/mirror", long}
	for _, n := range good {
		if err := ValidateFilesystem(n); err != nil {
			t.Errorf("ValidateFilesystem(%q): %v", n, err)
		}
	}
	bad := map[string]string{
		"":          "empty filesystem name",
		"-pa/x":     "must not start with '-'",
		"pa/x@s":    "not a snapshot",
		"pa/x#b":    "not a snapshot or bookmark",
		"/pa/x":     "leading, trailing or doubled",
		"pa/x/":     "leading, trailing or doubled",
		"pa//x":     "leading, trailing or doubled",
		"pa/x/..":   `".." is not a dataset name`,
		"pa/../x":   `".." is not a dataset name`,
		"pa/.":      `"." is not a dataset name`,
		"pa/-x":     `component "-x" starts with '-'`,
		"pa/x/-o":   `component "-o" starts with '-'`,
		long + "x":  "256 bytes long; ZFS allows at most 255",
		"pa/x%y":    "character '%' is not allowed",
		"pa/é":      "character 'é' is not allowed",
		"pa/x\ny":   `character '\n' is not allowed`,
		"pa/x\x00":  `character '\x00' is not allowed`,
		"pa/$(id)":  "character '$' is not allowed",
		"pa/x;rm":   "character ';' is not allowed",
		"pa/x*":     "character '*' is not allowed",
		"1pa/x":     `pool name "1pa" must begin with a letter`,
		"_pa/x":     "must begin with a letter",
		"mirror/x":  `pool name "mirror" is reserved`,
		"mirror2/x": `pool name "mirror2" is reserved`,
		"raidz1/x":  "reserved",
		"draid/x":   "reserved",
		"spare/x":   "reserved",
		"log/x":     `pool name "log" is reserved`,
		"pa/x\\y":   `character '\\' is not allowed`,
		"pa/x'y":    `character '\'' is not allowed`,
	}
	for n, want := range bad {
		err := ValidateFilesystem(n)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateFilesystem(%q) = %v, want %q", n, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("ValidateFilesystem(%q): more than one line: %q", n, err)
		}
	}
}

func TestValidateSnapshot(t *testing.T) {
	for _, n := range []string{"pa/x@zrep_000001", "pa/x@my snap", "pa@a:b"} {
		if err := ValidateSnapshot(n); err != nil {
			t.Errorf("ValidateSnapshot(%q): %v", n, err)
		}
	}
	for n, want := range map[string]string{
		"pa/x":                             "expected FS@SNAP",
		"pa/x@":                            "nothing after '@'",
		"pa/x@a@b":                         "cannot contain",
		"pa/x@a/b":                         "cannot contain",
		"pa/x@-f":                          "must not start with '-'",
		"pa/x@$(id)":                       "character '$' is not allowed",
		"pa/../x@s":                        `".." is not a dataset name`,
		"pa/x@" + strings.Repeat("s", 251): "256 bytes long",
	} {
		if err := ValidateSnapshot(n); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateSnapshot(%q) = %v, want %q", n, err, want)
		}
	}
}

func TestValidatePairFilesystem(t *testing.T) {
	// zrep_000000_unsent: 1+18 bytes after the name.
	max := "pa/" + strings.Repeat("x", MaxNameLen-len("@zrep_000000_unsent")-3)
	if err := ValidatePairFilesystem(max, DefaultTag); err != nil {
		t.Fatalf("%d bytes: %v", len(max), err)
	}
	if len(max) != 236 {
		t.Fatalf("longest pair name is %d bytes, want 236", len(max))
	}
	err := ValidatePairFilesystem(max+"x", DefaultTag)
	if err == nil || !strings.Contains(err.Error(), "at most 236 with tag zrep") {
		t.Fatalf("237 bytes: %v", err)
	}
	if err := ValidatePairFilesystem(max, "backup-long"); err == nil {
		t.Fatal("a longer tag leaves less room, yet 236 bytes passed")
	}
	if err := ValidatePairFilesystem("pa/x/..", DefaultTag); err == nil {
		t.Fatal("pa/x/.. passed")
	}
}
