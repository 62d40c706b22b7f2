package zfsprops

import (
	"slices"
	"strings"
	"testing"
)

func TestArgv(t *testing.T) {
	for _, c := range []struct {
		name string
		got  []string
		want string
	}{
		{"full send with props", SendArgs{To: "pa/x@zrep_000000", Props: true}.Argv(), "zfs send -p pa/x@zrep_000000"},
		{"incremental -I", SendArgs{From: "pa/x@a", To: "pa/x@b", Intermediate: true}.Argv(), "zfs send -I pa/x@a pa/x@b"},
		{"from a bookmark", SendArgs{From: "pa/x#a", To: "pa/x@b"}.Argv(), "zfs send -i pa/x#a pa/x@b"},
		{"raw recursive verbose", SendArgs{From: "pa/x@a", To: "pa/x@b", Intermediate: true, Recursive: true, Raw: true, Verbose: true}.Argv(), "zfs send -v -R -w -I pa/x@a pa/x@b"},
		{"raw given by the user too", SendArgs{To: "pa/x@a", Raw: true, Extra: []string{"-w"}}.Argv(), "zfs send -w pa/x@a"},
		{"user flags before -p", SendArgs{To: "pa/x@a", Props: true, Extra: []string{"-c", "-L"}}.Argv(), "zfs send -c -L -p pa/x@a"},
		{"resume", SendArgs{ResumeToken: "1-abc-def", Extra: []string{"-c"}}.Argv(), "zfs send -c -t 1-abc-def"},
		{"resume dry run", SendArgs{ResumeToken: "1-abc", DryRun: true}.Argv(), "zfs send -n -t 1-abc"},
		{"size estimate", SendArgs{From: "pa/x@a", To: "pa/x@b", DryRun: true, Parsable: true}.Argv(), "zfs send -n -P -i pa/x@a pa/x@b"},
		{"recv plain", RecvArgs{Target: "pb/x"}.Argv(), "zfs recv pb/x"},
		{"recv new replica", RecvArgs{Target: "pb/x", Resumable: true, Unmounted: true, Set: map[string]string{"readonly": "on", "canmount": "noauto"}, Exclude: []string{"mountpoint"}}.Argv(),
			"zfs recv -s -u -o canmount=noauto -o readonly=on -x mountpoint pb/x"},
		{"recv forced", RecvArgs{Target: "pb/x", Force: true, Resumable: true}.Argv(), "zfs recv -s -F pb/x"},
		{"recv abort", RecvAbortArgv("pb/x"), "zfs recv -A pb/x"},
		{"snapshot", SnapshotArgv(false, "pa/x@s"), "zfs snapshot pa/x@s"},
		{"snapshots -r", SnapshotArgv(true, "pa/x@s", "pa/y@s"), "zfs snapshot -r pa/x@s pa/y@s"},
		{"destroy", DestroyArgv(false, false, "pa/x@s"), "zfs destroy pa/x@s"},
		{"destroy -r -d", DestroyArgv(true, true, "pa/x@s"), "zfs destroy -r -d pa/x@s"},
		{"rollback", RollbackArgv("pb/x@s"), "zfs rollback -r pb/x@s"},
		{"rename -r", RenameArgv(true, "pa/x@s", "pa/x@s_unsent"), "zfs rename -r pa/x@s pa/x@s_unsent"},
		{"hold", HoldArgv("zrep:hold", false, "pa/x@s"), "zfs hold zrep:hold pa/x@s"},
		{"release -r", ReleaseArgv("zrep:hold", true, "pa/x@s", "pa/x@t"), "zfs release -r zrep:hold pa/x@s pa/x@t"},
		{"holds", HoldsArgv(false, "pa/x@s"), "zfs holds -H pa/x@s"},
		{"bookmark", BookmarkArgv("pa/x@s", "pa/x#s"), "zfs bookmark pa/x@s pa/x#s"},
		{"bookmarks", BookmarksArgv("pa/x"), "zfs list -H -p -t bookmark -o name,guid,createtxg -d 1 pa/x"},
		{"create", CreateArgv([]string{"-o", "compression=on"}, "pb/x"), "zfs create -o compression=on pb/x"},
		{"mount", MountArgv("pb/x"), "zfs mount pb/x"},
		{"unmount", UnmountArgv("pb/x"), "zfs unmount pb/x"},
		{"value -p", ValueArgv("written@s", "pa/x", true), "zfs get -H -p -o value written@s pa/x"},
		{"value and source", ValueSourceArgv("readonly", "pa/x"), "zfs get -H -o value,source readonly pa/x"},
		{"local value", LocalValueArgv("zrep:lock-pid", "pa/x"), "zfs get -H -o value -s local zrep:lock-pid pa/x"},
		{"guid of one", NameValueArgv("guid", "pa/x@s", false), "zfs get -H -p -o name,value guid pa/x@s"},
		{"guids below", NameValueArgv("guid", "pa/x", true), "zfs get -H -p -r -o name,value guid pa/x"},
		{"set", SetArgv("zrep:sent", "1700000000", "pa/x@s"), "zfs set zrep:sent=1700000000 pa/x@s"},
		{"inherit", InheritArgv("zrep:master", "pa/x"), "zfs inherit zrep:master pa/x"},
		{"exists", ExistsArgv("pa/x"), "zfs list -H -o name pa/x"},
		{"tree -r", TreeArgv("pa/x", true), "zfs list -H -r -o name,type,mounted pa/x"},
		{"descendants", DescendantsArgv("pa/x"), "zfs list -H -r -o name -s createtxg -t filesystem,volume,snapshot pa/x"},
		{"pool sync", PoolSyncArgv("pa"), "zpool sync pa"},
		{"source", SourceArgv("mountpoint", "pa/x"), "zfs get -H -o source mountpoint pa/x"},
	} {
		if want := strings.Fields(c.want); !slices.Equal(c.got, want) {
			t.Errorf("%s: argv %q, want %q", c.name, c.got, want)
		}
	}
}

func TestParseRows(t *testing.T) {
	out := []byte("pa/x\tfilesystem\tyes\npa/x/my child\tfilesystem\tno\nbroken line\n\npa/v\tvolume\t-\n")
	got := ParseRows(out, 3)
	if len(got) != 3 || got[1][0] != "pa/x/my child" || got[2][1] != "volume" {
		t.Errorf("ParseRows = %q", got)
	}
	if ParseRows(nil, 2) != nil {
		t.Error("empty output gave rows")
	}
}
