package cmd

import "testing"

func TestSentSyncFlags(t *testing.T) {
	testFlags(t, NewCmdSentSync, []flagCase[SentSyncOptions]{
		{[]string{"pa/x@zrep_00000a"}, SentSyncOptions{Snapshot: "pa/x@zrep_00000a"}, 0},
		{[]string{"-L", "pa/b c@zrep_000001"}, SentSyncOptions{Snapshot: "pa/b c@zrep_000001", Local: true}, 0},
		{nil, SentSyncOptions{}, ExitUsage},
		{[]string{"pa/x"}, SentSyncOptions{}, ExitUsage},
		{[]string{"pa/x@manual"}, SentSyncOptions{}, ExitUsage},
		{[]string{"pa/x@zrep_000001_unsent"}, SentSyncOptions{}, ExitUsage},
		{[]string{"pa/`id`@zrep_000001"}, SentSyncOptions{}, ExitUsage},
	})
}
