package cmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/zrep-go/zrep/ssh/sshtest"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
	"github.com/zrep-go/zrep/zfsprops/zfstest"
)

// monitorNow is 10 minutes after the fixtures' healthy sync.
var monitorNow = time.Unix(1700000600, 0)

var monitorNames = []string{"pa/healthy", "pa/lagging", "pa/failing", "pa/never", "pa/copy"}

// runMonitor runs a command line on hosta whose pairs are monitor-hosta.txt:
// healthy and lagging (to hostb, answering), failing (to hostc,
// unreachable, a failure recorded), never synced, and a replica of
// hostb's master. zfs there has the written property.
func runMonitor(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	local, hostb, hostc := sshtest.New(t, "localhost"), sshtest.New(t, "hostb"), sshtest.New(t, "hostc")
	inv := fixture(t, "monitor-hosta.txt")
	local.Expect(readAllArgv("zrep")).Returns(inv).Always()
	local.ExpectPrefix([]string{"zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-d", "1"}).Returns(inv).Always()
	local.Expect([]string{"zfs"}).Fails(2, zfstest.Usage("openzfs", "zfs")).Always()
	local.Expect([]string{"zfs", "get"}).Fails(2, zfstest.Usage("openzfs", "zfs-get")).Always()
	local.ExpectPrefix([]string{"zfs", "get", "-H", "-p", "-o", "value"}).Do(func(argv []string, _ string) (string, error) {
		if !strings.HasPrefix(argv[len(argv)-2], "written@") {
			t.Errorf("unexpected %q", argv)
		}
		return "4096\n", nil
	}).Always()
	hostb.Expect(readAllArgv("zrep")).Returns(fixture(t, "monitor-hostb.txt")).Always()
	hostc.Expect(readAllArgv("zrep")).Unreachable().Always()
	io, out, errOut := TestIO()
	f := NewFactory(io, func(k string) string {
		return map[string]string{"ZREP_SRC_HOST": "hosta", "ZREP_DEFAULTS_FILE": "/nonexistent"}[k]
	})
	f.Now = func() time.Time { return monitorNow }
	f.SetHost("localhost", local)
	f.SetHost("hostb", hostb)
	f.SetHost("hostc", hostc)
	code := run(context.Background(), f, args)
	return out.String(), errOut.String(), code
}

func TestDetailArgvMatchesStub(t *testing.T) {
	argv := zfsprops.GetArgs([]string{"-d", "1"}, zfsprops.DetailProps("zrep"), "pa/x")
	want := []string{"zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-d", "1"}
	if strings.Join(argv[:len(want)], " ") != strings.Join(want, " ") {
		t.Fatalf("ReadDetail's argv changed: %q; fix runMonitor's stub", argv)
	}
}

// The documented schema (docs/monitoring.md), field for field.
func TestStatusJSONGolden(t *testing.T) {
	out, errOut, code := runMonitor(t, "status", "-a", "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "status-json.txt", out)
}

// list --json is the same document without asking partners.
func TestListJSONGolden(t *testing.T) {
	out, errOut, code := runMonitor(t, "list", "--json", "pa/failing")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "list-json.txt", out)
}

func TestStatusNagios(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		line string
	}{
		{[]string{"pa/healthy"}, 0, "ZREP OK - 1 pairs: 1 ok | max_lag=60s;900;7200;0"},
		{[]string{"pa/copy"}, 0, "ZREP OK - 1 pairs: 1 ok | max_lag=300s;900;7200;0"},
		{[]string{"pa/lagging"}, 2, "ZREP CRITICAL - 1 pairs: 1 critical; pa/lagging: lag 2h56m40s >= 2h0m0s | max_lag=10600s;900;7200;0"},
		{[]string{"--crit", "4h", "pa/lagging"}, 1, "ZREP WARNING - 1 pairs: 1 warning; pa/lagging: lag 2h56m40s >= 15m0s | max_lag=10600s;900;14400;0"},
		{[]string{"pa/failing"}, 1, "ZREP WARNING - 1 pairs: 1 warning; pa/failing: partner hostc unreachable or unreadable: "},
		{[]string{"pa/never"}, 2, "ZREP CRITICAL - 1 pairs: 1 critical; pa/never: never synced | max_lag=0s;900;7200;0"},
		{[]string{"-a"}, 2, "ZREP CRITICAL - 5 pairs: 2 critical, 1 warning, 2 ok; pa/lagging: lag 2h56m40s >= 2h0m0s; pa/never: never synced; pa/failing: "},
	} {
		args := append([]string{"status", "--warn", "15m", "--crit", "2h"}, c.args...)
		out, errOut, code := runMonitor(t, args...)
		if code != c.code || errOut != "" || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, c.line) {
			t.Errorf("%v: exit %d, want %d\nstdout %q\nwant   %q…\nstderr %q", c.args, code, c.code, out, c.line, errOut)
		}
	}
}

