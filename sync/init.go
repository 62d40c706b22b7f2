package sync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// InitOptions are init's arguments.
type InitOptions struct {
	Src, DestHost, DestFS string
	Force                 bool // receive into an existing destination
}

// Init pairs Src with DestHost:DestFS and sends the first full stream.
// It never destroys a destination it did not create.
func (e *Env) Init(ctx context.Context, o InitOptions) error {
	if !strings.Contains(o.DestFS, "/") {
		return zfsprops.WithHint(fmt.Errorf("destination %s:%s is a bare pool", o.DestHost, o.DestFS),
			"replicate into a filesystem below it, e.g. %s/%s", o.DestFS, o.Src[strings.LastIndex(o.Src, "/")+1:])
	}
	held, src, err := e.lockAndRead(ctx, o.Src)
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) {
		return zfsprops.WithHint(err, "create it first, or check the name with zfs list")
	}
	if err != nil {
		return err
	}
	// The flock only: lock properties set now would travel to the replica
	// with send -p.
	defer held.Unlock()
	if cfg := src.Config(e.Tag); src.Managed(e.Tag) {
		return zfsprops.WithHint(fmt.Errorf("%s is already configured by zrep (to %s:%s)", o.Src, cfg.DestHost, cfg.DestFS),
			"to re-initialise, first %s", e.startOver(o.Src))
	}
	if snaps := src.ZrepSnapshots(e.Tag); len(snaps) > 0 {
		return zfsprops.WithHint(fmt.Errorf("%s already has zrep snapshots (%s)", o.Src, snaps[0].Short()),
			"to start afresh, %s; or use another tag (-t)", e.startOver(o.Src))
	}
	h, err := e.host(ctx, o.DestHost)
	if err != nil {
		return err
	}
	existed, err := e.checkDest(ctx, h, o)
	if err != nil {
		return partnerErr(err, o.DestHost, fmt.Sprintf("init of %s to %s:%s", o.Src, o.DestHost, o.DestFS))
	}
	mountpoint, err := e.Local.Run(ctx, []string{"zfs", "get", "-H", "-o", "source", "mountpoint", o.Src}, nil)
	if err != nil {
		return err
	}

	fmt.Fprintf(e.Out, "Setting zrep properties on %s\n", o.Src)
	props := [][2]string{
		{e.Tag.SrcFS(), o.Src}, {e.Tag.SrcHost(), e.Self}, {e.Tag.DestFS(), o.DestFS},
		{e.Tag.DestHost(), o.DestHost}, {e.Tag.SaveCount(), e.SaveCount},
	}
	for _, p := range props {
		if err := zfsprops.Set(ctx, e.Local, o.Src, p[0], p[1]); err != nil {
			return e.undoInit(ctx, o, false, err)
		}
	}
	snap := o.Src + "@" + e.Tag.SnapName(0)
	fmt.Fprintf(e.Out, "Creating snapshot %s\n", snap)
	if _, err := e.Local.Run(ctx, append(append([]string{"zfs", "snapshot"}, e.rflag()...), snap), nil); err != nil {
		return e.undoInit(ctx, o, false, err)
	}
	sentAt := strconv.FormatInt(e.now().Unix(), 10)
	// -p carries the zrep:* config, so the replica's copy is "received",
	// as with classic zrep on modern ZFS; -u keeps it unmounted.
	feat, err := e.features(ctx, h)
	if err != nil {
		return e.undoInit(ctx, o, false, err)
	}
	created := false
	if !existed && len(e.CreateFlags) > 0 {
		// ZREP_CREATE_FLAGS: the destination is made first, with the
		// administrator's options, and received into.
		fmt.Fprintln(e.Out, "Creating  destination filesystem as separate step")
		argv := append(append([]string{"zfs", "create"}, e.CreateFlags...), o.DestFS)
		if _, err := h.Run(ctx, argv, nil); err != nil {
			return e.undoInit(ctx, o, false, fmt.Errorf("cannot create %s:%s: %w", o.DestHost, o.DestFS, err))
		}
		// zfs-fuse: a full receive onto a mounted new filesystem fails now and then.
		h.Run(ctx, []string{"zfs", "unmount", o.DestFS}, nil)
		created = true
	}
	recv := e.recvArgs(o.DestFS, existed || created, true)
	fmt.Fprintf(e.Out, "Sending initial replication stream to %s:%s\n", o.DestHost, o.DestFS)
	if feat.RecvO {
		recv = append(recv[:len(recv)-1], "-o", "readonly=on", o.DestFS)
	}
	if err := e.transfer(ctx, e.Local, e.sendArgs("", snap, true), h, recv); err != nil {
		if created {
			// Not recursive: only the empty filesystem this init made goes.
			h.Run(context.WithoutCancel(ctx), []string{"zfs", "destroy", o.DestFS}, nil)
		}
		return e.undoInit(ctx, o, !existed, err)
	}
	if !feat.RecvO {
		if err := zfsprops.Set(ctx, h, o.DestFS, "readonly", "on"); err != nil {
			return e.undoInit(ctx, o, !existed, err)
		}
	}
	if created {
		// A full receive replaces what zfs create set (zfs-fuse); set the
		// -o options again, then, as classic does, the config as local values.
		for _, kv := range createOptions(e.CreateFlags) {
			prop, value, _ := strings.Cut(kv, "=")
			if err := zfsprops.Set(ctx, h, o.DestFS, prop, value); err != nil {
				e.warn("ZREP_CREATE_FLAGS: could not set %s on %s:%s again after the receive: %v", kv, o.DestHost, o.DestFS, oneLine(err))
			}
		}
		for _, p := range props {
			if err := zfsprops.Set(ctx, h, o.DestFS, p[0], p[1]); err != nil {
				return e.undoInit(ctx, o, true, err)
			}
		}
	}
	for _, kv := range e.InitRemoteProps {
		prop, value, _ := strings.Cut(kv, "=")
		if err := zfsprops.Set(ctx, h, o.DestFS, prop, value); err != nil {
			return e.undoInit(ctx, o, !existed, fmt.Errorf("ZREP_INIT_REMOTE_PROPERTIES: %w", err))
		}
	}
	if strings.TrimSpace(string(mountpoint)) == "local" {
		fmt.Fprintln(e.Out, "clearing mountpoint value for remote")
		if err := zfsprops.Inherit(ctx, h, o.DestFS, "mountpoint"); err != nil {
			return e.undoInit(ctx, o, !existed, err)
		}
	}
	if err := zfsprops.Set(ctx, e.Local, snap, e.Tag.Sent(), sentAt); err != nil {
		return e.undoInit(ctx, o, !existed, err)
	}
	// master last, so sync all never sees a half-initialised pair.
	if err := zfsprops.Set(ctx, e.Local, o.Src, e.Tag.Master(), "yes"); err != nil {
		return e.undoInit(ctx, o, !existed, err)
	}
	fmt.Fprintf(e.Out, "Initialization copy of %s to %s:%s complete\n", o.Src, o.DestHost, o.DestFS)
	if !existed {
		fmt.Fprintln(e.Out, "Filesystem will not be mounted")
	}
	return nil
}

