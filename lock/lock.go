// Package lock keeps overlapping zrep runs apart with flock(2): one lock
// file per dataset, plus a host-wide lock held only while dataset locks are
// taken. The kernel drops a flock when its process dies, so these locks
// cannot go stale the way classic zrep's PID properties can.
//
// The lock directory may sit under a shared directory (/tmp, a
// ZREP_RUNDIR of the operator's choosing), so nothing in it is trusted:
// the directory must be ours and writable only by us, lock files are
// opened relative to the directory we checked, never through a symlink,
// never truncated or written, and the holder of a busy lock is read from
// the kernel (/proc/locks), not from the file.
package lock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zrep-go/zrep/zfsprops"
	"golang.org/x/sys/unix"
)

// BusyError is a dataset another process holds.
type BusyError struct {
	Dataset string
	PID     int           // 0 when unknown
	Waited  time.Duration // how long we waited for it (Locker.Wait)
}

func (e *BusyError) Error() string {
	msg := fmt.Sprintf("%s is locked by another zrep", e.Dataset)
	if e.PID > 0 {
		msg += fmt.Sprintf(" (pid %d)", e.PID)
	}
	if e.Waited > 0 {
		msg += fmt.Sprintf(", still after waiting %s", e.Waited.Round(time.Second))
	}
	return msg
}

// UnsafeError is a lock directory or lock file zrep refuses to use: a
// symlink, someone else's, writable by others, or not what it should be.
type UnsafeError struct {
	Path    string
	Problem string // "is a symlink", "is owned by uid 1001, not by us (uid 0)", ...
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("unsafe lock path %s: it %s", e.Path, e.Problem)
}

// RootDir is root's lock directory, as before.
const RootDir = "/run/zrep"

// Dir picks the lock directory: $ZREP_RUNDIR/zrep when set (the classic
// knob; it must be absolute), /run/zrep for root, else
// $XDG_RUNTIME_DIR/zrep when that is a directory of ours that only we can
// use, else /tmp/zrep-UID (checked by New like any other).
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("ZREP_RUNDIR"); d != "" {
		if !filepath.IsAbs(d) {
			return "", fmt.Errorf("ZREP_RUNDIR %q is not an absolute path; set it to a directory such as /run", d)
		}
		return filepath.Join(d, "zrep"), nil
	}
	uid := os.Geteuid()
	if uid == 0 {
		return RootDir, nil
	}
	if x := getenv("XDG_RUNTIME_DIR"); x != "" && filepath.IsAbs(x) && privateDir(x, uid) {
		return filepath.Join(x, "zrep"), nil
	}
	return filepath.Join("/tmp", "zrep-"+strconv.Itoa(uid)), nil
}

// privateDir reports whether path is a real directory owned by uid that
// nobody else can write (the XDG runtime directory is 0700 by its spec).
func privateDir(path string, uid int) bool {
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFDIR && int(st.Uid) == uid && st.Mode&0o022 == 0
}

// Locker hands out locks in one directory.
type Locker struct {
	dir string
	fd  int // the directory we checked; lock files are opened relative to it

	// Wait is how long Global retries a dataset lock another run holds
	// (Z_LOCK_RETRY, --wait) before the *BusyError counts: an overlapping
	// cron run then waits for a transfer that is about to end instead of
	// mailing an error. Zero fails at once, as classic's fs lock did.
	Wait time.Duration
	// Waiting, if set, is told once per Global call that it waits.
	Waiting func(busy *BusyError, limit time.Duration)
}

// waitPoll is how often a waiting run tries the lock again: flock(2) has
// no timeout, and a blocking flock could not be cancelled.
const waitPoll = 250 * time.Millisecond

// New creates the directory (0700) if needed and checks it: a symlink, a
// directory someone else owns or one others can write is refused with an
// *UnsafeError that says what to do.
func New(dir string) (*Locker, error) {
	if err := unix.Mkdir(dir, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
		if errors.Is(err, unix.ENOENT) {
			return nil, zfsprops.WithHint(fmt.Errorf("lock directory %s: its parent does not exist", dir),
				"create %s, or set ZREP_RUNDIR to an existing directory", filepath.Dir(dir))
		}
		return nil, zfsprops.WithHint(fmt.Errorf("lock directory %s: %w", dir, err),
			"set ZREP_RUNDIR to a directory where this user may create %s", filepath.Base(dir))
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
			return nil, unsafeDir(dir, describeNonDir(dir))
		}
		return nil, fmt.Errorf("lock directory %s: %w", dir, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("lock directory %s: %w", dir, err)
	}
	if problem := dirProblem(&st, os.Geteuid()); problem != "" {
		unix.Close(fd)
		return nil, unsafeDir(dir, problem)
	}
	return &Locker{dir: dir, fd: fd}, nil
}

func dirProblem(st *unix.Stat_t, uid int) string {
	switch {
	case int(st.Uid) != uid:
		return fmt.Sprintf("is owned by uid %d, not by us (uid %d)", st.Uid, uid)
	case st.Mode&0o022 != 0:
		return fmt.Sprintf("is writable by others (mode %04o)", st.Mode&0o7777)
	}
	return ""
}

func describeNonDir(path string) string {
	if target, err := os.Readlink(path); err == nil {
		return fmt.Sprintf("is a symlink (to %s)", target)
	}
	return "is not a directory"
}

func unsafeDir(dir, problem string) error {
	return zfsprops.WithHint(&UnsafeError{Path: dir, Problem: problem},
		"remove it (zrep creates it 0700) or set ZREP_RUNDIR to a directory only this user can write")
}

func unsafeFile(path, problem string) error {
	return zfsprops.WithHint(&UnsafeError{Path: path, Problem: problem},
		"zrep did not make it: remove it once no zrep runs")
}

