package main

// Commands for the fault scenarios (fault-*.txtar): killat drives a crash
// at an exact step, pairok checks the state every fault must end in.

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// killat HOST REGEXP ARGS...: run `zrep -D ARGS` on HOST with
// ZREP_TEST_KILL_AT=REGEXP, so zrep kills itself (SIGKILL) just before
// the first command matching REGEXP in the -D form "HOST: zfs ...".
// Fails unless zrep died that way, at a command that matches: a run that
// failed earlier, or finished, proves nothing. The trace goes to stderr.
func cmdKillat(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || neg {
		ts.Fatalf("usage: killat HOST REGEXP ARGS...")
	}
	checkHost(ts, args[0])
	at, err := regexp.Compile(args[1])
	if err != nil {
		ts.Fatalf("killat: %v", err)
	}
	env := append(scriptEnv(ts), "ZREP_TEST_KILL_AT="+args[1])
	argv := append([]string{"sh", "-c", `zrep -D "$@"; echo "zrep exit $?"`, "sh"}, args[2:]...)
	var stdout, stderr bytes.Buffer
	c := inHostDir(args[0], ts.Getenv("WORK"), env, argv...)
	c.Stdout, c.Stderr = &stdout, &stderr
	err = c.Run()
	ts.Stderr().Write(stderr.Bytes())
	var last string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if d, ok := debugLine(l); ok {
			last = d
		}
	}
	if err != nil || !strings.Contains(stdout.String(), "zrep exit 137") || !at.MatchString(last) {
		ts.Fatalf("killat %s %q: zrep was not killed there (%v, %s); last command: %s", args[0], args[1], err, strings.TrimSpace(stdout.String()), last)
	}
}

type pairSide struct{ host, fs string }

// pairok H1 FS1 H2 FS2: the pair is healthy, as every fault scenario must
// leave it once its recovering runs are done: the same files on both
// sides, exactly one master, no TAG:lock-pid on either side, no more zrep
// snapshots than savecount on either side (deferred destroys aside), and
// it still syncs incrementally: new data on the master goes over with
// `zrep sync` (an incremental send, nothing on stderr but the trace),
// after which all of the above holds again.
func cmdPairok(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 || neg {
		ts.Fatalf("usage: pairok H1 FS1 H2 FS2")
	}
	checkHost(ts, args[0])
	checkHost(ts, args[2])
	tag := ts.Getenv("ZREPTAG")
	if tag == "" {
		tag = "zrep"
	}
	sides := []pairSide{{args[0], args[1]}, {args[2], args[3]}}
	master := pairState(ts, tag, sides, "before the check's sync")
	writeData(ts, master.host, master.fs, "64")
	c := inHostDir(master.host, ts.Getenv("WORK"), scriptEnv(ts), "zrep", "-D", "sync", master.fs)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	var extra, sends []string
	for _, l := range strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n") {
		d, ok := debugLine(l)
		switch {
		case !ok && l != "":
			extra = append(extra, l)
		case strings.HasPrefix(d, master.host+": zfs send "):
			sends = append(sends, d)
		}
	}
	incremental := len(sends) == 1 && regexp.MustCompile(` -[iI] `).MatchString(sends[0])
	if err != nil || stdout.Len() > 0 || len(extra) > 0 || !incremental {
		ts.Fatalf("pairok: zrep sync %s on %s: %v\nstdout: %s\nnot the trace: %q\nsends: %q (want one incremental)", master.fs, master.host, err, stdout.String(), extra, sends)
	}
	pairState(ts, tag, sides, "after the check's sync")
}

// pairState checks everything pairok does but the sync, and returns the
// master.
func pairState(ts *testscript.TestScript, tag string, sides []pairSide, when string) pairSide {
	var masters []pairSide
	for _, s := range sides {
		if prop(ts, s.host, s.fs, tag+":master") == "yes" {
			masters = append(masters, s)
		}
		if v := prop(ts, s.host, s.fs, tag+":lock-pid"); v != "-" {
			ts.Fatalf("pairok %s: %s:%s has %s:lock-pid=%s", when, s.host, s.fs, tag, v)
		}
	}
	if len(masters) != 1 {
		ts.Fatalf("pairok %s: %d masters (%v), want exactly one", when, len(masters), masters)
	}
	a, b := checksums(ts, sides[0].host, sides[0].fs), checksums(ts, sides[1].host, sides[1].fs)
	if a != b || a == "" {
		ts.Fatalf("pairok %s: the files differ\n%s:%s\n%s\n%s:%s\n%s", when, sides[0].host, sides[0].fs, a, sides[1].host, sides[1].fs, b)
	}
	save, err := strconv.Atoi(prop(ts, masters[0].host, masters[0].fs, tag+":savecount"))
	if err != nil {
		ts.Fatalf("pairok %s: %s:savecount on the master: %v", when, tag, err)
	}
	for _, s := range sides {
		if n := zrepSnapshots(ts, tag, s); n > save {
			ts.Fatalf("pairok %s: %s:%s keeps %d %s snapshots, savecount is %d", when, s.host, s.fs, n, tag, save)
		}
	}
	return masters[0]
}

// prop is one property's value ("-" when unset).
func prop(ts *testscript.TestScript, host, ds, name string) string {
	out, err := inHost(host, nil, "zfs", "get", "-H", "-o", "value", name, ds).CombinedOutput()
	if err != nil {
		ts.Fatalf("zfs get %s %s on %s: %v: %s", name, ds, host, err, out)
	}
	return strings.TrimRight(string(out), "\n")
}

