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

// Side is one end of a pair as read at the start of an operation. Either
// end may be this machine: sync pushes from it, refresh and takeover pull
// into it.
type Side struct {
	Host ssh.Host
	Name string // the host as the pair names it, for messages
	FS   *zfsprops.Filesystem
}

func (s Side) String() string { return s.Name + ":" + s.FS.Name }

// Step shapes one replication.
type Step struct {
	Force       bool // zfs recv -F
	Existing    bool // synconly: send up to the newest zrep snapshot instead of taking one
	Expire      bool
	ChangedOnly bool // sync -c: no snapshot when nothing was written since the sync point
	// Retry is the command that sends anyway when the empty-source guard
	// refuses ("zrep sync --force-empty FS").
	Retry string
	// Rollback is the command that receives anyway into a receiver that
	// diverged ("zrep sync -f FS": zfs recv -F).
	Rollback string
}

// Replicate sends src's changes since the newest snapshot both sides share
// to dst, marks the result sent on both sides (receiver first, as classic
// does) and expires old snapshots. The caller holds the locks and has
// ruled out split brain. It returns the snapshot now common to both.
func (e *Env) Replicate(ctx context.Context, src, dst Side, o Step) (string, error) {
	recv, err := e.recvSpec(ctx, dst.Host, dst.FS.Name, o.Force)
	if err != nil {
		return "", err
	}
	raw, err := e.raw(ctx, src.Host, src.FS.Name)
	if err != nil {
		return "", err
	}
	// The sync point before a resume moves it: its hold and bookmark go too.
	before, _ := LatestCommon(src.FS.Snapshots, dst.FS.Snapshots)
	if recv.Resumable {
		if dst, err = e.resumePending(ctx, src, dst, recv); err != nil {
			return "", err
		}
	}
	base, err := e.syncPoint(ctx, src, dst)
	if err != nil {
		return "", err
	}
	common := base.snap
	if !base.bookmark {
		if err := e.repairMark(ctx, src, dst, common); err != nil {
			return "", err
		}
	}
	if o.ChangedOnly {
		if same, err := e.unchanged(ctx, src, common); err != nil || same {
			return common.Name, err
		}
	}
	var snap string
	if o.Existing {
		if zs := src.FS.ZrepSnapshots(e.Tag); len(zs) > 0 && zs[len(zs)-1].GUID != common.GUID {
			snap = zs[len(zs)-1].Name
		} else {
			fmt.Fprintf(e.Out, "%s already sent\n", common.Name)
			return common.Name, e.expireBoth(ctx, src, dst, o, sides{src.FS.Snapshots, dst.FS.Snapshots}, common.Name)
		}
	} else {
		snap = src.FS.Name + "@" + e.Tag.SnapName(zfsprops.NextSerial(e.Tag, src.FS.Snapshots, dst.FS.Snapshots))
		if _, err := zfsprops.Run(ctx, src.Host, zfsprops.SnapshotArgv(e.Recursive, snap)); err != nil {
			return "", fmt.Errorf("could not create snapshot %s on %s: %w", snap, src.Name, err)
		}
	}
	if err := e.emptyGuard(ctx, src, snap, o); err != nil {
		var ee *EmptySourceError
		if errors.As(err, &ee) {
			ee.Fate = snap + " kept: synconly did not make it"
			if !o.Existing {
				ee.Fate = snap + " destroyed"
				if _, derr := zfsprops.Run(context.WithoutCancel(ctx), src.Host, zfsprops.DestroyArgv(e.Recursive, false, snap)); derr != nil {
					ee.Fate = snap + " left in place: " + oneLine(derr)
				}
			}
		}
		return "", err
	}
	e.say("sending %s to %s", snap, dst)
	sentAt := strconv.FormatInt(e.now().Unix(), 10)
	short := snap[len(src.FS.Name)+1:]
	send := e.sendSpec(base.from, snap)
	send.Raw = raw
	err = e.transfer(ctx, src.Host, send.Argv(), dst.Host, recv.Argv())
	if err != nil {
		// The connection can die after the receive completed: ask first.
		if !e.received(context.WithoutCancel(ctx), src, dst, short) {
			if recv.Resumable {
				if token, _ := e.resumeToken(context.WithoutCancel(ctx), dst); token != "" {
					return "", zfsprops.WithHint(fmt.Errorf("sending %s to %s was interrupted: %w", snap, dst, err),
						"run zrep again: %s kept what it received, and the transfer resumes from there", dst.Name)
				}
			}
			return "", e.failedSend(ctx, src, dst, snap, !o.Existing, o.Rollback, common, err)
		}
		e.warn("the transfer reported an error, but %s has %s: marking it sent (%s)", dst.Name, short, oneLine(err))
	}
	if err := zfsprops.Set(ctx, dst.Host, dst.FS.Name+"@"+short, e.Tag.Sent(), sentAt); err != nil {
		return "", fmt.Errorf("%s received %s but could not mark it sent: %w", dst.Name, snap, err)
	}
	if err := zfsprops.Set(ctx, src.Host, snap, e.Tag.Sent(), sentAt); err != nil {
		return "", fmt.Errorf("%s: could not mark %s sent: %w", src.Name, snap, err)
	}
	olds := []string{before.Short(), common.Short()}
	holdErr := e.moveHold(ctx, src, dst, short, olds...)
	e.bookmark(ctx, src, short, olds...)
	after := afterSync(src.FS, dst.FS, common, snap, sentAt, send.Intermediate)
	if err := e.expireBoth(ctx, src, dst, o, after, snap); err != nil {
		return snap, err
	}
	return snap, holdErr
}

