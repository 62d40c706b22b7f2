package sync

import (
	"context"
	"reflect"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
	"github.com/zrep-go/zrep/zfsprops/zfstest"
)

func snaps(fs string, shorts ...string) []zfsprops.Snapshot {
	var out []zfsprops.Snapshot
	for _, s := range shorts {
		out = append(out, zfsprops.Snapshot{Name: fs + "@" + s, GUID: "g-" + s})
	}
	return out
}

func TestExpireMasterKeepsLastSentAndNewer(t *testing.T) {
	s := snaps("pa/x", "zrep_000001", "manual", "zrep_000002", "zrep_000003", "zrep_000004", "zrep_000005_unsent", "zrep_000006")
	got := ExpireMaster("zrep", s, "pa/x@zrep_000004", 2)
	want := []string{"pa/x@zrep_000001", "pa/x@zrep_000002"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := ExpireMaster("zrep", s, "pa/x@zrep_000004", 10); got != nil {
		t.Fatalf("savecount 10: %v", got)
	}
}

func TestExpireReplicaKeepsNewestOnlyZrep(t *testing.T) {
	s := snaps("pb/x", "zrep_000001", "mine", "zrep_000002", "zrep-b_000001", "zrep_000003")
	got := ExpireReplica("zrep", s, 2)
	if want := []string{"pb/x@zrep_000001"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestLatestCommonByGUID(t *testing.T) {
	src := snaps("pa/x", "zrep_000001", "zrep_000002", "zrep_000003")
	dst := snaps("pb/x", "zrep_000001", "zrep_000002")
	dst[1].GUID = "renamed-but-different" // same name, different data
	c, ok := LatestCommon(src, dst)
	if !ok || c.Name != "pa/x@zrep_000001" {
		t.Fatalf("got %v %v", c, ok)
	}
	if _, ok := LatestCommon(src, nil); ok {
		t.Fatal("nothing in common expected")
	}
}

func TestAfterSyncFollowsIncFlag(t *testing.T) {
	src := &zfsprops.Filesystem{Name: "pa/x", Snapshots: snaps("pa/x", "zrep_000001", "zrep_000002_unsent", "manual")}
	dst := &zfsprops.Filesystem{Name: "pb/x", Snapshots: snaps("pb/x", "zrep_000001")}
	common := src.Snapshots[0]
	names := func(ss []zfsprops.Snapshot) (out []string) {
		for _, s := range ss {
			out = append(out, s.Short())
		}
		return out
	}
	got := afterSync(src, dst, common, "pa/x@zrep_000003", "100", true)
	if want := []string{"zrep_000001", "zrep_000002_unsent", "manual", "zrep_000003"}; !reflect.DeepEqual(names(got.dst), want) {
		t.Errorf("-I: dst %v, want %v", names(got.dst), want)
	}
	got = afterSync(src, dst, common, "pa/x@zrep_000003", "100", false)
	if want := []string{"zrep_000001", "zrep_000003"}; !reflect.DeepEqual(names(got.dst), want) {
		t.Errorf("-i: dst %v, want %v", names(got.dst), want)
	}
	if n := len(got.src); n != 4 || got.src[3].SentTime() != 100 {
		t.Errorf("src after: %+v", got.src)
	}
}

// A snapshot held by someone (or by a zfs-fuse send that was interrupted)
// is marked for deferred destruction; the rest of the list still goes.
func TestDestroyDefersHeldSnapshots(t *testing.T) {
	h := sshtest.New(t, "hostb")
	env, _ := testEnv(t, h, nil)
	zfstest.Fuse(h)
	h.Expect([]string{"zfs", "destroy", "pb/x@zrep_000001"}).Fails(1, "cannot destroy 'pb/x@zrep_000001': dataset is busy")
	h.Expect([]string{"zfs", "destroy", "-d", "pb/x@zrep_000001"})
	h.Expect([]string{"zfs", "destroy", "pb/x@zrep_000002"})
	if err := env.destroy(context.Background(), h, []string{"pb/x@zrep_000001", "pb/x@zrep_000002"}); err != nil {
		t.Fatal(err)
	}
}

// Where zfs has holds, a snapshot kept busy by our own sync-point hold (a
// run died before moving it on) is released and destroyed, never merely
// deferred; someone else's hold still only defers the destroy.
func TestDestroyReleasesOurStaleHold(t *testing.T) {
	h := sshtest.New(t, "hostb")
	env, _ := testEnv(t, h, nil)
	zfstest.OpenZFS(h)
	h.Expect([]string{"zfs", "destroy", "pb/x@zrep_000001"}).Fails(1, "cannot destroy snapshot pb/x@zrep_000001: dataset is busy")
	h.Expect([]string{"zfs", "release", "zrep:syncpoint", "pb/x@zrep_000001"})
	h.Expect([]string{"zfs", "destroy", "pb/x@zrep_000001"})
	h.Expect([]string{"zfs", "destroy", "pb/x@zrep_000002"}).Fails(1, "cannot destroy snapshot pb/x@zrep_000002: dataset is busy").Times(2)
	h.Expect([]string{"zfs", "release", "zrep:syncpoint", "pb/x@zrep_000002"}).Fails(1, "cannot release hold from snapshot 'pb/x@zrep_000002': no such tag on this dataset")
	h.Expect([]string{"zfs", "destroy", "-d", "pb/x@zrep_000002"})
	if err := env.destroy(context.Background(), h, []string{"pb/x@zrep_000001", "pb/x@zrep_000002"}); err != nil {
		t.Fatal(err)
	}
}
