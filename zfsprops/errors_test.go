package zfsprops

import (
	"errors"
	"testing"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops/zfstest"
)

// Each stderr below is what zfs printed for the command in its comment
// (zfs-fuse 0.7 in scripts/testhosts.sh; OpenZFS 2.3 in scripts/openzfs.sh).
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		stderr string
		want   Kind
	}{
		// zfs destroy pa#nosuch (OpenZFS)
		{"bookmark 'pa#nosuch' does not exist.\n", KindNotExist},
		// zfs list pa/nosuch (both)
		{"cannot open 'pa/nosuch': dataset does not exist\n", KindNotExist},
		// zfs destroy pa/e2 while a child is mounted (zfs-fuse)
		{"cannot destroy 'pa/e2': dataset is busy\n", KindBusy},
		// zfs destroy pa/x@s with a hold on it (OpenZFS)
		{"cannot destroy snapshot pa/x@s: dataset is busy\n", KindBusy},
		// zfs send -i A | zfs recv onto a replica touched since (both)
		{"cannot receive incremental stream: destination pa/e3 has been modified\nsince most recent snapshot\n", KindModified},
		// zfs recv of an incremental whose source is not the replica's newest (OpenZFS)
		{"cannot receive incremental stream: most recent snapshot of pb/x does not\nmatch incremental source\n", KindMismatch},
		// zfs recv into a full pool
		{"cannot receive new filesystem stream: out of space\n", KindNoSpace},
		// zfs snapshot as a user without the snapshot permission (OpenZFS)
		{"cannot create snapshots : permission denied\n", KindPermission},
		// zfs send -w pa/e1@a (zfs-fuse)
		{"invalid option 'w'\nusage:\n\tsend [-RDp] [-[iI] snapshot] <snapshot>\n", KindUnsupported},
		// zfs snapshot pa/e1@d pa/e2@d (zfs-fuse)
		{"too many arguments\nusage:\n\tsnapshot [-r] [-o property=value] ... <filesystem@snapname|volume@snapname>\n", KindUnsupported},
		// zfs recv pb/x onto an existing filesystem without -F (OpenZFS)
		{"cannot receive new filesystem stream: destination 'pb/x' exists\nmust specify -F to overwrite it\n", KindExists},
		// zfs hold zrep pa/x@s twice (OpenZFS)
		{"cannot hold snapshot 'pa/x@s': tag already exists on this dataset\n", KindExists},
		// zfs send of an encrypted incremental without -w whose key is not loaded (OpenZFS)
		{"cannot receive incremental stream: inherited key must be loaded\n", KindKeyNeeded},
		{"something else entirely\n", KindOther},
	} {
		if got := Classify(c.stderr); got != c.want {
			t.Errorf("Classify(%q) = %v, want %v", c.stderr, got, c.want)
		}
	}
}

func TestRunClassifiesAndKeepsExitError(t *testing.T) {
	xe := &ssh.ExitError{Host: "hostb", Argv: []string{"zfs", "destroy", "pb/x@s"}, Code: 1, Stderr: "cannot destroy snapshot pb/x@s: dataset is busy\n"}
	err := classify(xe)
	if KindOf(err) != KindBusy {
		t.Fatalf("KindOf = %v", KindOf(err))
	}
	var got *ssh.ExitError
	if !errors.As(err, &got) || got != xe || err.Error() != xe.Error() {
		t.Errorf("classified error %v does not unwrap to the ExitError", err)
	}
	ne := classify(&ssh.ExitError{Host: "hostb", Argv: []string{"zfs", "list", "pb/y"}, Code: 1, Stderr: "cannot open 'pb/y': dataset does not exist\n"})
	var nee *NotExistError
	if !errors.As(ne, &nee) || nee.Name != "pb/y" || KindOf(ne) != KindNotExist {
		t.Errorf("not-exist: %#v", ne)
	}
	other := &ssh.ExitError{Host: "hostb", Argv: []string{"uname", "-n"}, Code: 1}
	if classify(other) != error(other) {
		t.Errorf("a non-zfs command was classified")
	}
}

func TestPermission(t *testing.T) {
	for _, c := range []struct {
		argv   []string
		want   string
		stderr string
	}{
		// zfs send -I as a user without hold (OpenZFS)
		{[]string{"zfs", "send", "-I", "pa/x@a", "pa/x@b"}, "hold", "cannot hold: permission denied\ncannot send 'pa/x': "},
		// zfs recv -o readonly=on without readonly (OpenZFS, exits 0)
		{[]string{"zfs", "recv", "-o", "readonly=on", "pb/x"}, "readonly", "cannot receive readonly property on pb/x: "},
		{[]string{"zfs", "snapshot", "pa/x@s"}, "snapshot", ""},
		{[]string{"zfs", "recv", "-s", "-u", "pb/x"}, "receive,create,mount", ""},
		{[]string{"zfs", "set", "zrep:sent=1", "pb/x@s"}, "userprop", ""},
		{[]string{"zfs", "set", "readonly=on", "pb/x"}, "readonly", ""},
		{[]string{"zfs", "inherit", "zrep:master", "pb/x"}, "userprop", ""},
		{[]string{"zfs", "destroy", "pb/x@s"}, "destroy,mount", ""},
		{[]string{"zfs", "hold", "zrep", "pb/x@s"}, "hold", ""},
		{[]string{"zfs", "send", "-I", "pa/x@a", "pa/x@b"}, "send", ""},
	} {
		e := &Error{ExitError: &ssh.ExitError{Host: "h", Argv: c.argv, Stderr: c.stderr + "permission denied"}, Kind: KindPermission}
		if got := e.Permission(); got != c.want {
			t.Errorf("Permission(%v) = %q, want %q", c.argv, got, c.want)
		}
	}
}

// The kinds of the error texts captured on both implementations
// (testdata/*/: each file names the command that printed it).
func TestClassifyCaptured(t *testing.T) {
	for _, impl := range []string{"fuse", "openzfs"} {
		for name, want := range map[string]Kind{
			"zfs-destroy-held":     KindBusy,
			"zfs-list-nosuch":      KindNotExist,
			"zfs-recv-modified":    KindModified,
			"zfs-send-I-unrelated": KindOther,
		} {
			if got := Classify(zfstest.Usage(impl, name)); got != want {
				t.Errorf("%s/%s: %v, want %v", impl, name, got, want)
			}
		}
	}
	if got := Classify(zfstest.Usage("fuse", "zfs-snapshot-two-names")); got != KindUnsupported {
		t.Errorf("zfs-fuse multi-snapshot: %v", got)
	}
	if got := Classify(zfstest.Usage("openzfs", "zfs-recv-o-readonly-noperm")); got != KindPermission {
		t.Errorf("recv -o readonly without the permission: %v", got)
	}
}

// zfs set readonly=on on a mounted filesystem as a non-root user (OpenZFS):
// the property is set, the remount fails, zfs exits 1.
func TestClassifyRemount(t *testing.T) {
	const stderr = "cannot mount 'pa/nr2': Insufficient privileges\nproperty may be set but unable to remount filesystem\n"
	if got := Classify(stderr); got != KindRemount {
		t.Errorf("Classify = %v, want %v", got, KindRemount)
	}
}
