package lock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func newLocker(t *testing.T) (*Locker, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "zrep")
	l, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dir
}

func TestTryLockExcludesAndReleases(t *testing.T) {
	l, _ := newLocker(t)
	h, err := l.TryLock("hosta", "pa/a b")
	if err != nil {
		t.Fatal(err)
	}
	// flock is per open file description, so a second lock in the same
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
	l, _ := newLocker(t)
	ran := false
	if err := l.Global(context.Background(), func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("Global: ran=%v err=%v", ran, err)
	}
}

func TestGlobalCancelled(t *testing.T) {
	l, dir := newLocker(t)
	other, err := os.Open(filepath.Join(dir, "global.lock"))
	if err != nil {
		l.Global(context.Background(), func() error { return nil }) // creates it
		if other, err = os.Open(filepath.Join(dir, "global.lock")); err != nil {
			t.Fatal(err)
		}
	}
	defer other.Close()
	if err := syscall.Flock(int(other.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = l.Global(ctx, func() error { t.Error("ran without the lock"); return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the caller's deadline", err)
	}
}

func TestDir(t *testing.T) {
	env := map[string]string{"ZREP_RUNDIR": "/x"}
	get := func(k string) string { return env[k] }
	if got, err := Dir(get); got != "/x/zrep" || err != nil {
		t.Fatalf("Dir = %q, %v", got, err)
	}
	env["ZREP_RUNDIR"] = "relative/dir"
	if _, err := Dir(get); err == nil || !strings.Contains(err.Error(), "not an absolute path") {
		t.Fatalf("relative ZREP_RUNDIR: %v", err)
	}
	delete(env, "ZREP_RUNDIR")
	got, _ := Dir(get)
	if os.Geteuid() == 0 && got != RootDir {
		t.Fatalf("root: Dir = %q, want %s", got, RootDir)
	}
}

func TestPrivateDir(t *testing.T) {
	uid := os.Geteuid()
	d := t.TempDir()
	os.Chmod(d, 0o700)
	if !privateDir(d, uid) {
		t.Errorf("%s 0700 of ours: not private", d)
	}
	if privateDir(d, uid+1) {
		t.Errorf("someone else's directory counted as private")
	}
	os.Chmod(d, 0o777)
	if privateDir(d, uid) {
		t.Errorf("0777 counted as private")
	}
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(d, link)
	os.Chmod(d, 0o700)
	if privateDir(link, uid) {
		t.Errorf("a symlink counted as private")
	}
}

func TestNewCreatesPrivateDir(t *testing.T) {
	_, dir := newLocker(t)
	st, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o077 != 0 || !st.IsDir() {
		t.Fatalf("created %v, want a 0700 directory", st.Mode())
	}
}

// wantUnsafe checks err is an *UnsafeError naming path and problem, with
// a hint.
func wantUnsafe(t *testing.T, err error, path, problem string) {
	t.Helper()
	var ue *UnsafeError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnsafeError", err)
	}
	if ue.Path != path || !strings.Contains(ue.Problem, problem) {
		t.Fatalf("got %q (path %s), want %s %q", err, ue.Path, path, problem)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("%q does not name %s", err, path)
	}
}

func TestNewRefusesUnsafeDirs(t *testing.T) {
	base := t.TempDir()
	victim := filepath.Join(base, "victim")
	os.Mkdir(victim, 0o700)

	link := filepath.Join(base, "link")
	os.Symlink(victim, link)
	_, err := New(link)
	wantUnsafe(t, err, link, "is a symlink (to "+victim+")")

	for _, mode := range []os.FileMode{0o777, 0o770, 0o702, 0o1777} {
		d := filepath.Join(base, "open"+mode.String())
		os.Mkdir(d, 0o700)
		os.Chmod(d, mode|map[bool]os.FileMode{true: os.ModeSticky}[mode&0o1000 != 0])
		_, err := New(d)
		wantUnsafe(t, err, d, "is writable by others")
	}

	file := filepath.Join(base, "file")
	os.WriteFile(file, []byte("x"), 0o600)
	_, err = New(file)
	wantUnsafe(t, err, file, "is not a directory")

	if _, err := New(filepath.Join(base, "missing", "zrep")); err == nil || !strings.Contains(err.Error(), "parent does not exist") {
		t.Fatalf("missing parent: %v", err)
	}
}

func TestNewRefusesForeignOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory away")
	}
	d := filepath.Join(t.TempDir(), "zrep")
	os.Mkdir(d, 0o700)
	if err := os.Chown(d, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	_, err := New(d)
	wantUnsafe(t, err, d, "is owned by uid 65534, not by us (uid 0)")
}

// A planted lock file never makes zrep write through it or follow it.
func TestPlantedLockFiles(t *testing.T) {
	l, dir := newLocker(t)
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious\n"), 0o644)
	path := filepath.Join(dir, FileName("hosta", "pa/x"))

	os.Symlink(victim, path)
	_, err := l.TryLock("hosta", "pa/x")
	wantUnsafe(t, err, path, "is a symlink")
	os.Remove(path)

	os.Symlink(victim, filepath.Join(dir, "global.lock"))
	err = l.Global(context.Background(), func() error { t.Error("ran"); return nil })
	wantUnsafe(t, err, filepath.Join(dir, "global.lock"), "is a symlink")
	os.Remove(filepath.Join(dir, "global.lock"))

	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := l.TryLock("hosta", "pa/x"); done <- err }()
	select {
	case err := <-done:
		wantUnsafe(t, err, path, "is not a regular file")
	case <-time.After(5 * time.Second):
		t.Fatal("a planted FIFO hung TryLock")
	}
	os.Remove(path)

	os.Mkdir(path, 0o700)
	_, err = l.TryLock("hosta", "pa/x")
	if err == nil {
		t.Fatal("a directory in place of the lock file was accepted")
	}
	os.Remove(path)

	hard := filepath.Join(filepath.Dir(victim), "mine")
	os.WriteFile(hard, []byte("mine\n"), 0o600)
	os.Link(hard, path)
	_, err = l.TryLock("hosta", "pa/x")
	wantUnsafe(t, err, path, "has 2 hard links")
	os.Remove(path)

	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Fatalf("victim now %q", b)
	}
}