// expireBoth applies the master rule on src and the replica rule on dst.
func (e *Env) expireBoth(ctx context.Context, src, dst Side, o Step, after sides, lastSent string) error {
	if !o.Expire || e.SkipExpire {
		return nil
	}
	e.say("Expiring zrep snaps on %s", src.FS.Name)
	if err := e.expireSide(ctx, src.Host, src.FS, after.src, true, lastSent, ""); err != nil {
		return err
	}
	return e.expireSide(ctx, dst.Host, dst.FS, after.dst, false, "", src.FS.Config(e.Tag).SaveCount)
}

// unchanged answers sync -c: nothing written since the sync point, which is
// also the newest zrep snapshot. Then the sync point's mark is refreshed
// (so -q and status see a recent sync) and nothing is sent. ZFS without
// the written property cannot tell, so the sync goes ahead.
func (e *Env) unchanged(ctx context.Context, src Side, common zfsprops.Snapshot) (bool, error) {
	zs := src.FS.ZrepSnapshots(e.Tag)
	if len(zs) == 0 || zs[len(zs)-1].GUID != common.GUID {
		return false, nil
	}
	feat, err := e.features(ctx, src.Host)
	if err != nil || !feat.Written {
		e.say("%s: zfs cannot tell what changed (no written property); syncing", src.Name)
		return false, nil
	}
	written, err := e.written(ctx, src.Host, src.FS.Name, common.Short())
	if err != nil || written != "0" {
		return false, nil
	}
	e.say("%s unchanged since %s; nothing to send", src.FS.Name, common.Short())
	return true, zfsprops.Set(ctx, src.Host, common.Name, e.Tag.Sent(), strconv.FormatInt(e.now().Unix(), 10))
}

