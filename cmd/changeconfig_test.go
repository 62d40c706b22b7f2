package cmd

import (
	"testing"

	zsync "github.com/zrep-go/zrep/sync"
)

func TestChangeConfigFlags(t *testing.T) {
	type opts = zsync.ChangeConfigOptions
	testFlags(t, NewCmdChangeConfig, []flagCase[opts]{
		{[]string{"pa/x", "hostb", "pb/x"}, opts{FS: "pa/x", Host: "hostb", FS2: "pb/x"}, 0},
		{[]string{"-f", "-d", "pb/x", "hosta", "pa/x"}, opts{FS: "pb/x", Host: "hosta", FS2: "pa/x", Force: true, Dest: true}, 0},
		{[]string{"pa/x", "hostb"}, opts{}, ExitUsage},
		{[]string{"pa/x", "host;b", "pb/x"}, opts{}, ExitUsage},
		{[]string{"--", "pa/x", "-oProxyCommand=x", "pb/x"}, opts{}, ExitUsage},
		{[]string{"pa/x", "hostb", "pb/$(id)"}, opts{}, ExitUsage},
	})
}
