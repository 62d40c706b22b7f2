package main

// End-to-end tests: testscript scenarios under testdata/script run the real
// zrep binary inside isolated test hosts, so every byte crosses real SSH
// into real `zfs recv`. The hosts come from a tier (e2e_tier_test.go):
// zfs-fuse namespace hosts (scripts/testhosts.sh, the default) or real
// OpenZFS in a qemu guest (scripts/openzfs.sh, ZREP_TEST_ZFS=openzfs).

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/zrep-go/zrep/cmd"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"zrep": func() { os.Exit(cmd.Main(os.Args[1:])) },
	})
}

// testHosts and their pools, as both tiers' scripts define them.
var testHosts = map[string]string{"hosta": "pa", "hostb": "pb", "hostc": "pc"}

func stateDir() string { return currentTier().stateDir() }

// requireHosts skips without test hosts, or fails when ZREP_TEST_REQUIRE
// says e2e must run (CI), so a broken setup can never pass as "skipped".
func requireHosts(t *testing.T) {
	tr := currentTier()
	err := tr.status()
	if err == nil {
		if err := tr.prepare(); err != nil {
			t.Fatalf("%s tier: %v", tr.name(), err)
		}
		return
	}
	script := map[string]string{"fuse": "scripts/testhosts.sh", "openzfs": "scripts/openzfs.sh"}[tr.name()]
	msg := fmt.Sprintf("%s test hosts are not up (%v); run: %s up", tr.name(), err, script)
	if strings.Contains(os.Getenv("ZREP_TEST_REQUIRE"), "e2e") {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		WorkdirRoot:         currentTier().workdirRoot(),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup:               setupScript,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"on":        cmdOn,
			"exitcode":  cmdExitcode,
			"mkdata":    cmdMkdata,
			"cmpdata":   cmdCmpdata,
			"zfsprop":   cmdZfsprop,
			"zprops":    cmdZprops,
			"snaps":     cmdSnaps,
			"promfile":  cmdPromfile,
			"pairok":    cmdPairok,
			"killat":    cmdKillat,
			"midstream": cmdMidstream,
		},
		Condition: condition,
	}
}

func TestScripts(t *testing.T) {
	requireHosts(t)
	if root := currentTier().workdirRoot(); root != "" {
		// WorkdirRoot keeps work directories; this run's go with it.
		t.Cleanup(func() { os.RemoveAll(root) })
	}
	runLock(t, false)
	testscript.Run(t, scriptParams("testdata/script"))
}

// TestScriptsSolo runs testdata/script/solo, one script at a time and after
// TestScripts (top-level tests run in file order, each to its end): these
// scripts may crash hosts, which no other script must see. Only they have
// crash and revive. Every host is healthy again after each one.
func TestScriptsSolo(t *testing.T) {
	if currentTier().name() != "fuse" {
		t.Skip("crash scenarios run on the fuse tier only")
	}
	requireHosts(t)
	runLock(t, true)
	p := scriptParams("testdata/script/solo")
	p.Cmds["crash"] = cmdCrash
	p.Cmds["revive"] = cmdRevive
	p.Setup = func(env *testscript.Env) error {
		err := setupScript(env)
		// Deferred last so it runs first: setupScript's destroys need the hosts.
		env.Defer(func() {
			if err := reviveAll(); err != nil {
				env.T().Log(err)
			}
		})
		return err
	}
	p.Deadline, _ = t.Deadline()
	testscript.RunT(serialT{t}, p)
}

// serialT runs testscript's subtests one after another (RunT calls Parallel
// in each; this ignores it), and after each makes every host healthy again,
// however the script ended.
type serialT struct{ *testing.T }

func (serialT) Parallel() {}

func (serialT) Verbose() bool { return testing.Verbose() }

func (t serialT) Run(name string, f func(testscript.T)) {
	t.T.Run(name, func(t *testing.T) {
		t.Cleanup(func() {
			if err := reviveAll(); err != nil {
				t.Error(err)
			}
		})
		f(serialT{t})
	})
}

// reviveAll brings back every test host that is down.
func reviveAll() error {
	tr := currentTier()
	if tr.status() == nil {
		return nil
	}
	return tr.up()
}

