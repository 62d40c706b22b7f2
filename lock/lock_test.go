package lock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestTryLockExcludesAndReleases(t *testing.T) {
	l, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h, err := l.TryLock("hosta", "pa/a b")
	if err != nil {
		t.Fatal(err)
	}
	// flock is per open file description, so a second Flock in the same
	// process conflicts just as another process would.
	_, err = l.TryLock("hosta", "pa/a b")
	var be *BusyError
	if !errors.As(err, &be) || be.PID != os.Getpid() {
		t.Fatalf("second lock: got %v, want BusyError with our pid", err)
	}
	if _, err := l.TryLock("hostb", "pa/a b"); err != nil {
		t.Fatalf("other host, same name: %v", err)
	}
	if err := h.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := h.Unlock(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}
	h2, err := l.TryLock("hosta", "pa/a b")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	h2.Unlock()
}

func TestGlobalRuns(t *testing.T) {
	l, _ := New(t.TempDir())
	ran := false
	if err := l.Global(context.Background(), func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("Global: ran=%v err=%v", ran, err)
	}
}

func TestDir(t *testing.T) {
	env := map[string]string{"ZREP_RUNDIR": "/x"}
	if got := Dir(func(k string) string { return env[k] }); got != "/x/zrep" {
		t.Fatalf("Dir = %q", got)
	}
}

// Another process's flock excludes us while it lives and is free the
// moment it dies: no stale locks.
func TestLockFreedWhenHolderDies(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock(1) not installed")
	}
	dir := t.TempDir()
	l, _ := New(dir)
	held, err := l.TryLock("hosta", "pa/x")
	if err != nil {
		t.Fatal(err)
	}
	path := held.fl.Path()
	held.Unlock()
	holder := exec.Command("flock", "-o", path, "sleep", "5") // -o: only flock(1) holds it
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	var be *BusyError
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		h, err := l.TryLock("hosta", "pa/x")
		if errors.As(err, &be) {
			break
		}
		h.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("the other process's lock was never seen")
		}
	}
	holder.Process.Kill()
	holder.Wait()
	h, err := l.TryLock("hosta", "pa/x")
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	h.Unlock()
}
