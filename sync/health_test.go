package sync

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Each pair condition maps to its Nagios level: no master, two masters,
// a recorded failure and a lag past a threshold are never OK.
func TestHealth(t *testing.T) {
	now := time.Unix(1700000000, 0)
	synced := func(ago time.Duration) PairState {
		return PairState{Role: RoleMaster, FS: "pa/x", Now: now, LastSync: now.Add(-ago), Written: -1,
			Partner: Partner{Host: "hostb", FS: "pb/x", Checked: true, Role: RoleReplica}}
	}
	th := Thresholds{Warn: 15 * time.Minute, Crit: 2 * time.Hour}
	cases := []struct {
		name    string
		st      func() PairState
		th      Thresholds
		want    Level
		problem string
	}{
		{"healthy", func() PairState { return synced(time.Minute) }, th, LevelOK, ""},
		{"lag past warn", func() PairState { return synced(20 * time.Minute) }, th, LevelWarning, "lag 20m0s >= 15m0s"},
		{"lag at crit", func() PairState { return synced(2 * time.Hour) }, th, LevelCritical, "lag 2h0m0s >= 2h0m0s"},
		{"lag without thresholds", func() PairState { return synced(48 * time.Hour) }, Thresholds{}, LevelOK, ""},
		{"never synced, thresholds", func() PairState { s := synced(0); s.LastSync = time.Time{}; return s }, th, LevelCritical, "never synced"},
		{"never synced", func() PairState { s := synced(0); s.LastSync = time.Time{}; return s }, Thresholds{}, LevelWarning, "never synced"},
		{"failure recorded", func() PairState {
			s := synced(time.Minute)
			s.LastFailure = &Failure{Time: now, Message: "sending failed"}
			return s
		}, th, LevelWarning, "last run failed at 2023-11-14T22:13:20Z: sending failed"},
		{"partner unreachable", func() PairState {
			s := synced(time.Minute)
			s.Partner.Err = errors.New("cannot reach hostb:\nrefused")
			return s
		}, th, LevelWarning, "partner hostb unreachable or unreadable: cannot reach hostb: refused"},
		{"no master", func() PairState { s := synced(time.Minute); s.Role = RoleReplica; return s }, th, LevelCritical, "no master"},
		{"split brain", func() PairState { s := synced(time.Minute); s.Partner.Role = RoleMaster; return s }, th, LevelCritical, "split brain"},
		{"partner missing", func() PairState { s := synced(time.Minute); s.Partner.Role = RoleMissing; return s }, th, LevelCritical, "is not a zrep filesystem"},
		{"replica, partner not asked", func() PairState {
			s := synced(time.Minute)
			s.Role, s.Partner.Checked = RoleReplica, false
			return s
		}, th, LevelOK, ""},
		{"unreadable", func() PairState { return PairState{FS: "pa/x", Broken: errors.New("bad line")} }, th, LevelUnknown, "cannot read its state: bad line"},
	}
	for _, c := range cases {
		st := c.st()
		level, problems := st.Health(c.th)
		if level != c.want {
			t.Errorf("%s: level %s, want %s (%q)", c.name, level, c.want, problems)
		}
		if c.problem == "" && len(problems) > 0 || c.problem != "" && (len(problems) == 0 || !strings.Contains(problems[0], c.problem)) {
			t.Errorf("%s: problems %q, want first %q", c.name, problems, c.problem)
		}
	}
}

func TestLevelOrder(t *testing.T) {
	order := []Level{LevelOK, LevelWarning, LevelUnknown, LevelCritical}
	for i := 1; i < len(order); i++ {
		if !order[i].Worse(order[i-1]) || order[i-1].Worse(order[i]) {
			t.Errorf("%s should be worse than %s", order[i], order[i-1])
		}
	}
	if int(LevelOK) != 0 || int(LevelWarning) != 1 || int(LevelCritical) != 2 || int(LevelUnknown) != 3 {
		t.Error("levels are the Nagios exit codes")
	}
}