// zrepSnapshots counts s's TAG_NNNNNN snapshots (sent or _unsent) that are
// not marked for deferred destruction (zfs-fuse keeps the snapshots of a
// killed send held until its pool is next imported).
func zrepSnapshots(ts *testscript.TestScript, tag string, s pairSide) int {
	out, err := inHost(s.host, nil, "zfs", "list", "-H", "-o", "name,defer_destroy", "-t", "snapshot", "-r", "-d", "1", s.fs).CombinedOutput()
	if err != nil {
		ts.Fatalf("zfs list %s:%s snapshots: %v: %s", s.host, s.fs, err, out)
	}
	serial := regexp.MustCompile(`@` + regexp.QuoteMeta(tag) + `_[0-9a-f]+(_unsent)?\t`)
	n := 0
	for _, l := range strings.Split(string(out), "\n") {
		if serial.MatchString(l) && !strings.HasSuffix(l, "\ton") {
			n++
		}
	}
	return n
}

// midstream FAULT HOST PEER PEERFS ARGS...: run `zrep ARGS` on HOST with
// a stalling receiver (ZREP_INFILTER: the first MiB passes, then the
// stream waits), apply FAULT once that MiB has arrived, release the stall
// and print "zrep exit N". PEER:PEERFS is the dataset that the partner's
// side of the transfer names (the replica for sync, the master for
// refresh). Faults, applied to this pair's processes only (other scenarios
// run beside it): kill-zrep (kill -9 of zrep), kill-recv (kill -9 of the
// zfs recv on PEER), cut-ssh (kill -9 of the external ssh to PEER; zrep
// runs with SSH=ssh). It returns once the partner's zfs send or recv has
// ended too. zrep's stderr is in $WORK/midstream.err.
func cmdMidstream(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 5 || neg {
		ts.Fatalf("usage: midstream kill-zrep|kill-recv|cut-ssh HOST PEER PEERFS ARGS...")
	}
	if !slices.Contains([]string{"kill-zrep", "kill-recv", "cut-ssh"}, args[0]) {
		ts.Fatalf("midstream: unknown fault %q", args[0])
	}
	checkHost(ts, args[2])
	for name, text := range map[string]string{"stall.sh": stallScript, "midstream.sh": midstreamScript} {
		if err := os.WriteFile(ts.MkAbs(name), []byte(text), 0o644); err != nil {
			ts.Fatalf("midstream: %v", err)
		}
	}
	// A local directory (/tmp) for the FIFO: the OpenZFS guest's 9p share
	// takes none. The hosts share /tmp.
	dir := "/tmp/" + ts.Getenv("NAME") + "-midstream"
	// OpenSSH reads ~/.ssh from the password file: on the fuse tier its
	// wrapper adds -F $HOME/.ssh/config.
	sshProg := "ssh"
	if currentTier().name() == "fuse" {
		sshProg = filepath.Join(stateDir(), "bin", "ssh")
	}
	cmdOn(ts, false, append([]string{args[1], "sh", ts.MkAbs("midstream.sh"), args[0], dir, args[2], args[3], sshProg}, args[4:]...))
}

// stallScript DIR: pass the first MiB of the stream, touch DIR/flag, wait
// until DIR/go is written, then pass the rest.
const stallScript = `dd bs=64k count=16 iflag=fullblock 2>/dev/null
touch "$1/flag"
read x < "$1/go"
exec cat
`

const midstreamScript = `fault=$1 dir=$2 peer=$3 peerfs=$4 ssh=$5; shift 5
work=$(dirname "$0")
mkdir -p "$dir"; rm -f "$dir/flag" "$dir/go"; mkfifo "$dir/go"
export ZREP_INFILTER="sh $work/stall.sh $dir"
[ "$fault" = cut-ssh ] && export SSH="$ssh"
zrep "$@" 2>"$work/midstream.err" & p=$!
while [ ! -e "$dir/flag" ]; do
	kill -0 $p 2>/dev/null || { echo "zrep ended before the stream stalled"; cat "$work/midstream.err"; exit 1; }
	sleep 0.1
done
case $fault in
kill-zrep) kill -KILL $p ;;
kill-recv) $ssh "$peer" pkill -KILL -f "'^zfs recv .* $peerfs\$'" ;;
cut-ssh) pkill -KILL -f "^[^ ]*ssh .*$peer.*zfs (send|recv).* $peerfs" ;;
esac
# The receiver's pipe end: opened read-write, so writing never blocks
# even when the stall's reader is gone.
exec 3<>"$dir/go"; echo go >&3
wait $p; rc=$?
# The partner's side of the transfer ends on its own once the stream is
# gone; what runs next must not meet it half-way.
while $ssh "$peer" pgrep -f "'^zfs (send|recv) .*$peerfs'" >/dev/null; do sleep 0.2; done
echo "zrep exit $rc"
`

// stampRE is the timestamp zrep puts before its -D and -v lines when
// stderr is not a terminal (as in these tests).
var stampRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+ `)

// debugLine is a -D trace line without its timestamp and DEBUG: prefix.
func debugLine(l string) (string, bool) {
	return strings.CutPrefix(stampRE.ReplaceAllString(l, ""), "DEBUG: ")
}