// runLock keeps concurrent test runs on this machine (two developers, or
// a developer and a helper) out of each other's way: leftovers are cleared
// only by a run that is alone, and a run that may crash hosts (solo) waits
// until it is alone. The lock is held until the test ends.
func runLock(t *testing.T, solo bool) {
	if err := os.MkdirAll(stateDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(stateDir(), "e2e.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fd := int(f.Fd())
	if solo {
		if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
			t.Fatal(err)
		}
		clearLeftovers(t)
		return
	}
	if syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB) == nil {
		clearLeftovers(t)
	} else {
		t.Log("another e2e run is active: leftovers of earlier runs are kept")
	}
	if err := syscall.Flock(fd, syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
}

// clearLeftovers destroys datasets earlier runs left (ts-*). When zfs-fuse
// holds some of them (the leaked hold of an interrupted send), the hosts
// are restarted: importing a pool again drops those holds.
func clearLeftovers(t *testing.T) {
	left := func() (n int) {
		for host, pool := range testHosts {
			out, _ := inHost(host, nil, "zfs", "list", "-H", "-o", "name", "-d", "1", pool).Output()
			for _, ds := range strings.Fields(string(out)) {
				if strings.HasPrefix(ds, pool+"/ts-") {
					destroyDataset(host, ds)
					if inHost(host, nil, "zfs", "list", ds).Run() == nil {
						n++
					}
				}
			}
		}
		return n
	}
	if left() == 0 || currentTier().name() != "fuse" {
		return
	}
	for _, step := range []string{"down", "up"} {
		if out, err := testhosts(step).CombinedOutput(); err != nil {
			t.Fatalf("testhosts.sh %s: %v\n%s", step, err, out)
		}
	}
	if n := left(); n > 0 {
		t.Logf("%d leftover datasets could not be destroyed", n)
	}
}

// setupScript gives each script its own datasets ($SRC on hosta, $DST on
// hostb, $DSTC on hostc, all under ts-NAME) and the hosts' ssh config.
func setupScript(env *testscript.Env) error {
	name := strings.TrimSuffix(filepath.Base(env.WorkDir), filepath.Ext(env.WorkDir))
	name = strings.TrimPrefix(name, "script-")
	base := "ts-" + name
	env.Setenv("HOME", currentTier().home())
	env.Setenv("NAME", base)
	env.Setenv("SRC", "pa/"+base)
	env.Setenv("DST", "pb/"+base)
	env.Setenv("DSTC", "pc/"+base)
	env.Setenv("ZREP_DEFAULTS_FILE", filepath.Join(env.WorkDir, "zrep.defaults"))
	env.Setenv("RUNID", strconv.FormatInt(time.Now().UnixNano(), 36))
	for host, pool := range testHosts {
		ds := pool + "/" + base
		destroyDataset(host, ds)
		hostMu[host].Lock()
		out, err := inHost(host, env.Vars, "timeout", "60", "zfs", "create", ds).CombinedOutput()
		hostMu[host].Unlock()
		// A leftover that could not be destroyed (see destroyDataset) is
		// reused; scripts that can leave one use names below $RUNID.
		if err != nil && !bytes.Contains(out, []byte("dataset already exists")) {
			return fmt.Errorf("%s: zfs create %s: %v: %s", host, ds, err, out)
		}
		env.Defer(func() { destroyDataset(host, ds) })
	}
	return nil
}

// hostMu serialises the harness's own mounts and unmounts per host: with
// several at once under one pool root, zfs-fuse 0.7 has deadlocked (its
// daemon waiting on a FUSE request to its own mount), wedging the host.
var hostMu = map[string]*gosync.Mutex{"hosta": {}, "hostb": {}, "hostc": {}}

// destroyDataset retries: right after an unmount zfs-fuse can say
// "dataset is busy" for several seconds. A busy *snapshot* is held: zfs-fuse
// leaks the temporary hold of an interrupted send until the pool is next
// imported, so that dataset stays until testhosts.sh rebuilds the host.
// On OpenZFS a held snapshot is zrep's own hold (or a test's): released.
func destroyDataset(host, ds string) {
	deadline := time.Now().Add(30 * time.Second)
	for tries := 1; ; tries++ {
		hostMu[host].Lock()
		out, err := inHost(host, nil, "timeout", "60", "zfs", "destroy", "-r", ds).CombinedOutput()
		hostMu[host].Unlock()
		held := bytes.Contains(out, []byte("@")) && bytes.Contains(out, []byte("dataset is busy")) ||
			bytes.Contains(out, []byte("it's being held")) // OpenZFS
		if err == nil || bytes.Contains(out, []byte("does not exist")) || time.Now().After(deadline) || held && tries >= 3 {
			return
		}
		if held && currentTier().name() == "openzfs" {
			releaseHolds(host, ds)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// releaseHolds releases every hold on the snapshots under ds.
func releaseHolds(host, ds string) {
	script := `zfs list -H -o name -t snapshot -r "$1" | while read -r s; do
	zfs holds -H "$s" | while IFS='	' read -r n tag rest; do zfs release "$tag" "$s"; done
done`
	inHost(host, nil, "sh", "-c", script, "sh", ds).Run()
}

// inHost runs argv on a test host of the current tier.
func inHost(host string, env []string, argv ...string) *exec.Cmd {
	return inHostDir(host, "", env, argv...)
}

// inHostDir is inHost in directory dir.
func inHostDir(host, dir string, env []string, argv ...string) *exec.Cmd {
	return currentTier().cmd(host, dir, env, argv...)
}

func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "ZREP_DEFAULTS_FILE", "ZREPTAG", "ZREP_SAVE_COUNT", "ZREP_R", "SSH",
		"ZREP_SRC_HOST", "ZREP_DATEFORMAT", "ZREP_RENAME_UNSENT", "ZREP_SEND_FLAGS", "ZREP_INC_FLAG", "TZ", "WORK",
		"ZREP_OUTFILTER", "ZREP_INFILTER", "ZREP_CREATE_FLAGS", "ZREP_INIT_REMOTE_PROPERTIES", "MBUFFER",
		"ZREP_SKIP_EXPIRE", "ZREP_CHANGEDONLY", "ZREP_RESUME", "ZREP_FORCE", "ZREP_VERBOSE", "DEBUG", "ZREP_PATH", "ZREP_TEXTFILE_DIR"} {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func checkHost(ts *testscript.TestScript, host string) {
	if _, ok := testHosts[host]; !ok {
		ts.Fatalf("unknown host %q", host)
	}
}

// on HOST CMD [ARGS...]: run CMD on a test host; stdout and stderr become
// the script's, the exit status is kept for exitcode. A trailing '&' is
// not supported: use `on` inside `exec sh -c` for that.
func cmdOn(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: on HOST CMD [ARGS...]")
	}
	checkHost(ts, args[0])
	c := inHostDir(args[0], ts.Getenv("WORK"), scriptEnv(ts), args[1:]...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	ts.Stdout().Write(stdout.Bytes())
	ts.Stderr().Write(stderr.Bytes())
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	ts.Setenv("EXIT", strconv.Itoa(code))
	if (code != 0) != neg {
		ts.Fatalf("on %s: %v (exit %d)\nstderr: %s", args[0], args[1:], code, stderr.String())
	}
}

// exitcode N: the last `on` exited with N.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: exitcode N")
	}
	if got := ts.Getenv("EXIT"); got != args[0] {
		ts.Fatalf("exit code %s, want %s", got, args[0])
	}
}

// mkdata HOST FS KIB: write KIB KiB of random data in a new file, plus a
// small file with a name that needs quoting, into FS's mountpoint.
func cmdMkdata(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: mkdata HOST FS KIB")
	}
	checkHost(ts, args[0])
	writeData(ts, args[0], args[1], args[2])
}

// writeData is mkdata HOST FS KIB.
func writeData(ts *testscript.TestScript, host, fs, kib string) {
	script := `set -e
mp=$(zfs get -H -o value mountpoint "$1")
n=$(date +%s%N)
dd if=/dev/urandom of="$mp/data-$n" bs=1024 count="$2" status=none
echo "$n" > "$mp/it's a \$(file) $n"
sync`
	out, err := inHost(host, nil, "sh", "-c", script, "sh", fs, kib).CombinedOutput()
	if err != nil {
		ts.Fatalf("mkdata: %v: %s", err, out)
	}
}

// checksums lists "sha256  path" for every file under FS, mounting FS
// first if it is a replica that zrep keeps unmounted.
func checksums(ts *testscript.TestScript, host, fs string) string {
	script := `set -e
# Ancestors first: a child mounted under an unmounted parent leaves a
# directory that stops the parent's later mount (zfs recv -R remounts it).
rest=$1 ds=
while [ -n "$rest" ]; do
	part=${rest%%/*}
	[ "$part" = "$rest" ] && rest= || rest=${rest#*/}
	ds=${ds:+$ds/}$part
	[ "$(zfs get -H -o value mounted "$ds")" = yes ] || [ "$(zfs get -H -o value canmount "$ds")" = off ] || zfs mount "$ds"
done
mp=$(zfs get -H -o value mountpoint "$1")
cd "$mp" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum`
	if currentTier().name() == "openzfs" {
		script = openzfsChecksums
	}
	hostMu[host].Lock()
	out, err := inHost(host, nil, "sh", "-c", script, "sh", fs).CombinedOutput()
	hostMu[host].Unlock()
	if err != nil {
		ts.Fatalf("checksums %s:%s: %v: %s", host, fs, err, out)
	}
	return string(out)
}

// openzfsChecksums is the checksum script for real OpenZFS, where mounting
// a replica read-write makes it "modified" (atime and the like) and breaks
// its next incremental receive: what is not mounted is mounted read-only,
// ancestors first, and unmounted again afterwards, innermost first.
const openzfsChecksums = `set -e
rest=$1 ds= mounted=
nl='
'
cleanup() {
	printf '%s' "$mounted" | while IFS= read -r m; do [ -z "$m" ] || zfs unmount "$m" || true; done
}
trap cleanup EXIT
while [ -n "$rest" ]; do
	part=${rest%%/*}
	[ "$part" = "$rest" ] && rest= || rest=${rest#*/}
	ds=${ds:+$ds/}$part
	if [ "$(zfs get -H -o value mounted "$ds")" != yes ] && [ "$(zfs get -H -o value canmount "$ds")" != off ]; then
		zfs mount -o ro "$ds"
		mounted="$ds$nl$mounted"
	fi
done
mp=$(zfs get -H -o value mountpoint "$1")
cd "$mp" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum
cd /`

// cmpdata H1 FS1 H2 FS2: the files in both filesystems are identical.
func cmdCmpdata(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: cmpdata H1 FS1 H2 FS2")
	}
	checkHost(ts, args[0])
	checkHost(ts, args[2])
	a, b := checksums(ts, args[0], args[1]), checksums(ts, args[2], args[3])
	same := a == b && a != ""
	if same == neg {
		ts.Fatalf("cmpdata %v: same=%v\n%s:%s\n%s\n%s:%s\n%s", args, same, args[0], args[1], a, args[2], args[3], b)
	}
}

