package cmd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	zsync "github.com/zrep-go/zrep/sync"
)

// nagiosSummary is the one line a Nagios/Icinga check prints, and the
// exit code it ends with (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN): the
// worst pair's level, the count per level, each pair that is not OK with
// its worst problem (worst pairs first), and the largest lag as
// performance data.
func nagiosSummary(env *zsync.Env, states []zsync.PairState, th zsync.Thresholds) (string, zsync.Level) {
	if len(states) == 0 {
		return fmt.Sprintf("ZREP UNKNOWN - no zrep pairs with tag %s selected on %s", env.Tag, env.Self), zsync.LevelUnknown
	}
	type bad struct {
		level zsync.Level
		text  string
	}
	var bads []bad
	counts := map[zsync.Level]int{}
	var maxLag time.Duration
	for i := range states {
		st := &states[i]
		level, problems := st.Health(th)
		counts[level]++
		if lag, ok := st.Lag(); ok && lag > maxLag {
			maxLag = lag
		}
		if level == zsync.LevelOK {
			continue
		}
		text := st.FS + ": " + problems[0]
		if len(problems) > 1 {
			text += fmt.Sprintf(" (+%d more)", len(problems)-1)
		}
		bads = append(bads, bad{level, text})
	}
	sort.SliceStable(bads, func(i, j int) bool { return bads[i].level.Worse(bads[j].level) })
	overall := overallLevel(states, th)
	var parts []string
	for _, l := range []zsync.Level{zsync.LevelCritical, zsync.LevelUnknown, zsync.LevelWarning, zsync.LevelOK} {
		if counts[l] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[l], strings.ToLower(l.String())))
		}
	}
	line := fmt.Sprintf("ZREP %s - %d pairs: %s", overall, len(states), strings.Join(parts, ", "))
	for _, b := range bads {
		line += "; " + b.text
	}
	line = strings.Join(strings.Fields(line), " ")
	perf := "max_lag=" + strconv.FormatInt(int64(maxLag/time.Second), 10) + "s;" + perfSecs(th.Warn) + ";" + perfSecs(th.Crit) + ";0"
	return line + " | " + perf, overall
}

func perfSecs(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return strconv.FormatInt(int64(d/time.Second), 10)
}

// parseAge reads --warn/--crit: a Go duration (15m, 2h, 90s) or seconds.
func parseAge(flag, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return 0, usagef("%s %q: give an age such as 15m, 2h or 900 (seconds), at least 1s", flag, v)
	}
	return d, nil
}
