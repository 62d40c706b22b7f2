package sync

import (
	"context"
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// Bookmarks, where zfs has them: after each sync the source bookmarks the
// new sync point (FS#SNAP) and drops the previous one, so that when the
// sync-point snapshot is destroyed on the source anyway (by hand, or by a
// tool that ignores holds), the next sync still sends incrementally from
// the bookmark instead of failing with "no common snapshot". A recursive
// pair has none: zfs cannot send -R from a bookmark.

// base is where the next send starts.
type base struct {
	snap     zfsprops.Snapshot // the sync point, as the source names it
	from     string            // what zfs send -i/-I names: snap, or a bookmark
	bookmark bool              // snap exists only as the bookmark from
}

// syncPoint finds where the next send starts: the newest snapshot both
// sides have, or, when the destination has a newer one that the source
// destroyed, the source's bookmark of it. Bookmarks are listed only then,
// so a healthy pair pays nothing for them.
func (e *Env) syncPoint(ctx context.Context, src, dst Side) (base, error) {
	common, ok := LatestCommon(src.FS.Snapshots, dst.FS.Snapshots)
	at := -1 // common's position among dst's snapshots
	for i, s := range dst.FS.Snapshots {
		if ok && s.GUID == common.GUID {
			at = i
		}
	}
	if !ok || at < len(dst.FS.Snapshots)-1 {
		if b, found, err := e.bookmarkBase(ctx, src, dst, at); err != nil || found {
			return b, err
		}
	}
	if ok {
		return base{snap: common, from: common.Name}, nil
	}
	return base{}, zfsprops.WithHint(fmt.Errorf("%s and %s have no snapshot in common", src, dst),
		"to start over, run zrep clear %s on %s, remove %s on %s (zfs destroy -r), then zrep init", src.FS.Name, src.Name, dst.FS.Name, dst.Name)
}

// bookmarkBase finds the source bookmark of the newest destination
// snapshot after position after (-1: any).
func (e *Env) bookmarkBase(ctx context.Context, src, dst Side, after int) (base, bool, error) {
	if e.Recursive {
		return base{}, false, nil
	}
	feat, err := e.features(ctx, src.Host)
	if err != nil || !feat.Bookmarks {
		return base{}, false, err
	}
	out, err := zfsprops.Run(ctx, src.Host, zfsprops.BookmarksArgv(src.FS.Name))
	if err != nil {
		return base{}, false, fmt.Errorf("%s: listing bookmarks: %w", src, err)
	}
	marks := map[string]zfsprops.Bookmark{}
	for _, m := range zfsprops.ParseBookmarks(out) {
		marks[m.GUID] = m
	}
	for i := len(dst.FS.Snapshots) - 1; i > after; i-- {
		d := dst.FS.Snapshots[i]
		if m, ok := marks[d.GUID]; ok && d.GUID != "" {
			e.warn("%s: the sync point %s is gone; sending incrementally from the bookmark %s", src, d.Short(), m.Name)
			snap := zfsprops.Snapshot{Name: src.FS.Name + "@" + d.Short(), GUID: d.GUID, CreateTXG: m.CreateTXG}
			return base{snap: snap, from: m.Name, bookmark: true}, true, nil
		}
	}
	return base{}, false, nil
}

// bookmark bookmarks src's new sync point and removes the bookmark of the
// previous one. Failures are warnings: the snapshots still carry the chain.
func (e *Env) bookmark(ctx context.Context, src Side, newShort string, olds ...string) {
	if e.Recursive {
		return
	}
	feat, err := e.features(ctx, src.Host)
	if err != nil || !feat.Bookmarks {
		return
	}
	fs := src.FS.Name
	_, err = zfsprops.Run(ctx, src.Host, zfsprops.BookmarkArgv(fs+"@"+newShort, fs+"#"+newShort))
	if err != nil && zfsprops.KindOf(err) != zfsprops.KindExists {
		e.warn("could not bookmark %s@%s on %s: %s", fs, newShort, src.Name, oneLine(err))
		return
	}
	for _, old := range distinct(olds, newShort) {
		if _, err := zfsprops.Run(ctx, src.Host, zfsprops.DestroyArgv(false, false, fs+"#"+old)); err != nil && zfsprops.KindOf(err) != zfsprops.KindNotExist {
			e.warn("could not remove the bookmark %s#%s on %s: %s", fs, old, src.Name, oneLine(err))
		}
	}
}