// zfsprop HOST DS PROP VALUE [SOURCE]: the property has that value (and
// source: local, received, inherited, default, -).
func cmdZfsprop(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 && len(args) != 5 {
		ts.Fatalf("usage: zfsprop HOST DS PROP VALUE [SOURCE]")
	}
	checkHost(ts, args[0])
	out, err := inHost(args[0], nil, "zfs", "get", "-H", "-o", "value,source", args[2], args[1]).CombinedOutput()
	if err != nil {
		ts.Fatalf("zfs get %s %s: %v: %s", args[2], args[1], err, out)
	}
	value, source, _ := strings.Cut(strings.TrimRight(string(out), "\n"), "\t")
	source, _, _ = strings.Cut(source, " ")
	match := value == args[3] && (len(args) == 4 || source == args[4])
	if match == neg {
		ts.Fatalf("%s:%s %s = %q (%s), want %s%v", args[0], args[1], args[2], value, source, map[bool]string{true: "not ", false: ""}[neg], args[3:])
	}
}

// snapshots lists FS's snapshots (full names), oldest first.
func snapshots(ts *testscript.TestScript, host, fs string) []string {
	out, err := inHost(host, nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-s", "createtxg", "-r", "-d", "1", fs).CombinedOutput()
	if err != nil {
		ts.Fatalf("zfs list %s:%s snapshots: %v: %s", host, fs, err, out)
	}
	return strings.Fields(string(out))
}

// snaps HOST FS: print FS's snapshot short names, oldest first, to stdout.
func cmdSnaps(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: snaps HOST FS")
	}
	checkHost(ts, args[0])
	var b strings.Builder
	for _, snap := range snapshots(ts, args[0], args[1]) {
		if _, short, ok := strings.Cut(snap, "@"); ok {
			b.WriteString(short + "\n")
		}
	}
	ts.Stdout().Write([]byte(b.String()))
}

