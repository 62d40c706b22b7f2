package sync

import "github.com/zrep-go/zrep/zfsprops"

// LatestCommon is the newest snapshot of src whose GUID dst also has: the
// sync point as it is on disk, whatever the TAG:sent marks say.
func LatestCommon(src, dst []zfsprops.Snapshot) (zfsprops.Snapshot, bool) {
	have := make(map[string]bool, len(dst))
	for _, s := range dst {
		if s.GUID != "" {
			have[s.GUID] = true
		}
	}
	for i := len(src) - 1; i >= 0; i-- {
		if have[src[i].GUID] {
			return src[i], true
		}
	}
	return zfsprops.Snapshot{}, false
}

type sides struct{ src, dst []zfsprops.Snapshot }

// afterSync derives both sides' snapshot lists after a successful send of
// snap from common, so expiry needs no second read: -I carries every
// snapshot between the two, -i only the new one. A successful recv means
// dst had nothing newer than common, or -F removed it.
func afterSync(src, dst *zfsprops.Filesystem, common zfsprops.Snapshot, snap, sentAt string, intermediates bool) sides {
	newSnap := zfsprops.Snapshot{Name: snap, Sent: zfsprops.Value{Value: sentAt, Source: zfsprops.SourceLocal}}
	out := sides{src: append(append([]zfsprops.Snapshot{}, src.Snapshots...), newSnap)}
	commonShort := common.Short()
	for _, s := range dst.Snapshots {
		out.dst = append(out.dst, s)
		if s.GUID == common.GUID {
			break
		}
	}
	// Sent from a bookmark, the sync point is gone from the source.
	passed := true
	for _, s := range src.Snapshots {
		if s.Short() == commonShort {
			passed = false
		}
	}
	for _, s := range out.src {
		if s.Short() == commonShort {
			passed = true
			continue
		}
		if passed && (intermediates || s.Name == snap) {
			out.dst = append(out.dst, zfsprops.Snapshot{Name: dst.Name + "@" + s.Short()})
		}
	}
	return out
}
