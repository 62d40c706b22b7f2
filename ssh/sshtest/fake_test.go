package sshtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/ssh/sshtest"
)

var ctx = context.Background()

func TestFakeAnswers(t *testing.T) {
	f := sshtest.New(t, "hostb")
	f.Expect([]string{"zfs", "list", "-H", "p"}).Returns("p\n")
	f.Expect([]string{"zfs", "destroy", "p/x"}).Fails(1, "cannot open 'p/x': dataset does not exist")
	f.Expect([]string{"zfs", "get", "all"}).Unreachable()
	f.ExpectPrefix([]string{"zfs", "recv"}).Returns("").Times(2)
	f.ExpectPrefix([]string{"zfs", "recv", "-F"}).Returns("forced")
	f.Expect([]string{"zfs", "version"}).Returns("1").Always()

	out, err := f.Run(ctx, []string{"zfs", "list", "-H", "p"}, nil)
	if string(out) != "p\n" || err != nil {
		t.Errorf("list: %q, %v", out, err)
	}
	_, err = f.Run(ctx, []string{"zfs", "destroy", "p/x"}, nil)
	var ee *ssh.ExitError
	if !errors.As(err, &ee) || ee.Code != 1 || ee.Host != "hostb" || !strings.Contains(ee.Stderr, "does not exist") {
		t.Errorf("destroy: %v", err)
	}
	_, err = f.Run(ctx, []string{"zfs", "get", "all"}, nil)
	var ue *ssh.UnreachableError
	if !errors.As(err, &ue) || ue.Host != "hostb" {
		t.Errorf("get: %v", err)
	}
	// The longer prefix wins; the shorter takes the rest.
	out, _ = f.Run(ctx, []string{"zfs", "recv", "-F", "p/y"}, strings.NewReader("stream 1"))
	if string(out) != "forced" {
		t.Errorf("recv -F: %q", out)
	}
	f.Run(ctx, []string{"zfs", "recv", "p/y"}, strings.NewReader("stream 2"))
	f.Run(ctx, []string{"zfs", "recv", "-F", "p/z"}, nil)

	want := [][]string{
		{"zfs", "list", "-H", "p"}, {"zfs", "destroy", "p/x"}, {"zfs", "get", "all"},
		{"zfs", "recv", "-F", "p/y"}, {"zfs", "recv", "p/y"}, {"zfs", "recv", "-F", "p/z"},
	}
	if got := f.Calls(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Calls() = %q", got)
	}
	if f.Stdin(3) != "stream 1" || f.Stdin(4) != "stream 2" || f.Stdin(0) != "" {
		t.Errorf("stdin recorded: %q %q %q", f.Stdin(3), f.Stdin(4), f.Stdin(0))
	}
}

func TestFakeStart(t *testing.T) {
	f := sshtest.New(t, "hosta")
	f.Expect([]string{"zfs", "send", "p@1"}).Returns("STREAM")
	f.Expect([]string{"zfs", "send", "p@2"}).Fails(2, "broken")
	f.Expect([]string{"zfs", "send", "p@3"}).Unreachable()

	p, err := f.Start(ctx, []string{"zfs", "send", "p@1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(p.Stdout())
	if string(b) != "STREAM" || p.Wait() != nil {
		t.Errorf("send: %q", b)
	}
	p, err = f.Start(ctx, []string{"zfs", "send", "p@2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ee *ssh.ExitError
	if !errors.As(p.Wait(), &ee) || ee.Code != 2 {
		t.Errorf("send p@2: Wait = %v", p.Wait())
	}
	if _, err := f.Start(ctx, []string{"zfs", "send", "p@3"}, nil); err == nil {
		t.Error("Start of an unreachable stub succeeded")
	}
}

func TestFakeDo(t *testing.T) {
	f := sshtest.New(t, "hostb")
	f.ExpectPrefix([]string{"echo"}).Do(func(argv []string, stdin string) (string, error) {
		return strings.Join(argv[1:], " ") + stdin, nil
	}).Always()
	out, _ := f.Run(ctx, []string{"echo", "a", "b"}, strings.NewReader("!"))
	if string(out) != "a b!" {
		t.Errorf("got %q", out)
	}
}

func TestFakeConcurrent(t *testing.T) {
	f := sshtest.New(t, "hostb")
	f.ExpectPrefix([]string{"zfs", "get"}).Returns("x").Times(50)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() { f.Run(ctx, []string{"zfs", "get", fmt.Sprint(i)}, nil) })
	}
	wg.Wait()
	if len(f.Calls()) != 50 {
		t.Errorf("%d calls recorded", len(f.Calls()))
	}
}

func TestFakeCanceled(t *testing.T) {
	f := sshtest.New(t, "hostb")
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Run(c, []string{"zfs"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

// recorder stands in for testing.T to see what the fake reports.
type recorder struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Helper()          {}

func (r *recorder) finish() {
	for _, f := range slices.Backward(r.cleanups) {
		f()
	}
}

func TestFakeUnexpectedCommand(t *testing.T) {
	r := &recorder{TB: t}
	f := sshtest.New(r, "hostb")
	f.Expect([]string{"zfs", "list"})
	_, err := f.Run(ctx, []string{"zfs", "destroy", "-r", "pool"}, nil)
	if err == nil {
		t.Error("unexpected command succeeded")
	}
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], `unexpected command ["zfs" "destroy" "-r" "pool"]`) ||
		!strings.Contains(r.errors[0], `Expect(["zfs" "list"]) used 0 of 1`) {
		t.Errorf("reported %q", r.errors)
	}
}

func TestFakeUnmatchedStubs(t *testing.T) {
	r := &recorder{TB: t}
	f := sshtest.New(r, "hostb")
	f.Expect([]string{"zfs", "list"})
	f.Expect([]string{"zfs", "get"}).Times(2)
	f.Expect([]string{"zfs", "version"}).Always()
	f.Run(ctx, []string{"zfs", "list"}, nil)
	f.Run(ctx, []string{"zfs", "get"}, nil)
	r.finish()
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "unmatched stubs") ||
		!strings.Contains(r.errors[0], `Expect(["zfs" "get"]) used 1 of 2`) || strings.Contains(r.errors[0], "version") {
		t.Errorf("reported %q", r.errors)
	}
}

func TestFakeUsedUp(t *testing.T) {
	r := &recorder{TB: t}
	f := sshtest.New(r, "hostb")
	f.Expect([]string{"zfs", "list"})
	f.Run(ctx, []string{"zfs", "list"}, nil)
	if _, err := f.Run(ctx, []string{"zfs", "list"}, nil); err == nil || len(r.errors) != 1 {
		t.Errorf("a stub used twice: %v, reported %q", err, r.errors)
	}
}