// failedSend handles a snapshot the receiver did not get: one this run
// made is renamed _unsent (or destroyed) as classic does, so the next run
// sends again from the last common snapshot.
func (e *Env) failedSend(ctx context.Context, src, dst Side, snap string, ours bool, rollback string, common zfsprops.Snapshot, sendErr error) error {
	_, short, _ := strings.Cut(snap, "@")
	next := "left in place"
	ctx = context.WithoutCancel(ctx)
	switch {
	case !ours:
	case e.RenameUnsent:
		if _, err := zfsprops.Run(ctx, src.Host, zfsprops.RenameArgv(e.Recursive, snap, snap+"_unsent")); err == nil {
			next = "renamed to " + short + "_unsent"
			// Failing runs must not pile up snapshots: only the newest
			// _unsent one is kept.
			if err := e.destroy(ctx, src.Host, ExpireUnsent(e.Tag, src.FS.Snapshots)); err != nil {
				e.warn("%s: %s", src.Name, oneLine(err))
			}
		}
	default:
		if _, err := zfsprops.Run(ctx, src.Host, zfsprops.DestroyArgv(e.Recursive, false, snap)); err == nil {
			next = "destroyed"
		}
	}
	err := fmt.Errorf("sending %s to %s failed (snapshot %s): %w", snap, dst, next, sendErr)
	if rollback != "" {
		// Retrying cannot help: say so, and what the way out destroys.
		switch zfsprops.KindOf(sendErr) {
		case zfsprops.KindModified:
			return zfsprops.WithHint(err, "%s was written to since its newest snapshot (or lost it), so every sync fails; to discard those writes, run %s (zfs recv -F rolls %s back to its newest snapshot)", dst, rollback, dst.FS.Name)
		case zfsprops.KindMismatch:
			return zfsprops.WithHint(err, "%s has snapshots newer than %s, the newest both sides have (one made there, or the sync point destroyed on %s), so every sync fails; to roll it back to %s, destroying %s and any writes since, run on %s: %s",
				dst, common.Short(), src.Name, common.Short(), strings.Join(newerThan(dst.FS.Snapshots, common), ", "), src.Name, e.Zrep("sync -f %s", common.Name))
		}
	}
	return zfsprops.WithHint(err, "fix the cause and run zrep again; it resends from the last common snapshot")
}

// repairMark stamps TAG:sent on the common snapshot when the sender's mark
// is missing (receive done, connection lost before the marks: classic #5),
// on the receiver too where its copy lacks one. A replica's _000000 stays
// unmarked, as classic init leaves it.
func (e *Env) repairMark(ctx context.Context, src, dst Side, common zfsprops.Snapshot) error {
	if last, ok := src.FS.LastSent(e.Tag); ok && last.Name == common.Name {
		return nil
	}
	serial, _, ok := e.Tag.ParseSerial(common.Short())
	if !ok {
		return nil
	}
	e.say("marking %s as sent: the partner has it", common.Name)
	now := strconv.FormatInt(e.now().Unix(), 10)
	for _, d := range dst.FS.Snapshots {
		if d.GUID == common.GUID && d.SentTime() == 0 && serial != 0 {
			if err := zfsprops.Set(ctx, dst.Host, d.Name, e.Tag.Sent(), now); err != nil {
				return err
			}
		}
	}
	return zfsprops.Set(ctx, src.Host, common.Name, e.Tag.Sent(), now)
}

// oneLine folds a multi-line error (zfs stderr) for a one-line message.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// received answers, after a transfer error, whether dst has the snapshot
// all the same: the same GUID as src's, and with -R every child's too (a
// recursive receive can land the parent and fail on a child).
func (e *Env) received(ctx context.Context, src, dst Side, short string) bool {
	want, err := e.snapGUIDs(ctx, src, short)
	if err != nil || len(want) == 0 {
		return false
	}
	got, err := e.snapGUIDs(ctx, dst, short)
	if err != nil {
		return false
	}
	for rel, guid := range want {
		if got[rel] != guid {
			return false
		}
	}
	return true
}

// snapGUIDs maps FS@short (and with -R its children's @short, by path
// below FS) to GUIDs.
func (e *Env) snapGUIDs(ctx context.Context, s Side, short string) (map[string]string, error) {
	argv := zfsprops.NameValueArgv("guid", s.FS.Name+"@"+short, false)
	if e.Recursive {
		argv = zfsprops.NameValueArgv("guid", s.FS.Name, true)
	}
	out, err := zfsprops.Run(ctx, s.Host, argv)
	if err != nil {
		return nil, err
	}
	guids := map[string]string{}
	for _, f := range zfsprops.ParseRows(out, 2) {
		ds, snap, isSnap := strings.Cut(f[0], "@")
		if isSnap && snap == short {
			guids[strings.TrimPrefix(ds, s.FS.Name)] = f[1]
		}
	}
	return guids, nil
}

// newerThan is the short names of the snapshots in snaps after the one
// with common's GUID.
func newerThan(snaps []zfsprops.Snapshot, common zfsprops.Snapshot) []string {
	var names []string
	for i := len(snaps) - 1; i >= 0 && snaps[i].GUID != common.GUID; i-- {
		names = append([]string{snaps[i].Short()}, names...)
	}
	return names
}
