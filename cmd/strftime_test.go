package cmd

import (
	"testing"
	"time"
)

func TestStrftime(t *testing.T) {
	tm := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for format, want := range map[string]string{
		"%Y/%m/%d-%H:%M:%S": "2026/03/04-05:06:07",
		"%s":                "1772600767",
		"%F %T %%":          "2026-03-04 05:06:07 %",
		"%b %e %q":          "Mar  4 %q",
	} {
		if got := strftime(format, tm); got != want {
			t.Errorf("strftime(%q) = %q, want %q", format, got, want)
		}
	}
}
