package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/zfsprops"
)

// checkDest answers "does the destination exist" and refuses what init
// must not do.
func (e *Env) checkDest(ctx context.Context, ends initEnds, o InitOptions) (bool, error) {
	existed, err := zfsprops.Exists(ctx, ends.dst, o.DestFS)
	if err != nil {
		return false, err
	}
	if existed && !o.Force {
		return true, zfsprops.WithHint(fmt.Errorf("%s:%s already exists, will not overwrite it", ends.dstName, o.DestFS),
			"pick a new name, or pass -f to receive into it (replaces its data; zfs refuses if it has snapshots)")
	}
	if !existed {
		parent := o.DestFS[:strings.LastIndex(o.DestFS, "/")]
		ok, err := zfsprops.Exists(ctx, ends.dst, parent)
		if err != nil {
			return false, err
		}
		if !ok && !strings.Contains(parent, "/") {
			return false, zfsprops.WithHint(fmt.Errorf("pool %s (for %s) does not exist on %s", parent, o.DestFS, ends.dstName),
				"check the name: zpool list on %s shows its pools", ends.dstName)
		}
		if !ok {
			return false, zfsprops.WithHint(fmt.Errorf("parent %s of %s does not exist on %s", parent, o.DestFS, ends.dstName),
				"create it on %s: zfs create -p %s", ends.dstName, parent)
		}
	}
	return existed, nil
}

// receiveFirst sends the full stream. -p carries the zrep:* config, so the
// replica's copy is "received", as with classic zrep on modern ZFS; -u
// keeps it unmounted. Where zfs takes recv -o, the replica is read-only
// from its first block (nothing can modify it before the next incremental)
// and a source's local mountpoint is not received (-x), so setting it
// never mounts the replica. It reports whether it created the destination
// first (ZREP_CREATE_FLAGS); on error, nothing it created is left.
func (e *Env) receiveFirst(ctx context.Context, o InitOptions, ends initEnds, snap string, existed, localMountpoint bool) (bool, error) {
	feat, err := e.features(ctx, ends.dst)
	if err != nil {
		return false, err
	}
	raw, err := e.raw(ctx, ends.src, o.Src)
	if err != nil {
		return false, err
	}
	created := false
	if !existed && len(e.CreateFlags) > 0 {
		fmt.Fprintln(e.Out, "Creating  destination filesystem as separate step")
		if _, err := zfsprops.Run(ctx, ends.dst, zfsprops.CreateArgv(e.CreateFlags, o.DestFS)); err != nil {
			return false, fmt.Errorf("cannot create %s:%s: %w", ends.dstName, o.DestFS, err)
		}
		// zfs-fuse: a full receive onto a mounted new filesystem fails now and then.
		zfsprops.Run(ctx, ends.dst, zfsprops.UnmountArgv(o.DestFS))
		created = true
	}
	recv, err := e.firstRecv(ctx, ends, o.DestFS, existed || created, localMountpoint)
	if err != nil {
		return false, err
	}
	send := e.sendSpec("", snap)
	send.Props, send.Raw = true, raw
	fmt.Fprintf(e.Out, "Sending initial replication stream to %s:%s\n", ends.dstName, o.DestFS)
	if err := e.transfer(ctx, ends.src, send.Argv(), ends.dst, recv.Argv()); err != nil {
		if created {
			// Not recursive: only the empty filesystem this init made goes.
			zfsprops.Run(context.WithoutCancel(ctx), ends.dst, zfsprops.DestroyArgv(false, false, o.DestFS))
		}
		return created, err
	}
	if !feat.RecvO {
		if err := zfsprops.Set(ctx, ends.dst, o.DestFS, "readonly", "on"); err != nil {
			return created, err
		}
	}
	return created, nil
}

// firstRecv is the receive of a full stream into a new replica.
func (e *Env) firstRecv(ctx context.Context, ends initEnds, dest string, force, localMountpoint bool) (zfsprops.RecvArgs, error) {
	feat, err := e.features(ctx, ends.dst)
	if err != nil {
		return zfsprops.RecvArgs{}, err
	}
	recv, err := e.recvSpec(ctx, ends.dst, dest, force)
	recv.Unmounted = true
	if feat.RecvO {
		recv.Set = map[string]string{"readonly": "on"}
		if localMountpoint {
			recv.Exclude = []string{"mountpoint"}
		}
	}
	return recv, err
}

// finishDest sets what the destination needs after the first receive.
func (e *Env) finishDest(ctx context.Context, o InitOptions, ends initEnds, props [][2]string, created, localMountpoint bool) error {
	if created {
		// A full receive replaces what zfs create set (zfs-fuse); set the
		// -o options again, then, as classic does, the config as local values.
		for _, kv := range createOptions(e.CreateFlags) {
			prop, value, _ := strings.Cut(kv, "=")
			if err := zfsprops.Set(ctx, ends.dst, o.DestFS, prop, value); err != nil {
				e.warn("ZREP_CREATE_FLAGS: could not set %s on %s:%s again after the receive: %v", kv, ends.dstName, o.DestFS, oneLine(err))
			}
		}
		for _, p := range props {
			if err := zfsprops.Set(ctx, ends.dst, o.DestFS, p[0], p[1]); err != nil {
				return err
			}
		}
	}
	if err := e.dropForeignPairs(ctx, ends, o.DestFS); err != nil {
		return err
	}
	for _, kv := range e.InitRemoteProps {
		prop, value, _ := strings.Cut(kv, "=")
		if err := zfsprops.Set(ctx, ends.dst, o.DestFS, prop, value); err != nil {
			return fmt.Errorf("ZREP_INIT_REMOTE_PROPERTIES: %w", err)
		}
	}
	if feat, err := e.features(ctx, ends.dst); err != nil {
		return err
	} else if feat.RecvO {
		if err := e.checkReadonly(ctx, ends, o.DestFS); err != nil {
			return err
		}
	}
	if localMountpoint {
		fmt.Fprintln(e.Out, "clearing mountpoint value for remote")
		if feat, err := e.features(ctx, ends.dst); err != nil || !feat.RecvO {
			// Not received with -x: inherit it (on zfs without recv -o this
			// does not mount an unmounted filesystem).
			return zfsprops.Inherit(ctx, ends.dst, o.DestFS, "mountpoint")
		}
	}
	return nil
}

