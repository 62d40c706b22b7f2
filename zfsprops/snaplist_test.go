package zfsprops

import (
	"context"
	"errors"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func TestSnapshotTableIsOneCall(t *testing.T) {
	h := sshtest.New(t, "hosta")
	table := "NAME                  CREATION\npa/a@zrep_000000  Sun Nov 22  1:26 2026\npa/b c@x          Sun Nov 22  1:27 2026\n"
	h.Expect([]string{"zfs", "list", "-r", "-t", "snapshot", "-o", "name,creation", "pa/a", "pa/b c"}).Returns(table)
	out, err := SnapshotTable(context.Background(), h, "pa/a", "pa/b c")
	if err != nil || string(out) != table {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestSnapshotTableMissing(t *testing.T) {
	h := sshtest.New(t, "hosta")
	h.Expect([]string{"zfs", "list", "-r", "-t", "snapshot", "-o", "name,creation", "pa/gone"}).
		Fails(1, "cannot open 'pa/gone': dataset does not exist\n")
	_, err := SnapshotTable(context.Background(), h, "pa/gone")
	var ne *NotExistError
	if !errors.As(err, &ne) || ne.Name != "pa/gone" {
		t.Fatalf("err = %v, want NotExistError for pa/gone", err)
	}
}
