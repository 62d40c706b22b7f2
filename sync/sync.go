package sync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// SyncOptions are sync's flags.
type SyncOptions struct {
	Force bool          // -f: recv -F
	Quiet time.Duration // -q: skip a busy fs synced within this long
}

// Sync replicates one master filesystem to its partner.
func (e *Env) Sync(ctx context.Context, name string, o SyncOptions) error {
	held, src, err := e.lockAndRead(ctx, name)
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) {
		return zfsprops.WithHint(err, "check the name with zfs list (zrep list shows the pairs)")
	}
	var busy *lock.BusyError
	if errors.As(err, &busy) {
		return e.quiet(src, busy, o.Quiet)
	}
	if err != nil {
		return err
	}
	defer held.Unlock()
	cfg := src.Config(e.Tag)
	if cfg.DestFS == "" || cfg.DestHost == "" {
		return zfsprops.WithHint(fmt.Errorf("%s on %s is not initialised for zrep", name, e.Self),
			"run: zrep init %s DESTHOST DESTFS", name)
	}
	if !cfg.Master {
		return zfsprops.WithHint(&NotMasterError{Host: e.Self, FS: name},
			"its master is %s:%s; run zrep sync there", cfg.SrcHost, cfg.SrcFS)
	}
	if cfg.SrcHost != e.Self {
		// The same pool seen from another zone or host must not be synced
		// from both: only the host named in src-host is master.
		return zfsprops.WithHint(&NotMasterError{Host: e.Self, FS: name},
			"%s says its master host is %q; run zrep sync there, or set ZREP_SRC_HOST if this host was renamed", e.Tag.SrcHost(), cfg.SrcHost)
	}
	if err := ssh.ValidateHostName(cfg.DestHost); err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s has a bad %s: %w", name, e.Tag.DestHost(), err),
			"set the partner with: zfs set %s=HOST %s", e.Tag.DestHost(), name)
	}
	if err := zfsprops.ValidateFilesystem(cfg.DestFS); err != nil {
		return zfsprops.WithHint(fmt.Errorf("%s has a bad %s: %w", name, e.Tag.DestFS(), err),
			"set the destination with: zfs set %s=POOL/NAME %s", e.Tag.DestFS(), name)
	}
	l, err := e.claim(ctx, src, held)
	if errors.As(err, &busy) {
		return e.quiet(src, busy, o.Quiet)
	}
	if err != nil {
		return err
	}
	defer l.unlock(context.WithoutCancel(ctx))
	return e.syncLocked(ctx, src, cfg, o.Force)
}

// quiet decides, for a busy filesystem, between a silent skip and an error.
func (e *Env) quiet(src *zfsprops.Filesystem, busy *lock.BusyError, limit time.Duration) error {
	hint := "wait for the other run, or pass -q SECS to skip busy filesystems"
	if limit <= 0 {
		return zfsprops.WithHint(busy, "%s", hint)
	}
	last, ok := src.LastSent(e.Tag)
	if !ok {
		return zfsprops.WithHint(busy, "quiet mode, but %s was never synced", src.Name)
	}
	age := e.now().Sub(time.Unix(last.SentTime(), 0))
	if age > limit {
		return zfsprops.WithHint(busy, "quiet time limit of %d seconds exceeded (last sync %s ago)", int(limit.Seconds()), age.Round(time.Second))
	}
	e.say("Quiet mode: skipping busy fs %s at %s", src.Name, e.now().Format(time.UnixDate))
	return &SkippedError{FS: src.Name}
}