// checkReadonly proves the new replica read-only: zfs recv -o readonly=on
// only warns, and exits 0, when the user lacks the readonly permission,
// and a writable replica would be modified before its next incremental.
func (e *Env) checkReadonly(ctx context.Context, ends initEnds, dest string) error {
	// zfs-fuse shows a mounted filesystem's readonly as "off temporary"
	// whatever is set: the local value is the one to read first.
	out, err := zfsprops.Run(ctx, ends.dst, zfsprops.LocalValueArgv("readonly", dest))
	if err != nil || strings.TrimSpace(string(out)) == "on" {
		return err
	}
	v, err := zfsprops.ReadValue(ctx, ends.dst, "readonly", dest, false)
	if err != nil || v == "on" {
		return err
	}
	parent := dest[:strings.LastIndex(dest, "/")]
	return zfsprops.WithHint(fmt.Errorf("%s:%s was received writable (readonly=%s): zfs did not set readonly=on", ends.dstName, dest, v),
		"zrep's user on %s needs the readonly permission: zfs allow -u USER readonly %s", ends.dstName, parent)
}

// dropForeignPairs clears, on a new replica, the config of other tags'
// pairs that send -p carried along with ours: with a dataset replicated to
// two places under two tags, the second replica would otherwise look like
// a copy of the first pair (classic #105) to zrep -t OTHER there.
func (e *Env) dropForeignPairs(ctx context.Context, ends initEnds, fs string) error {
	set, err := zfsprops.ReadSetProps(ctx, ends.dst, fs)
	if err != nil {
		return err
	}
	foreign := map[string]bool{}
	for _, l := range set[fs] {
		if tag, ok := strings.CutSuffix(l.Property, ":dest-fs"); ok && l.Source == zfsprops.SourceReceived && zfsprops.Tag(tag) != e.Tag {
			foreign[tag] = true
		}
	}
	for _, l := range set[fs] {
		tag, _, _ := strings.Cut(l.Property, ":")
		if foreign[tag] && l.Source == zfsprops.SourceReceived {
			if err := zfsprops.Inherit(ctx, ends.dst, fs, l.Property); err != nil {
				return err
			}
		}
	}
	return nil
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

// undoInit puts the source back as it was and removes the destination
// only when this init created it.
func (e *Env) undoInit(ctx context.Context, o InitOptions, ends initEnds, createdDest bool, cause error) error {
	ctx = context.WithoutCancel(ctx)
	var notes []string
	snap := o.Src + "@" + e.Tag.SnapName(0)
	if createdDest {
		if note := e.removeOurReplica(ctx, o, ends, snap); note != "" {
			notes = append(notes, note)
		}
	}
	if ok, _ := zfsprops.Exists(ctx, ends.src, snap); ok {
		if _, err := zfsprops.Run(ctx, ends.src, zfsprops.DestroyArgv(e.Recursive, false, snap)); err != nil {
			notes = append(notes, fmt.Sprintf("could not remove %s: %v", snap, err))
		}
	}
	for _, p := range []string{e.Tag.Master(), e.Tag.SrcFS(), e.Tag.SrcHost(), e.Tag.DestFS(), e.Tag.DestHost(), e.Tag.SaveCount()} {
		zfsprops.Inherit(ctx, ends.src, o.Src, p)
	}
	err := fmt.Errorf("init of %s to %s:%s failed, changes undone: %w", ends.label(o.Src), ends.dstName, o.DestFS, cause)
	if len(notes) > 0 {
		err = fmt.Errorf("%w (%s)", err, strings.Join(notes, "; "))
	}
	if errors.Is(cause, context.Canceled) {
		return err
	}
	if hint := zfsprops.HintOf(cause); hint != "" {
		return zfsprops.WithHint(err, "%s, then run zrep init again", hint)
	}
	return zfsprops.WithHint(err, "fix the cause above and run zrep init again")
}

// removeOurReplica destroys the destination only when it holds our
// _000000, by GUID: if another run created a dataset of that name since we
// looked, it is not ours to destroy. It returns a note for the error.
func (e *Env) removeOurReplica(ctx context.Context, o InitOptions, ends initEnds, snap string) string {
	theirs, err := zfsprops.GUID(ctx, ends.dst, o.DestFS+"@"+e.Tag.SnapName(0))
	if err != nil {
		return "" // no replica of ours there: a failed full receive leaves nothing
	}
	ours, err := zfsprops.GUID(ctx, ends.src, snap)
	if err != nil || ours != theirs {
		return fmt.Sprintf("left %s:%s alone: it is not the copy this init sent", ends.dstName, o.DestFS)
	}
	if _, err := zfsprops.Run(ctx, ends.dst, zfsprops.DestroyArgv(true, false, o.DestFS)); err != nil {
		return fmt.Sprintf("could not remove %s:%s: %v", ends.dstName, o.DestFS, err)
	}
	return ""
}
