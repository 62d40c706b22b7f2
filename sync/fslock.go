package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// fsLock is a dataset held by flock and advertised in TAG:lock-pid /
// TAG:lock-time, which a classic zrep on the same host honours.
type fsLock struct {
	env  *Env
	h    ssh.Host
	name string
	held *lock.Held
}

// lockAndRead takes the local flock for a dataset, then reads it: what
// the caller decides on cannot change under it (a sync that finished a
// moment earlier has already made its snapshot). A busy dataset is still
// read, for -q, and returned with the *lock.BusyError.
func (e *Env) lockAndRead(ctx context.Context, name string) (*lock.Held, *zfsprops.Filesystem, error) {
	var held *lock.Held
	lockErr := e.Locker.Global(ctx, func() (err error) {
		held, err = e.Locker.TryLock(e.Self, name)
		return err
	})
	var busy *lock.BusyError
	if lockErr != nil && !errors.As(lockErr, &busy) {
		return nil, nil, lockErr
	}
	fs, err := zfsprops.ReadOne(ctx, e.Local, e.Tag, name)
	if err != nil {
		held.Unlock()
		return nil, nil, err
	}
	return held, fs, lockErr
}

// claim advertises the lock in TAG:lock-pid/lock-time, unless a classic
// zrep on this host holds it there. On error the flock is released.
func (e *Env) claim(ctx context.Context, fs *zfsprops.Filesystem, held *lock.Held) (*fsLock, error) {
	if v := fs.Prop(e.Tag.LockPID()).Local(); v != "" {
		pid, _ := strconv.Atoi(v)
		switch {
		case pid == os.Getpid():
		case pid > 0 && zrepRunning(pid):
			held.Unlock()
			return nil, &lock.BusyError{Dataset: fs.Name, PID: pid}
		default:
			e.warn("%s:%s: clearing a stale %s=%s (no zrep runs as that process)", e.Self, fs.Name, e.Tag.LockPID(), v)
		}
	}
	l := &fsLock{env: e, h: e.Local, name: fs.Name, held: held}
	err := zfsprops.Set(ctx, e.Local, fs.Name, e.Tag.LockPID(), strconv.Itoa(os.Getpid()))
	if err == nil {
		err = zfsprops.Set(ctx, e.Local, fs.Name, e.Tag.LockTime(), e.now().Format("20060102150405"))
	}
	if err != nil {
		l.unlock(context.WithoutCancel(ctx))
		return nil, err
	}
	return l, nil
}

// unlock clears the properties and drops the flock. It runs on every exit
// path, also after cancellation, hence WithoutCancel at the callers.
func (l *fsLock) unlock(ctx context.Context) {
	if l == nil {
		return
	}
	_ = zfsprops.Inherit(ctx, l.h, l.name, l.env.Tag.LockTime())
	_ = zfsprops.Inherit(ctx, l.h, l.name, l.env.Tag.LockPID())
	l.held.Unlock()
}

// zrepRunning reports whether pid is a live zrep process. A lock-pid left
// by a killed run may name an unrelated process by now (PID reuse after a
// reboot); only a process whose command line says zrep can hold the lock.
// Our own runs hold the flock as well, so this only decides for a classic
// zrep on the same host.
func zrepRunning(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist) // no /proc: trust kill -0
	}
	return bytes.Contains(cmdline, []byte("zrep"))
}

// PartnerLock checks the lock-pid value a partner's filesystem carries
// (read with it): a live zrep there is a *lock.BusyError; one left by a
// killed run (the process gone, or the pid reused by something else) is
// cleared with a warning, and the caller goes on.
func (e *Env) PartnerLock(ctx context.Context, s Side, value string) (*lock.BusyError, error) {
	if value == "" {
		return nil, nil
	}
	pid, err := strconv.Atoi(value)
	if err == nil && pid > 0 {
		live, known := e.zrepRunningOn(ctx, s, pid)
		if live || !known {
			return &lock.BusyError{Dataset: s.String(), PID: pid}, nil
		}
	}
	e.warn("%s: clearing a stale %s=%s (no zrep runs as that process on %s)", s, e.Tag.LockPID(), value, s.Name)
	if err := zfsprops.Inherit(ctx, s.Host, s.FS.Name, e.Tag.LockTime()); err != nil {
		return nil, fmt.Errorf("%s: clearing the stale %s: %w", s, e.Tag.LockTime(), err)
	}
	if err := zfsprops.Inherit(ctx, s.Host, s.FS.Name, e.Tag.LockPID()); err != nil {
		return nil, fmt.Errorf("%s: clearing the stale %s: %w", s, e.Tag.LockPID(), err)
	}
	delete(s.FS.Props, e.Tag.LockPID())
	delete(s.FS.Props, e.Tag.LockTime())
	return nil, nil
}

// zrepRunningOn asks a host whether pid is a zrep there, with POSIX ps
// (Linux, the BSDs, illumos): known is false when ps could not answer, and
// the lock then counts.
func (e *Env) zrepRunningOn(ctx context.Context, s Side, pid int) (live, known bool) {
	out, err := s.Host.Run(ctx, psArgv(pid), nil)
	if err == nil {
		return bytes.Contains(out, []byte("zrep")), true
	}
	var xe *ssh.ExitError
	if errors.As(err, &xe) && xe.Code == 1 && strings.TrimSpace(string(out)) == "" {
		return false, true // ps -p: no such process
	}
	return false, false
}

// psArgv prints a process's command line, or exits 1 when there is none.
func psArgv(pid int) []string { return []string{"ps", "-p", strconv.Itoa(pid), "-o", "args="} }