func TestStatusNagiosUnknown(t *testing.T) {
	for _, c := range []struct {
		args []string
		line string
	}{
		{[]string{"--warn", "soon"}, `ZREP UNKNOWN - --warn "soon": give an age such as 15m, 2h or 900 (seconds), at least 1s`},
		{[]string{"--warn", "2h", "--crit", "1h"}, "ZREP UNKNOWN - --warn 2h0m0s is longer than --crit 1h0m0s"},
		{[]string{"--warn", "1h", "pa/nothere"}, "ZREP UNKNOWN - pa/nothere is not a zrep filesystem on hosta; zrep list shows"},
		{[]string{"-t", "other", "--crit", "1h"}, "ZREP UNKNOWN - no zrep pairs with tag other selected on hosta"},
	} {
		out, _, code := runMonitorTag(t, c.args...)
		if code != 3 || !strings.HasPrefix(out, c.line) || strings.Count(out, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, want 3 and %q", c.args, code, out, c.line)
		}
	}
}

// runMonitorTag is runMonitor for a -t given before the subcommand.
func runMonitorTag(t *testing.T, args ...string) (string, string, int) {
	if len(args) > 1 && args[0] == "-t" {
		local := sshtest.New(t, "localhost")
		local.Expect(readAllArgv(zfsprops.Tag(args[1]))).Returns("")
		io, out, errOut := TestIO()
		f := NewFactory(io, func(k string) string { return map[string]string{"ZREP_SRC_HOST": "hosta"}[k] })
		f.SetHost("localhost", local)
		code := run(context.Background(), f, append([]string{"-t", args[1], "status"}, args[2:]...))
		return out.String(), errOut.String(), code
	}
	return runMonitor(t, append([]string{"status"}, args...)...)
}

// The textfile parses as node_exporter reads it, holds every pair, and
// is replaced atomically: nothing else is left in the directory. A
// transfer's figures survive a later `zrep metrics`.
func TestMetricsTextfile(t *testing.T) {
	dir := t.TempDir()
	old := `zrep_pair_last_duration_seconds{fs="pa/healthy"} 2.5` + "\n" + `zrep_pair_last_bytes_sent{fs="pa/healthy"} 1048576` + "\n"
	path := filepath.Join(dir, "zrep-zrep.prom")
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runMonitor(t, "metrics", "--textfile", dir)
	if code != 0 || out != "" || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only the textfile", len(entries))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("textfile mode: %v %v", st, err)
	}
	b, _ := os.ReadFile(path)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("does not parse: %v\n%s", err, b)
	}
	value := func(family, fs string) (float64, bool) {
		for _, m := range fams[family].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "fs" && l.GetValue() == fs {
					if m.Counter != nil {
						return m.GetCounter().GetValue(), true
					}
					return m.GetGauge().GetValue(), true
				}
			}
		}
		return 0, false
	}
	for _, fam := range []string{"zrep_pair_last_success_timestamp_seconds", "zrep_pair_lag_seconds", "zrep_pair_failures_total",
		"zrep_pair_failing", "zrep_pair_partner_up", "zrep_pair_snapshots_pending", "zrep_pair_status"} {
		for _, fs := range monitorNames {
			if _, ok := value(fam, fs); !ok {
				t.Errorf("%s has no %s", fam, fs)
			}
		}
	}
	for _, c := range []struct {
		family, fs string
		want       float64
	}{
		{"zrep_pair_lag_seconds", "pa/healthy", 60},
		{"zrep_pair_last_success_timestamp_seconds", "pa/never", 0},
		{"zrep_pair_failures_total", "pa/failing", 3},
		{"zrep_pair_failing", "pa/failing", 1},
		{"zrep_pair_partner_up", "pa/failing", 0},
		{"zrep_pair_partner_up", "pa/healthy", 1},
		{"zrep_pair_snapshots_pending", "pa/lagging", 1},
		{"zrep_pair_status", "pa/never", 1},
		{"zrep_pair_last_duration_seconds", "pa/healthy", 2.5},
		{"zrep_pair_last_bytes_sent", "pa/healthy", 1048576},
	} {
		if got, ok := value(c.family, c.fs); !ok || got != c.want {
			t.Errorf("%s{fs=%q} = %v (%v), want %v", c.family, c.fs, got, ok, c.want)
		}
	}
	if got, _ := value("zrep_pair_lag_seconds", "pa/never"); got <= 1e308 {
		t.Errorf("never synced: lag %v, want +Inf", got)
	}
	if fams["zrep_pair_failures_total"].GetType().String() != "COUNTER" {
		t.Errorf("failures_total is a %s", fams["zrep_pair_failures_total"].GetType())
	}
}

