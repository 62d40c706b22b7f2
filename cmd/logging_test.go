package cmd

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

type fakeSyslog struct{ lines []string }

func (s *fakeSyslog) Err(m string) error     { s.lines = append(s.lines, "err "+m); return nil }
func (s *fakeSyslog) Warning(m string) error { s.lines = append(s.lines, "warning "+m); return nil }
func (s *fakeSyslog) Info(m string) error    { s.lines = append(s.lines, "info "+m); return nil }

// Lines are stamped and copied to syslog whole, at the priority their
// first word says; a partial line waits for its end or Flush.
func TestLogLines(t *testing.T) {
	var out bytes.Buffer
	sys := &fakeSyslog{}
	at := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	l := &logLines{w: &out, stamp: clockStamp(func() time.Time { return at }), sys: toSyslog(sys)}
	l.Write([]byte("DEBUG: hosta: zfs list\nWarn"))
	l.Write([]byte("ing: x\nError: y\npartial"))
	if got := out.String(); got != "2026-12-02 03:04:05 UTC DEBUG: hosta: zfs list\n2026-12-02 03:04:05 UTC Warning: x\n2026-12-02 03:04:05 UTC Error: y\n" {
		t.Errorf("stamped:\n%s", got)
	}
	l.Flush()
	if !strings.HasSuffix(out.String(), "UTC partial\n") {
		t.Errorf("flush: %q", out.String())
	}
	want := []string{"info DEBUG: hosta: zfs list", "warning Warning: x", "err Error: y", "info partial"}
	if strings.Join(sys.lines, "|") != strings.Join(want, "|") {
		t.Errorf("syslog %q, want %q", sys.lines, want)
	}
}

// -D and -v stamp stderr off a terminal only; without them, or on a
// terminal, stderr is left as it is.
func TestStamping(t *testing.T) {
	for _, c := range []struct {
		tty, debug, verbose bool
		env                 map[string]string
		want                bool
	}{
		{false, true, false, nil, true},
		{false, false, true, nil, true},
		{false, false, false, map[string]string{"DEBUG": "1"}, true},
		{false, false, false, map[string]string{"ZREP_VERBOSE": "1"}, true},
		{false, false, false, nil, false},
		{true, true, true, nil, false},
	} {
		io, _, _ := TestIO()
		io.ErrTTY = c.tty
		f := NewFactory(io, func(k string) string { return c.env[k] })
		f.Debug, f.Verbose = c.debug, c.verbose
		if got := f.stamping(); got != c.want {
			t.Errorf("%+v: stamping %v", c, got)
		}
	}
}

// `zrep -D …` off a terminal: every stderr line starts with a time.
func TestDebugLinesStamped(t *testing.T) {
	_, errOut, code := runWith(t, nil, nil, "-D", "help", "nosuch")
	if code != ExitUsage || !stampRE.MatchString(errOut) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

var stampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z0-9+-]+ Error: no help topic "nosuch"`)