func (e *Env) syncLocked(ctx context.Context, src *zfsprops.Filesystem, cfg zfsprops.Config, force bool) error {
	h, err := e.host(ctx, cfg.DestHost)
	if err != nil {
		return err
	}
	dst, err := zfsprops.ReadOne(ctx, h, e.Tag, cfg.DestFS)
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) {
		return zfsprops.WithHint(fmt.Errorf("destination %s:%s of %s does not exist", cfg.DestHost, cfg.DestFS, src.Name),
			"to start over, %s, then zrep init", e.startOver(src.Name))
	}
	if err != nil {
		return partnerErr(err, cfg.DestHost, fmt.Sprintf("sending to %s:%s", cfg.DestHost, cfg.DestFS))
	}
	if dst.IsMaster(e.Tag) {
		return zfsprops.WithHint(&SplitBrainError{Host: e.Self, FS: src.Name, PeerHost: cfg.DestHost, PeerFS: cfg.DestFS},
			"decide which side's data to keep, and on the other side remove the flag with zfs inherit %s", e.Tag.Master())
	}
	common, ok := LatestCommon(src.Snapshots, dst.Snapshots)
	if !ok {
		return zfsprops.WithHint(fmt.Errorf("%s and %s:%s have no snapshot in common", src.Name, cfg.DestHost, cfg.DestFS),
			"to start over, %s, remove %s on %s (zfs destroy -r), then zrep init", e.startOver(src.Name), cfg.DestFS, cfg.DestHost)
	}
	if err := e.repairMark(ctx, h, src, dst, common); err != nil {
		return err
	}
	snap := src.Name + "@" + e.Tag.SnapName(zfsprops.NextSerial(e.Tag, src.Snapshots, dst.Snapshots))
	if _, err := e.Local.Run(ctx, append(append([]string{"zfs", "snapshot"}, e.rflag()...), snap), nil); err != nil {
		return fmt.Errorf("could not create snapshot %s: %w", snap, err)
	}
	e.say("sending %s to %s:%s", snap, cfg.DestHost, cfg.DestFS)
	sentAt := strconv.FormatInt(e.now().Unix(), 10)
	short := snap[len(src.Name)+1:]
	err = transfer(ctx, e.Local, e.sendArgs(common.Name, snap, false), h, recvArgs(cfg.DestFS, force, false))
	if err != nil {
		// The connection can die after the receive completed: ask first.
		if ok, _ := zfsprops.Exists(ctx, h, cfg.DestFS+"@"+short); !ok {
			return e.failedSend(ctx, cfg, snap, err)
		}
		e.warn("the transfer reported an error, but %s has %s: marking it sent (%s)", cfg.DestHost, short, oneLine(err))
	}
	if err := zfsprops.Set(ctx, h, cfg.DestFS+"@"+short, e.Tag.Sent(), sentAt); err != nil {
		return fmt.Errorf("received %s but could not mark it sent on %s: %w", snap, cfg.DestHost, err)
	}
	if err := zfsprops.Set(ctx, e.Local, snap, e.Tag.Sent(), sentAt); err != nil {
		return err
	}
	if e.SkipExpire {
		return nil
	}
	e.say("Expiring zrep snaps on %s", src.Name)
	after := afterSync(src, dst, common, snap, sentAt, e.incFlag() == "-I")
	if err := e.expireSide(ctx, e.Local, src, after.src, true, snap, ""); err != nil {
		return err
	}
	return e.expireSide(ctx, h, dst, after.dst, false, "", cfg.SaveCount)
}

// failedSend handles a snapshot the receiver did not get: renamed
// _unsent (or destroyed) as classic does, so the next run sends again from
// the last common snapshot.
func (e *Env) failedSend(ctx context.Context, cfg zfsprops.Config, snap string, sendErr error) error {
	_, short, _ := strings.Cut(snap, "@")
	var next string
	if e.RenameUnsent {
		argv := append(append([]string{"zfs", "rename"}, e.rflag()...), snap, snap+"_unsent")
		if _, err := e.Local.Run(context.WithoutCancel(ctx), argv, nil); err == nil {
			next = "renamed to " + short + "_unsent"
		}
	} else {
		argv := append(append([]string{"zfs", "destroy"}, e.rflag()...), snap)
		if _, err := e.Local.Run(context.WithoutCancel(ctx), argv, nil); err == nil {
			next = "destroyed"
		}
	}
	if next == "" {
		next = "left in place"
	}
	return zfsprops.WithHint(fmt.Errorf("sending %s to %s:%s failed (snapshot %s): %w", snap, cfg.DestHost, cfg.DestFS, next, sendErr),
		"fix the cause and run zrep sync again; it resends from the last common snapshot")
}

// repairMark stamps TAG:sent on the common snapshot when the local mark is
// missing (receive done, connection lost before the marks: classic #5), on
// the partner too where its copy lacks one. The replica's _000000 stays
// unmarked, as classic init leaves it.
func (e *Env) repairMark(ctx context.Context, h ssh.Host, src, dst *zfsprops.Filesystem, common zfsprops.Snapshot) error {
	if last, ok := src.LastSent(e.Tag); ok && last.Name == common.Name {
		return nil
	}
	serial, _, ok := e.Tag.ParseSerial(common.Short())
	if !ok {
		return nil
	}
	e.say("marking %s as sent: the partner has it", common.Name)
	now := strconv.FormatInt(e.now().Unix(), 10)
	for _, d := range dst.Snapshots {
		if d.GUID == common.GUID && d.SentTime() == 0 && serial != 0 {
			if err := zfsprops.Set(ctx, h, d.Name, e.Tag.Sent(), now); err != nil {
				return err
			}
		}
	}
	return zfsprops.Set(ctx, e.Local, common.Name, e.Tag.Sent(), now)
}

// oneLine folds a multi-line error (zfs stderr) for a one-line message.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