var epochValue = regexp.MustCompile(`^[0-9]{9,}$`)

// zprops HOST DS: print to stdout the local and received properties of DS
// and then of each of its snapshots, oldest first, as zfs get -H prints
// them (name, property, value, source), sorted by property within each
// dataset. Values of 9 or more digits (epoch times such as TAG:sent,
// TAG:lock-time) read EPOCH, so the output can be compared with cmpenv.
// zfs-fuse leaves readonly out while DS is mounted (it reports
// "off temporary" instead of the local value).
func cmdZprops(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: zprops HOST DS")
	}
	checkHost(ts, args[0])
	names := append([]string{args[1]}, snapshots(ts, args[0], args[1])...)
	argv := append([]string{"zfs", "get", "-H", "-o", "name,property,value,source", "-s", "local,received", "all"}, names...)
	out, err := inHost(args[0], nil, argv...).CombinedOutput()
	if err != nil {
		ts.Fatalf("zprops: %v: %s", err, out)
	}
	props := map[string][][]string{}
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.SplitN(l, "\t", 4)
		if len(f) != 4 {
			continue
		}
		if epochValue.MatchString(f[2]) {
			f[2] = "EPOCH"
		}
		props[f[0]] = append(props[f[0]], f)
	}
	var b strings.Builder
	for _, name := range names {
		lines := props[name]
		slices.SortStableFunc(lines, func(x, y []string) int { return strings.Compare(x[1], y[1]) })
		for _, f := range lines {
			b.WriteString(strings.Join(f, "\t") + "\n")
		}
	}
	ts.Stdout().Write([]byte(b.String()))
}