// checkDest answers "does the destination exist" and refuses what init
// must not do.
func (e *Env) checkDest(ctx context.Context, host ssh.Host, o InitOptions) (bool, error) {
	existed, err := zfsprops.Exists(ctx, host, o.DestFS)
	if err != nil {
		return false, err
	}
	if existed && !o.Force {
		return true, zfsprops.WithHint(fmt.Errorf("%s:%s already exists, will not overwrite it", o.DestHost, o.DestFS),
			"pick a new name, or pass -f to receive into it (replaces its data; zfs refuses if it has snapshots)")
	}
	if !existed {
		parent := o.DestFS[:strings.LastIndex(o.DestFS, "/")]
		ok, err := zfsprops.Exists(ctx, host, parent)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, zfsprops.WithHint(fmt.Errorf("parent %s of %s does not exist on %s", parent, o.DestFS, o.DestHost),
				"create it on %s: zfs create -p %s", o.DestHost, parent)
		}
	}
	return existed, nil
}

// undoInit puts the source back as it was and removes the destination
// only when this init created it.
func (e *Env) undoInit(ctx context.Context, o InitOptions, createdDest bool, cause error) error {
	ctx = context.WithoutCancel(ctx)
	var notes []string
	snap := o.Src + "@" + e.Tag.SnapName(0)
	if createdDest {
		if note := e.removeOurReplica(ctx, o, snap); note != "" {
			notes = append(notes, note)
		}
	}
	if ok, _ := zfsprops.Exists(ctx, e.Local, snap); ok {
		if _, err := e.Local.Run(ctx, append(append([]string{"zfs", "destroy"}, e.rflag()...), snap), nil); err != nil {
			notes = append(notes, fmt.Sprintf("could not remove %s: %v", snap, err))
		}
	}
	for _, p := range []string{e.Tag.Master(), e.Tag.SrcFS(), e.Tag.SrcHost(), e.Tag.DestFS(), e.Tag.DestHost(), e.Tag.SaveCount()} {
		zfsprops.Inherit(ctx, e.Local, o.Src, p)
	}
	err := fmt.Errorf("init of %s to %s:%s failed, changes undone: %w", o.Src, o.DestHost, o.DestFS, cause)
	if len(notes) > 0 {
		err = fmt.Errorf("%w (%s)", err, strings.Join(notes, "; "))
	}
	if errors.Is(cause, context.Canceled) {
		return err
	}
	return zfsprops.WithHint(err, "fix the cause above and run zrep init again")
}

// removeOurReplica destroys the destination only when it holds our
// _000000, by GUID: if another run created a dataset of that name since we
// looked, it is not ours to destroy. It returns a note for the error.
func (e *Env) removeOurReplica(ctx context.Context, o InitOptions, snap string) string {
	h, err := e.Hosts(o.DestHost)
	if err != nil {
		return ""
	}
	theirs, err := zfsprops.GUID(ctx, h, o.DestFS+"@"+e.Tag.SnapName(0))
	if err != nil {
		return "" // no replica of ours there: a failed full receive leaves nothing
	}
	ours, err := zfsprops.GUID(ctx, e.Local, snap)
	if err != nil || ours != theirs {
		return fmt.Sprintf("left %s:%s alone: it is not the copy this init sent", o.DestHost, o.DestFS)
	}
	if _, err := h.Run(ctx, []string{"zfs", "destroy", "-r", o.DestFS}, nil); err != nil {
		return fmt.Sprintf("could not remove %s:%s: %v", o.DestHost, o.DestFS, err)
	}
	return ""
}

// createOptions are the prop=value arguments of -o in zfs create flags.
func createOptions(flags []string) []string {
	var out []string
	for i := 0; i < len(flags); i++ {
		switch f := flags[i]; {
		case f == "-o" && i+1 < len(flags):
			out = append(out, flags[i+1])
			i++
		case strings.HasPrefix(f, "-o") && len(f) > 2:
			out = append(out, f[2:])
		}
	}
	return out
}