// The holder is what the kernel says, not what the file says; the file
// is never truncated or written.
func TestPlantedHolderIsNotBelieved(t *testing.T) {
	l, dir := newLocker(t)
	path := filepath.Join(dir, FileName("hosta", "pa/x"))
	os.WriteFile(path, []byte("1\n"), 0o600)
	h, err := l.TryLock("hosta", "pa/x")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Unlock()
	_, err = l.TryLock("hosta", "pa/x")
	var be *BusyError
	if !errors.As(err, &be) || be.PID != os.Getpid() {
		t.Fatalf("got %v, want busy with our pid %d (not the planted 1)", err, os.Getpid())
	}
	if b, _ := os.ReadFile(path); string(b) != "1\n" {
		t.Fatalf("lock file content changed to %q", b)
	}
}

func TestFileNameFitsAnyName(t *testing.T) {
	long := "pa/" + strings.Repeat("x", 100) + "/" + strings.Repeat("y b:z.-_", 19)
	long = long[:255]
	names := map[string]bool{}
	for _, c := range []struct{ host, ds string }{
		{"hosta", long}, {"hostb", long}, {"hosta", "pa/x"}, {"hosta", "pa/y/x"}, {"hosta", "pa/.."}, {"hosta", "pa/é"},
	} {
		n := FileName(c.host, c.ds)
		if len(n) > 110 || strings.ContainsAny(n, "/ ") || strings.HasPrefix(n, ".") {
			t.Errorf("FileName(%q, %q) = %q", c.host, c.ds, n)
		}
		if names[n] {
			t.Errorf("FileName(%q, %q) = %q collides", c.host, c.ds, n)
		}
		names[n] = true
	}
	if n := FileName("hosta", "pa/data"); !strings.HasPrefix(n, "data-") || !strings.HasSuffix(n, ".lock") {
		t.Errorf("FileName(pa/data) = %q, want data-<sha256>.lock", n)
	}
	l, _ := newLocker(t)
	h, err := l.TryLock("hosta", long)
	if err != nil {
		t.Fatalf("255-byte name: %v", err)
	}
	h.Unlock()
}

