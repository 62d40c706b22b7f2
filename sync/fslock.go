package sync

import (
	"context"
	"errors"
	"os"
	"strconv"
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

// lockFS takes the dataset lock on the local host. fs must be freshly read:
// its TAG:lock-pid tells whether a classic zrep holds it.
func (e *Env) lockFS(ctx context.Context, fs *zfsprops.Filesystem) (*fsLock, error) {
	var l *fsLock
	err := e.Locker.Global(ctx, func() error {
		held, err := e.Locker.TryLock(e.Self, fs.Name)
		if err != nil {
			return err
		}
		if pid, _ := strconv.Atoi(fs.Prop(e.Tag.LockPID()).Local()); pid > 0 && pid != os.Getpid() && alive(pid) {
			held.Unlock()
			return &lock.BusyError{Dataset: fs.Name, PID: pid}
		}
		l = &fsLock{env: e, h: e.Local, name: fs.Name, held: held}
		if err := zfsprops.Set(ctx, e.Local, fs.Name, e.Tag.LockPID(), strconv.Itoa(os.Getpid())); err != nil {
			held.Unlock()
			return err
		}
		return zfsprops.Set(ctx, e.Local, fs.Name, e.Tag.LockTime(), e.now().Format("20060102150405"))
	})
	if err != nil && l != nil {
		l.unlock(context.WithoutCancel(ctx))
		return nil, err
	}
	return l, err
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

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