// promfile FILE: FILE parses as Prometheus text (node_exporter's textfile
// collector reads it with the same parser); prints one line per sample,
// `NAME fs=FS VALUE`, sorted, for stdout matches.
func cmdPromfile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: promfile FILE")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(f)
	if err != nil {
		ts.Fatalf("%s does not parse: %v", args[0], err)
	}
	var lines []string
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			fs := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "fs" {
					fs = " fs=" + l.GetValue()
				}
			}
			v := m.GetGauge().GetValue()
			if m.Counter != nil {
				v = m.GetCounter().GetValue()
			}
			lines = append(lines, fmt.Sprintf("%s%s %v", name, fs, v))
		}
	}
	slices.Sort(lines)
	ts.Stdout().Write([]byte(strings.Join(lines, "\n") + "\n"))
}

// crash HOST: a power loss of HOST (testhosts.sh crash): every process in
// it is killed, its pool is left imported. Solo scripts only.
func cmdCrash(ts *testscript.TestScript, neg bool, args []string) {
	testhostsCmd(ts, neg, "crash", "crash", args)
}

// revive HOST: bring HOST back after crash (testhosts.sh up HOST; the pool
// is imported with -f). Solo scripts only.
func cmdRevive(ts *testscript.TestScript, neg bool, args []string) {
	testhostsCmd(ts, neg, "revive", "up", args)
}

func testhostsCmd(ts *testscript.TestScript, neg bool, name, step string, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: %s HOST", name)
	}
	checkHost(ts, args[0])
	out, err := testhosts(step, args[0]).CombinedOutput()
	ts.Logf("%s", out)
	if err != nil {
		ts.Fatalf("testhosts.sh %s %s: %v", step, args[0], err)
	}
}

// condition answers [feature:X] from zrep's own feature probe of hosta,
// and [tier:fuse] or [tier:openzfs] from ZREP_TEST_ZFS.
func condition(cond string) (bool, error) {
	if name, ok := strings.CutPrefix(cond, "tier:"); ok {
		if name != "fuse" && name != "openzfs" {
			return false, fmt.Errorf("unknown tier %q", name)
		}
		return currentTier().name() == name, nil
	}
	if name, ok := strings.CutPrefix(cond, "feature:"); ok {
		return hasFeature(name)
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}