func TestFlockHolder(t *testing.T) {
	// /proc/locks as Linux 6.1 prints it (device numbers hex, inode decimal).
	const text = `1: POSIX  ADVISORY  WRITE 900 00:1a:77 0 EOF
2: FLOCK  ADVISORY  WRITE 4321 00:1a:1234 0 EOF
2: -> FLOCK  ADVISORY  WRITE 999 00:1a:1234 0 EOF
3: FLOCK  ADVISORY  READ 55 fd:01:1234 0 EOF
4: FLOCK  ADVISORY  WRITE 66 fd:01:1234 0 EOF
`
	for _, c := range []struct {
		major, minor, ino uint64
		want              int
	}{{0, 0x1a, 1234, 4321}, {0xfd, 1, 1234, 66}, {0, 0x1a, 77, 0}, {0, 0x1b, 1234, 0}} {
		if got := flockHolder(text, c.major, c.minor, c.ino); got != c.want {
			t.Errorf("flockHolder(%x:%x:%d) = %d, want %d", c.major, c.minor, c.ino, got, c.want)
		}
	}
}

// Another process's flock excludes us while it lives and is free the
// moment it dies: no stale locks. Its PID is the one reported.
func TestLockFreedWhenHolderDies(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock(1) not installed")
	}
	l, dir := newLocker(t)
	held, err := l.TryLock("hosta", "pa/x")
	if err != nil {
		t.Fatal(err)
	}
	held.Unlock()
	path := filepath.Join(dir, FileName("hosta", "pa/x"))
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
	if be.PID != holder.Process.Pid {
		t.Errorf("holder pid %d, want flock(1)'s %d", be.PID, holder.Process.Pid)
	}
	holder.Process.Kill()
	holder.Wait()
	h, err := l.TryLock("hosta", "pa/x")
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	h.Unlock()
}

// heldLocker is a Locker whose pa/x on hosta is taken by holder (released
// at the end of the test, if not before).
func heldLocker(t *testing.T) (*Locker, *Held) {
	t.Helper()
	l, _ := newLocker(t)
	holder, err := l.TryLock("hosta", "pa/x")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Unlock() })
	return l, holder
}

// tryX tries pa/x on hosta, as a sync does under the global lock.
func tryX(l *Locker) func() error {
	return func() error {
		h, err := l.TryLock("hosta", "pa/x")
		h.Unlock()
		return err
	}
}

// With Wait, a dataset lock another run holds is waited for: the holder
// here lets go when told that we wait, so the lock is taken at the retry.
func TestGlobalWaitsForBusyLock(t *testing.T) {
	l, holder := heldLocker(t)
	l.Wait = time.Hour
	told := 0
	l.Waiting = func(busy *BusyError, limit time.Duration) {
		told++
		if busy.Dataset != "pa/x" || limit != time.Hour {
			t.Errorf("Waiting(%v, %v)", busy, limit)
		}
		holder.Unlock()
	}
	var held *Held
	err := l.Global(context.Background(), func() (err error) { held, err = l.TryLock("hosta", "pa/x"); return err })
	if err != nil || held == nil || told != 1 {
		t.Fatalf("got %v, told %d times", err, told)
	}
	held.Unlock()
}

// Past Wait the lock counts as busy and says how long it was waited for;
// other errors and success return at once.
func TestGlobalWaitGivesUp(t *testing.T) {
	l, _ := heldLocker(t)
	l.Wait = 300 * time.Millisecond
	err := l.Global(context.Background(), tryX(l))
	var be *BusyError
	if !errors.As(err, &be) || be.Waited != l.Wait || !strings.HasSuffix(err.Error(), ", still after waiting 0s") {
		t.Fatalf("got %v, want BusyError after waiting", err)
	}
	calls := 0
	other := errors.New("other")
	if err := l.Global(context.Background(), func() error { calls++; return other }); err != other || calls != 1 {
		t.Fatalf("other error: %v after %d calls", err, calls)
	}
}

// A cancelled wait ends with the busy error at once.
func TestGlobalWaitCancelled(t *testing.T) {
	l, _ := heldLocker(t)
	ctx, cancel := context.WithCancel(context.Background())
	l.Wait = time.Hour
	l.Waiting = func(*BusyError, time.Duration) { cancel() }
	err := l.Global(ctx, tryX(l))
	var be *BusyError
	if !errors.As(err, &be) {
		t.Fatalf("got %v", err)
	}
}
