// Package lock keeps overlapping zrep runs apart with flock(2): one lock
// file per dataset, plus a host-wide lock held only while dataset locks are
// taken. The kernel drops a flock when its process dies, so these locks
// cannot go stale the way classic zrep's PID properties can.
package lock

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// BusyError is a dataset another process holds.
type BusyError struct {
	Dataset string
	PID     int // 0 when unknown
}

func (e *BusyError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("%s is locked by another zrep (pid %d)", e.Dataset, e.PID)
	}
	return fmt.Sprintf("%s is locked by another zrep", e.Dataset)
}

// Dir picks the lock directory: $ZREP_RUNDIR/zrep when set (the classic
// knob), /run/zrep for root, else a per-user directory under $TMPDIR.
func Dir(getenv func(string) string) string {
	if d := getenv("ZREP_RUNDIR"); d != "" {
		return filepath.Join(d, "zrep")
	}
	if os.Geteuid() == 0 {
		return "/run/zrep"
	}
	return filepath.Join(os.TempDir(), "zrep-"+strconv.Itoa(os.Geteuid()))
}

// Locker hands out locks in one directory.
type Locker struct {
	dir string
}

// New creates the directory if needed.
func New(dir string) (*Locker, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock directory %s: %w", dir, err)
	}
	return &Locker{dir: dir}, nil
}

// Held is a dataset lock this process owns.
type Held struct {
	Dataset string
	fl      *flock.Flock
}

// Unlock releases the lock; safe to call twice.
func (h *Held) Unlock() error {
	if h == nil || h.fl == nil {
		return nil
	}
	err := h.fl.Unlock()
	h.fl = nil
	return err
}

// TryLock takes the lock for a dataset on a host without waiting.
// The host is part of the key: one process may drive both sides of a pair.
func (l *Locker) TryLock(host, dataset string) (*Held, error) {
	path := filepath.Join(l.dir, url.PathEscape(host+":"+dataset)+".lock")
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return nil, &BusyError{Dataset: dataset, PID: readPID(path)}
	}
	// The PID is for the busy message of whoever comes next.
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return &Held{Dataset: dataset, fl: fl}, nil
}

func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// Global runs fn while holding the host-wide lock, waiting up to the
// context's deadline or 30 s. Holders keep it for milliseconds.
func (l *Locker) Global(ctx context.Context, fn func() error) error {
	fl := flock.New(filepath.Join(l.dir, "global.lock"))
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		if err == nil {
			err = errors.New("timed out")
		}
		return fmt.Errorf("global lock %s: %w; a zrep holds it for more than 30 s (stuck? see fuser %s)", fl.Path(), err, fl.Path())
	}
	defer fl.Unlock()
	return fn()
}
