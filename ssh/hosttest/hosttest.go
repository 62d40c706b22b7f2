// Package hosttest is the behaviour every ssh.Host must show, as one suite
// run against each implementation: locally, over the in-process test
// server, over a real sshd.
package hosttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zrep-go/zrep/ssh"
)

// The remote side needs sh, printf, cat, head, yes and sleep; pgrep is
// used when there.

// Hostile are arguments that a shell would mangle if quoting went wrong.
var Hostile = []string{
	"two  spaces", "tab\there", "new\nline", "", "it's", `say "hi"`, `back\slash`,
	"$(echo pwned)", "`echo pwned`", "$HOME", "${HOME}", "; echo pwned", "| cat", "&& true", "&",
	"#not a comment", "~", "~root", "*", "?", "[a]", "{a,b}", "a=b", ">out", "<in", "!", "-n",
	"pool/fs@snap", "pool/fs#bm", "é ü", "trailing\\",
}

// Run runs the suite against h.
func Run(t *testing.T, h ssh.Host) {
	t.Run("Name", func(t *testing.T) {
		if h.Name() == "" {
			t.Error("Name() is empty")
		}
	})
	t.Run("Stdout", func(t *testing.T) { testOutput(t, h, []string{"a", "b c"}) })
	t.Run("HostileArgv", func(t *testing.T) { testOutput(t, h, Hostile) })
	t.Run("ExitStatus", func(t *testing.T) { testExitStatus(t, h) })
	t.Run("Stderr", func(t *testing.T) { testStderr(t, h) })
	t.Run("StderrCapped", func(t *testing.T) { testStderrCapped(t, h) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, h) })
	t.Run("Stdin", func(t *testing.T) { testStdin(t, h) })
	t.Run("NoStdin", func(t *testing.T) { testNoStdin(t, h) })
	t.Run("BigOutput", func(t *testing.T) { testBigOutput(t, h) })
	t.Run("BigStdinAndOutput", func(t *testing.T) { testBigRoundTrip(t, h) })
	t.Run("Start", func(t *testing.T) { testStart(t, h) })
	t.Run("StartExitStatus", func(t *testing.T) { testStartExit(t, h) })
	t.Run("StartStdin", func(t *testing.T) { testStartStdin(t, h) })
	t.Run("CancelMidStream", func(t *testing.T) { testCancelStream(t, h) })
	t.Run("CancelRun", func(t *testing.T) { testCancelRun(t, h) })
	t.Run("CancelReader", func(t *testing.T) { testCancelReader(t, h) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, h) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func testOutput(t *testing.T, h ssh.Host, args []string) {
	out, err := h.Run(ctx(t), append([]string{"printf", `%s\n`}, args...), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(args, "\n") + "\n"
	if string(out) != want {
		t.Errorf("printf of %q\ngot  %q\nwant %q", args, out, want)
	}
}

func exitError(t *testing.T, h ssh.Host, err error, code int) *ssh.ExitError {
	t.Helper()
	var ee *ssh.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("got %T %v, want *ssh.ExitError", err, err)
	}
	if ee.Code != code {
		t.Errorf("exit code %d, want %d (%v)", ee.Code, code, ee)
	}
	if ee.Host != h.Name() {
		t.Errorf("ExitError.Host = %q, want %q", ee.Host, h.Name())
	}
	return ee
}

func testExitStatus(t *testing.T, h ssh.Host) {
	argv := []string{"sh", "-c", "exit 3"}
	_, err := h.Run(ctx(t), argv, nil)
	ee := exitError(t, h, err, 3)
	if !slices.Equal(ee.Argv, argv) {
		t.Errorf("ExitError.Argv = %q, want %q", ee.Argv, argv)
	}
	if !strings.Contains(ee.Error(), h.Name()) {
		t.Errorf("%q does not name the host", ee.Error())
	}
}

func testStderr(t *testing.T, h ssh.Host) {
	out, err := h.Run(ctx(t), []string{"sh", "-c", "echo out; echo 'cannot open: oops' >&2; exit 1"}, nil)
	ee := exitError(t, h, err, 1)
	if strings.TrimSpace(ee.Stderr) != "cannot open: oops" {
		t.Errorf("Stderr = %q", ee.Stderr)
	}
	if !strings.Contains(ee.Error(), "cannot open: oops") {
		t.Errorf("Error() = %q, want the stderr in it", ee.Error())
	}
	if string(out) != "out\n" {
		t.Errorf("stdout = %q, want %q", out, "out\n")
	}
}

func testStderrCapped(t *testing.T, h ssh.Host) {
	_, err := h.Run(ctx(t), []string{"sh", "-c", "yes xxxxxxx | head -c 300000 >&2; echo LAST >&2; exit 2"}, nil)
	ee := exitError(t, h, err, 2)
	if !strings.HasSuffix(ee.Stderr, "LAST\n") {
		t.Errorf("Stderr does not end with the last line: ...%q", tail(ee.Stderr, 40))
	}
	if len(ee.Stderr) > 100<<10 {
		t.Errorf("Stderr kept %d bytes, want it capped", len(ee.Stderr))
	}
}

func testNotFound(t *testing.T, h ssh.Host) {
	_, err := h.Run(ctx(t), []string{"zrep-no-such-command", "x"}, nil)
	ee := exitError(t, h, err, 127)
	if !strings.Contains(ee.Stderr, "zrep-no-such-command") {
		t.Errorf("Stderr = %q, want the command named", ee.Stderr)
	}
}

func testStdin(t *testing.T, h ssh.Host) {
	in := "line 1\n\x00binary\xff\n'\"$x\n"
	out, err := h.Run(ctx(t), []string{"cat"}, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("cat: got %q, want %q", out, in)
	}
}

func testNoStdin(t *testing.T, h ssh.Host) {
	out, err := h.Run(ctx(t), []string{"cat"}, nil)
	if err != nil || len(out) != 0 {
		t.Errorf("cat with no stdin: %q, %v; want EOF at once", out, err)
	}
}

const bigSize = 10 << 20

func pattern(n int) []byte {
	return bytes.Repeat([]byte("0123456789abcdef\n"), n/17+1)[:n]
}

func testBigOutput(t *testing.T, h ssh.Host) {
	out, err := h.Run(ctx(t), []string{"sh", "-c", fmt.Sprintf("yes 0123456789abcdef | head -c %d", bigSize)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, pattern(bigSize)) {
		t.Errorf("got %d bytes, want %d of the pattern", len(out), bigSize)
	}
}

func testBigRoundTrip(t *testing.T, h ssh.Host) {
	in := pattern(bigSize)
	out, err := h.Run(ctx(t), []string{"cat"}, bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		t.Errorf("cat of %d bytes returned %d, not the same", len(in), len(out))
	}
}

func testStart(t *testing.T, h ssh.Host) {
	p, err := h.Start(ctx(t), []string{"printf", `%s\n`, "a b", "c"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(p.Stdout())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if string(out) != "a b\nc\n" {
		t.Errorf("got %q", out)
	}
}

func testStartExit(t *testing.T, h ssh.Host) {
	p, err := h.Start(ctx(t), []string{"sh", "-c", "echo partial; echo why >&2; exit 4"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(p.Stdout())
	ee := exitError(t, h, p.Wait(), 4)
	if string(out) != "partial\n" || strings.TrimSpace(ee.Stderr) != "why" {
		t.Errorf("stdout %q, stderr %q", out, ee.Stderr)
	}
}

func testStartStdin(t *testing.T, h ssh.Host) {
	in := pattern(1 << 20)
	p, err := h.Start(ctx(t), []string{"cat"}, bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(p.Stdout())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		t.Errorf("got %d bytes back, want the %d sent", len(out), len(in))
	}
}

// within fails the test if fn does not return in time: a cancel that does
// not stop a command would hang a cron run.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

func testCancelStream(t *testing.T, h ssh.Host) {
	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	p, err := h.Start(c, []string{"yes", "endless"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(p.Stdout(), make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	cancel()
	within(t, 10*time.Second, "reading after cancel", func() { io.Copy(io.Discard, p.Stdout()) })
	var werr error
	within(t, 10*time.Second, "Wait after cancel", func() { werr = p.Wait() })
	if !errors.Is(werr, context.Canceled) {
		t.Errorf("Wait after cancel: %v, want context.Canceled", werr)
	}
}

// A command that neither reads nor writes may outlive a cancel (see
// testCancelReader), but the caller must get control back at once.
func testCancelRun(t *testing.T, h ssh.Host) {
	c, cancel := context.WithTimeout(ctx(t), 300*time.Millisecond)
	defer cancel()
	var err error
	within(t, 3*time.Second, "Run after its deadline", func() {
		_, err = h.Run(c, []string{"sleep", "4"}, nil)
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run past its deadline: %v, want context.DeadlineExceeded", err)
	}
}

// A canceled command waiting for its stdin (as zfs recv does) is gone from
// the host soon after, whatever the transport: over SSH a closed channel
// gives it EOF even where sshd ignores the kill signal (root logins).
func testCancelReader(t *testing.T, h ssh.Host) {
	// The marker is $0 of the shell, for pgrep; "[z]" keeps the pattern
	// from matching the shell that runs pgrep.
	mark := fmt.Sprintf("zrep-cancel-%d", time.Now().UnixNano())
	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	stdin, feed := io.Pipe() // never written: the command waits
	defer feed.Close()
	p, err := h.Start(c, []string{"sh", "-c", "cat >/dev/null", mark}, stdin)
	if err != nil {
		t.Fatal(err)
	}
	pgrep := []string{"pgrep", "-f", "[z]" + mark[1:]}
	waitFor(t, h, pgrep, 0, "the command to start")
	cancel()
	within(t, 5*time.Second, "reading after cancel", func() { io.Copy(io.Discard, p.Stdout()) })
	var werr error
	within(t, 5*time.Second, "Wait after cancel", func() { werr = p.Wait() })
	if !errors.Is(werr, context.Canceled) {
		t.Errorf("Wait after cancel: %v, want context.Canceled", werr)
	}
	waitFor(t, h, pgrep, 1, "the canceled command to go")
}

// waitFor runs argv until it exits with code, for up to 5 s.
func waitFor(t *testing.T, h ssh.Host, argv []string, code int, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := h.Run(ctx(t), argv, nil)
		got := 0
		var ee *ssh.ExitError
		if errors.As(err, &ee) {
			got = ee.Code
		} else if err != nil {
			t.Fatal(err)
		}
		if got == 127 {
			t.Skipf("%s: not found on the host", argv[0])
		}
		if got == code {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s (%q exits %d)", what, argv, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func testConcurrent(t *testing.T, h ssh.Host) {
	const n = 25 // above OpenSSH's MaxSessions of 10
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			out, err := h.Run(ctx(t), []string{"sh", "-c", "sleep 0.2; echo $0", fmt.Sprint(i)}, nil)
			if err == nil && string(out) != fmt.Sprintf("%d\n", i) {
				err = fmt.Errorf("command %d printed %q", i, out)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
