package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// ClearOptions are clear's flags.
type ClearOptions struct {
	Pause time.Duration // classic's time to think it over; 0 with -f
}

// Clear removes this tag's pairing from one filesystem on this host: its
// zrep snapshots and every TAG:* property set on it. The partner is not
// touched, and readonly stays as it is.
func (e *Env) Clear(ctx context.Context, name string, o ClearOptions) error {
	var props []string
	var readonly bool
	op := PairOp{Name: "clear", Cmd: "clear %s", Role: RepairRole, Intent: IgnoreIntent, Check: func(ctx context.Context, p *Pair) (err error) {
		if props, readonly, err = p.tagProps(ctx, name); err != nil {
			return err
		}
		if len(props) == 0 && len(p.Here.FS.ZrepSnapshots(p.Tag)) == 0 {
			return zfsprops.WithHint(fmt.Errorf("%s on %s has no %s:* properties and no %s_* snapshots, nothing to clear", name, p.Self, p.Tag, p.Tag),
				"zrep list shows the zrep filesystems here; -t TAG clears another tag's")
		}
		return nil
	}}
	return e.WithPair(ctx, name, op, func(ctx context.Context, p *Pair) error {
		return p.clear(ctx, p.Here.FS, props, readonly, o)
	})
}

func (e *Env) clear(ctx context.Context, fs *zfsprops.Filesystem, props []string, readonly bool, o ClearOptions) error {
	name := fs.Name
	snaps := fs.ZrepSnapshots(e.Tag)
	fmt.Fprintf(e.Out, "WARNING: Removing all zrep configs and snapshots from %s\n (for TAG=%s)\n", name, e.Tag)
	if o.Pause > 0 {
		fmt.Fprintf(e.Out, "Continuing in %d seconds\n", int(o.Pause.Seconds()))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.Pause):
		}
	}
	fmt.Fprintf(e.Out, "Destroying any zrep-related snapshots from %s\n", name)
	for _, s := range snaps {
		if err := e.destroyDeferred(ctx, e.Local, s.Name); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.Out, "Removing zrep-related properties from %s\n", name)
	for _, p := range props {
		if err := zfsprops.Inherit(ctx, e.Local, name, p); err != nil {
			return err
		}
	}
	// Classic #212: a clear that leaves a received value behind makes init
	// refuse the filesystem forever. Check rather than trust zfs inherit.
	left, _, err := e.tagProps(ctx, name)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return zfsprops.WithHint(fmt.Errorf("%s on %s still has %v after zfs inherit", name, e.Self, left),
			"zfs set each to - (zrep reads - as unset), or receive the filesystem again without them")
	}
	if readonly {
		fmt.Fprintf(e.Out, "%s stays readonly; to make it writable: zfs inherit readonly %s\n", name, name)
	}
	return nil
}

// tagProps lists the TAG:* properties set locally or received on name,
// and whether readonly=on is set there.
func (e *Env) tagProps(ctx context.Context, name string) (props []string, readonly bool, err error) {
	set, err := zfsprops.ReadSetProps(ctx, e.Local, name)
	if err != nil {
		return nil, false, err
	}
	for _, p := range set[name] {
		switch {
		case p.Property == e.Tag.LockPID() || p.Property == e.Tag.LockTime():
			// The run's own lock: released when the operation ends.
		case e.Tag.IsPrefixOf(p.Property):
			props = append(props, p.Property)
		case p.Property == "readonly":
			readonly = p.Value.Value == "on"
		}
	}
	return props, readonly, nil
}

// readErr names a filesystem read without the lock that does not exist.
func readErr(err error, name string) error {
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) && ne.Name == name {
		return &NoSuchFSError{ne}
	}
	return err
}

// destroyDeferred destroys a snapshot. One that is busy because of our
// own sync-point hold (a run died before it moved the hold on) is released
// first; one held by anyone else is marked for destruction when released
// (zfs destroy -d), as expiry does.
func (e *Env) destroyDeferred(ctx context.Context, h ssh.Host, snap string) error {
	argv := zfsprops.DestroyArgv(e.Recursive, false, snap)
	_, err := zfsprops.Run(ctx, h, argv)
	if zfsprops.KindOf(err) == zfsprops.KindBusy && e.holds(ctx, h) {
		if e.release(ctx, h, snap) == nil {
			_, err = zfsprops.Run(ctx, h, argv)
		}
	}
	if zfsprops.KindOf(err) == zfsprops.KindBusy {
		if _, derr := zfsprops.Run(ctx, h, zfsprops.DestroyArgv(e.Recursive, true, snap)); derr == nil {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("destroy %s on %s: %w", snap, h.Name(), err)
	}
	return nil
}
