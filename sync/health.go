package sync

import (
	"fmt"
	"time"
)

// Level is a pair's health, ordered as Nagios/Icinga exit codes are.
type Level int

const (
	LevelOK Level = iota
	LevelWarning
	LevelCritical
	LevelUnknown
)

func (l Level) String() string {
	return [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[l]
}

// Worse orders levels by urgency: critical, unknown, warning, ok (Nagios
// ranks an unreadable state above a warning, below a known breakage).
func (l Level) Worse(than Level) bool { return l.rank() > than.rank() }

func (l Level) rank() int { return [...]int{0, 1, 3, 2}[l] }

// Thresholds are status --warn / --crit: a lag at or past one is a
// warning or a critical; zero checks nothing.
type Thresholds struct{ Warn, Crit time.Duration }

// Active reports whether any lag threshold was given.
func (t Thresholds) Active() bool { return t.Warn > 0 || t.Crit > 0 }

// Health judges a pair: its level and, worst first, what is wrong. A pair
// with no master (or two), a recorded failure or a lag past a threshold
// is never OK; an unreadable one is UNKNOWN.
func (p *PairState) Health(t Thresholds) (Level, []string) {
	if p.Broken != nil {
		return LevelUnknown, []string{"cannot read its state: " + oneLine(p.Broken)}
	}
	var crit, warn []string
	pt := p.Partner
	switch {
	case !pt.Checked:
	case pt.Err != nil:
		warn = append(warn, fmt.Sprintf("partner %s unreachable or unreadable: %s", pt.Host, oneLine(pt.Err)))
	case pt.Role == RoleMissing:
		crit = append(crit, fmt.Sprintf("partner %s:%s is not a zrep filesystem of this pair", pt.Host, pt.FS))
	case p.Role == RoleMaster && pt.Role == RoleMaster:
		crit = append(crit, fmt.Sprintf("split brain: %s:%s is master too", pt.Host, pt.FS))
	case p.Role != RoleMaster && pt.Role != RoleMaster:
		crit = append(crit, fmt.Sprintf("no master: neither side is master (partner %s:%s)", pt.Host, pt.FS))
	}
	if f := p.LastFailure; f != nil {
		warn = append(warn, fmt.Sprintf("last run failed at %s: %s", f.Time.UTC().Format(time.RFC3339), f.Message))
	}
	lag, synced := p.Lag()
	switch {
	case !synced && t.Active():
		crit = append(crit, "never synced")
	case !synced:
		warn = append(warn, "never synced")
	case t.Crit > 0 && lag >= t.Crit:
		crit = append(crit, fmt.Sprintf("lag %s >= %s", lag.Round(time.Second), t.Crit))
	case t.Warn > 0 && lag >= t.Warn:
		warn = append(warn, fmt.Sprintf("lag %s >= %s", lag.Round(time.Second), t.Warn))
	}
	switch {
	case len(crit) > 0:
		return LevelCritical, append(crit, warn...)
	case len(warn) > 0:
		return LevelWarning, warn
	}
	return LevelOK, nil
}