func TestMetricsTakesNoArguments(t *testing.T) {
	io, _, errOut := TestIO()
	f := NewFactory(io, func(string) string { return "" })
	if code := run(context.Background(), f, []string{"metrics", "pa/x"}); code != ExitUsage || !strings.HasPrefix(errOut.String(), "Error: metrics takes no arguments") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestMetricsTextfileDirMissing(t *testing.T) {
	_, errOut, code := runMonitor(t, "metrics", "--textfile", filepath.Join(t.TempDir(), "nosuch"))
	if code != 1 || !strings.HasPrefix(errOut, "Error: cannot write the metrics textfile in ") || !strings.Contains(errOut, "; create the directory") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// status -v keeps classic's columns but never runs a long SRC into "->".
func TestStatusVerboseLongName(t *testing.T) {
	dest := "->hostb:pb/x" + strings.Repeat(" ", 35-len("hostb:pb/x")) + " \n"
	for _, c := range []struct{ src, want string }{
		{"pa/short", "pa/short                 " + dest},
		{"pa/exactly-24-characters", "pa/exactly-24-characters " + dest},
		{"pa/exactly-25-characters!", "pa/exactly-25-characters! " + dest},
		{"pa/a-name-long-enough-to-overflow-the-column", "pa/a-name-long-enough-to-overflow-the-column " + dest},
	} {
		fs := &zfsprops.Filesystem{Name: c.src, Props: map[string]zfsprops.Value{
			"zrep:src-fs": {Value: c.src, Source: zfsprops.SourceLocal}, "zrep:dest-fs": {Value: "pb/x", Source: zfsprops.SourceLocal},
			"zrep:dest-host": {Value: "hostb", Source: zfsprops.SourceLocal}}}
		var b strings.Builder
		writeStatus(&b, "zrep", fs, true, "%Y")
		if b.String() != c.want {
			t.Errorf("got  %q\nwant %q", b.String(), c.want)
		}
	}
}

// A sync or refresh run's own figures replace the old file's; a failed
// run keeps them.
func TestMetricsRunFigures(t *testing.T) {
	env := &zsync.Env{Tag: "zrep", Self: "hosta", Now: func() time.Time { return monitorNow }}
	states := []zsync.PairState{{Tag: "zrep", FS: "pa/a", Role: zsync.RoleMaster, Now: monitorNow},
		{Tag: "zrep", FS: "pa/b", Role: zsync.RoleMaster, Now: monitorNow}}
	runs := map[string]zsync.RunResult{
		"pa/a": {FS: "pa/a", Duration: 1500 * time.Millisecond, Bytes: 4096},
		"pa/b": {FS: "pa/b", Err: errors.New("failed"), Duration: time.Second, Bytes: 1},
	}
	old := map[string]transfer{"pa/a": {9, 9}, "pa/b": {7, 700}}
	var b strings.Builder
	if err := renderMetrics(&b, env, states, runs, old); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`zrep_pair_last_duration_seconds{tag="zrep",fs="pa/a",role="master",partner_host="",partner_fs=""} 1.5`,
		`zrep_pair_last_bytes_sent{tag="zrep",fs="pa/a",role="master",partner_host="",partner_fs=""} 4096`,
		`zrep_pair_last_duration_seconds{tag="zrep",fs="pa/b",role="master",partner_host="",partner_fs=""} 7`,
		`zrep_pair_last_bytes_sent{tag="zrep",fs="pa/b",role="master",partner_host="",partner_fs=""} 700`,
		`zrep_textfile_timestamp_seconds{tag="zrep"} 1.7000006e+09`,
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("no %s in\n%s", want, b.String())
		}
	}
}
