package cmd

import "testing"

func TestClearFlags(t *testing.T) {
	testFlags(t, NewCmdClear, []flagCase[ClearOptions]{
		{[]string{"-f", "pa/x"}, ClearOptions{Dataset: "pa/x", Force: true}, 0},
		{[]string{"pa/b c"}, ClearOptions{Dataset: "pa/b c"}, 0},
		{nil, ClearOptions{}, ExitUsage},
		{[]string{"pa/x", "pa/y"}, ClearOptions{}, ExitUsage},
		{[]string{"pa/x@zrep_000001"}, ClearOptions{}, ExitUsage},
		{[]string{"--", "-pa/x"}, ClearOptions{}, ExitUsage},
	})
}
