package zfsprops

import (
	"strings"
	"testing"
)

func TestRoleChangeRoundTrip(t *testing.T) {
	for _, in := range []RoleChangeIntent{
		{Epoch: 1, Old: Endpoint{"hosta", "pa/x"}, OldSelf: "hosta", New: Endpoint{"hostb", "pb/x"}, NewSelf: "hostb", Phase: PhaseBegun, Readonly: "inherit"},
		{Epoch: 42, Old: Endpoint{"127.0.0.11", "pa/a b"}, OldSelf: "a", New: Endpoint{"b.example", "pb/x/y"}, NewSelf: "b", HereIsNew: true, Phase: PhaseSynced, Readonly: "off"},
	} {
		got, err := ParseRoleChange(in.String())
		if err != nil || got != in {
			t.Errorf("%q: got %+v, %v", in.String(), got, err)
		}
	}
}

func TestParseRoleChangeRefuses(t *testing.T) {
	good := "epoch=3 old=hosta:pa/x old-self=hosta new=hostb:pb/x new-self=hostb here=old phase=begun readonly=on"
	if _, err := ParseRoleChange(good); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ value, want string }{
		{"", "no epoch="},
		{strings.Replace(good, "epoch=3", "epoch=x", 1), `"epoch=x"`},
		{strings.Replace(good, "phase=begun", "phase=done", 1), "want begun or synced"},
		{strings.Replace(good, "here=old", "here=both", 1), "want old or new"},
		{strings.Replace(good, "readonly=on", "readonly=maybe", 1), "want inherit, on or off"},
		{strings.Replace(good, "old=hosta:pa/x", "old=hosta", 1), "want HOST:FS"},
		{strings.Replace(good, "new=hostb:pb/x", "new=:pb/x", 1), "want HOST:FS"},
		{good + " epoch=4", "once"},
		{good + " colour=red", "unknown key"},
		{strings.Replace(good, " readonly=on", "", 1), "no readonly="},
		{strings.Replace(good, "new-self=hostb", "new-self=", 1), "once"},
	} {
		if _, err := ParseRoleChange(c.value); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.value, err, c.want)
		}
	}
}

func TestParseEpoch(t *testing.T) {
	for v, want := range map[string]uint64{"": 0, "0": 0, "7": 7} {
		if got, err := ParseEpoch(v); err != nil || got != want {
			t.Errorf("%q: %d, %v", v, got, err)
		}
	}
	for _, v := range []string{"-1", "x", "1.5"} {
		if _, err := ParseEpoch(v); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
}
