package zfsprops

import (
	"context"

	"github.com/zrep-go/zrep/ssh"
)

// SnapshotTable is `zfs list -r -t snapshot -o name,creation FS...` on h
// for every named filesystem in one call: the raw table (header line
// included) that `zrep list -s` prints as is, as classic zrep did. It
// lists every snapshot, zrep's or not, children's included. On error the
// output zfs did print is returned with it.
func SnapshotTable(ctx context.Context, h ssh.Host, names ...string) ([]byte, error) {
	argv := append([]string{"zfs", "list", "-r", "-t", "snapshot", "-o", "name,creation"}, names...)
	out, err := h.Run(ctx, argv, nil)
	return out, classify(err)
}