// Close releases the directory; locks already taken stay valid.
func (l *Locker) Close() error {
	if l == nil || l.fd < 0 {
		return nil
	}
	err := unix.Close(l.fd)
	l.fd = -1
	return err
}

// Dir is the checked lock directory.
func (l *Locker) Dir() string { return l.dir }

// FileName is the lock file of a dataset on a host: a short readable part
// of the name and the SHA-256 of host:dataset, so any valid ZFS name
// (up to 255 bytes, any allowed character) fits in one file name.
func FileName(host, dataset string) string {
	sum := sha256.Sum256([]byte(host + ":" + dataset))
	return readable(dataset) + "-" + hex.EncodeToString(sum[:]) + ".lock"
}

// readable is up to 32 safe characters from the end of the dataset name.
func readable(dataset string) string {
	base := dataset[strings.LastIndexByte(dataset, '/')+1:]
	var b strings.Builder
	for _, r := range base {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '_', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	if len(s) > 32 {
		s = s[len(s)-32:]
	}
	if s == "" {
		s = "fs"
	}
	return s
}

// Held is a lock this process owns.
type Held struct {
	Dataset string
	f       *os.File
}

// Unlock releases the lock; safe to call twice.
func (h *Held) Unlock() error {
	if h == nil || h.f == nil {
		return nil
	}
	err := h.f.Close() // closing the last descriptor drops the flock
	h.f = nil
	return err
}

// open opens (creating it if needed) a lock file in the checked directory.
// It never follows a symlink, never truncates or writes, and refuses
// anything but a regular file of ours with one link.
func (l *Locker) open(name string) (*os.File, error) {
	path := filepath.Join(l.dir, name)
	fd, err := unix.Openat(l.fd, name,
		unix.O_RDONLY|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_NOCTTY, 0o600)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, unsafeFile(path, "is a symlink")
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	problem := ""
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		problem = "is not a regular file"
	case int(st.Uid) != os.Geteuid():
		problem = fmt.Sprintf("is owned by uid %d, not by us (uid %d)", st.Uid, os.Geteuid())
	case st.Nlink != 1:
		problem = fmt.Sprintf("has %d hard links", st.Nlink)
	}
	if problem != "" {
		f.Close()
		return nil, unsafeFile(path, problem)
	}
	return f, nil
}

// tryFlock takes an exclusive flock without waiting; ok is false when
// another open file holds it.
func tryFlock(f *os.File) (ok bool, err error) {
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, unix.EINTR):
			continue
		}
		return false, err
	}
}

// TryLock takes the lock for a dataset on a host without waiting.
// The host is part of the key: one process may drive both sides of a pair.
func (l *Locker) TryLock(host, dataset string) (*Held, error) {
	f, err := l.open(FileName(host, dataset))
	if err != nil {
		return nil, err
	}
	ok, err := tryFlock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	if !ok {
		pid := holder(f)
		f.Close()
		return nil, &BusyError{Dataset: dataset, PID: pid}
	}
	return &Held{Dataset: dataset, f: f}, nil
}

// holder is the PID the kernel reports for the flock on f, 0 if unknown.
// Nothing in the file is believed: anyone who could write it could lie.
func holder(f *os.File) int {
	var st unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil {
		return 0
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return 0
	}
	return flockHolder(string(data), uint64(unix.Major(st.Dev)), uint64(unix.Minor(st.Dev)), st.Ino)
}

// flockHolder finds the FLOCK WRITE holder of an inode in /proc/locks
// text: lines like "3: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"
// (device numbers in hex, inode in decimal); "->" lines are waiters.
func flockHolder(procLocks string, major, minor, ino uint64) int {
	for _, line := range strings.Split(procLocks, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[1] != "FLOCK" || f[3] != "WRITE" {
			continue
		}
		id := strings.Split(f[5], ":")
		if len(id) != 3 {
			continue
		}
		maj, err1 := strconv.ParseUint(id[0], 16, 32)
		mnr, err2 := strconv.ParseUint(id[1], 16, 32)
		in, err3 := strconv.ParseUint(id[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || maj != major || mnr != minor || in != ino {
			continue
		}
		if pid, err := strconv.Atoi(f[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}

// Global runs fn while holding the host-wide lock, waiting up to the
// context's deadline or 30 s. Holders keep it for milliseconds. When fn
// fails with a *BusyError (a dataset lock it tried is taken), the global
// lock is dropped and fn tried again until Wait has passed; fn must be
// safe to call again after it failed.
func (l *Locker) Global(ctx context.Context, fn func() error) error {
	start := time.Now()
	for told := false; ; told = true {
		err := l.global(ctx, fn)
		var busy *BusyError
		if l.Wait <= 0 || !errors.As(err, &busy) {
			return err
		}
		left := l.Wait - time.Since(start)
		if left <= 0 {
			busy.Waited = l.Wait
			return err
		}
		if !told && l.Waiting != nil {
			l.Waiting(busy, l.Wait)
		}
		t := time.NewTimer(min(waitPoll, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (l *Locker) global(ctx context.Context, fn func() error) error {
	f, err := l.open("global.lock")
	if err != nil {
		return err
	}
	defer f.Close()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := tryFlock(f)
		if err != nil {
			return fmt.Errorf("global lock %s: %w", f.Name(), err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			if parent.Err() != nil {
				return fmt.Errorf("global lock %s: %w", f.Name(), parent.Err())
			}
			return zfsprops.WithHint(fmt.Errorf("global lock %s: another zrep (pid %d) has held it for more than 30 s", f.Name(), holder(f)),
				"is it stuck? see `fuser %s`", f.Name())
		case <-tick.C:
		}
	}
	return fn()
}
