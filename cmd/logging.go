package cmd

import (
	"bytes"
	"io"
	"log/syslog"
	"strings"
	gosync "sync"
	"time"
)

// logLines rewrites a stream line by line: each complete line is written
// to w with stamp() in front (when stamp is set) and handed to sys (when
// set). A partial line waits for its newline or for Flush.
type logLines struct {
	mu      gosync.Mutex
	w       io.Writer
	stamp   func() string // "" for no stamp
	sys     func(line string)
	partial []byte
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		if err := l.emit(line); err != nil {
			return len(p), err
		}
	}
}

func (l *logLines) emit(line string) error {
	if l.sys != nil {
		l.sys(line)
	}
	if l.stamp != nil {
		line = l.stamp() + line
	}
	_, err := io.WriteString(l.w, line+"\n")
	return err
}

// Flush writes out a partial last line.
func (l *logLines) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.partial) > 0 {
		line := string(l.partial)
		l.partial = nil
		_ = l.emit(line)
	}
}

// stampFormat prefixes -D and -v lines when stderr is not a terminal
// (cron mail, a log file): local time, seconds, zone.
const stampFormat = "2006-01-02 15:04:05 MST "

func clockStamp(now func() time.Time) func() string {
	return func() string { return now().Format(stampFormat) }
}

// syslogger is what --syslog needs of log/syslog's writer.
type syslogger interface {
	Err(string) error
	Warning(string) error
	Info(string) error
}

// openSyslog connects to the local syslog daemon (journald reads the same
// socket) as "zrep", facility daemon.
func openSyslog() (syslogger, error) {
	return syslog.New(syslog.LOG_DAEMON|syslog.LOG_INFO, "zrep")
}

// toSyslog sends a line at the priority its first word says: Error lines
// at err, Warning at warning, the rest at info.
func toSyslog(s syslogger) func(string) {
	return func(line string) {
		switch {
		case strings.HasPrefix(line, "Error"):
			_ = s.Err(line)
		case strings.HasPrefix(strings.ToLower(line), "warning"):
			_ = s.Warning(line)
		default:
			_ = s.Info(line)
		}
	}
}

// stamping is whether -D/-v lines carry a time: they were asked for and
// stderr is not a terminal (cron mail, a log file, journald via a pipe).
func (f *Factory) stamping() bool {
	return !f.IO.ErrTTY && (f.debug() || f.Verbose || f.Getenv("ZREP_VERBOSE") != "")
}

func (f *Factory) debug() bool { return f.Debug || f.Getenv("DEBUG") != "" }

// verbose is someone asking for more words, or watching.
func (f *Factory) verbose() bool {
	return f.IO.ErrTTY || f.debug() || f.Verbose || f.Getenv("ZREP_VERBOSE") != ""
}

// setupLogging runs once the flags are parsed: --syslog copies stderr to
// syslog, and under -D or -v off a terminal stderr lines get a time.
func (f *Factory) setupLogging() error {
	if f.Syslog {
		s, err := openSyslog()
		if err != nil {
			f.warnOnce("--syslog", "Warning: --syslog: %v; messages go to stderr only", err)
		} else {
			f.sys = toSyslog(s)
		}
	}
	f.IO.ErrOut = f.logWriter(f.IO.ErrOut)
	return nil
}

// logWriter wraps w for setupLogging's rules; Flush writes what is left.
func (f *Factory) logWriter(w io.Writer) io.Writer {
	if f.sys == nil && f.IO.ErrTTY {
		return w
	}
	stamp := clockStamp(time.Now)
	l := &logLines{w: w, sys: f.sys, stamp: func() string {
		if f.stamping() {
			return stamp()
		}
		return ""
	}}
	f.mu.Lock()
	f.logs = append(f.logs, l)
	f.mu.Unlock()
	return l
}

// flushLogs writes out partial last lines.
func (f *Factory) flushLogs() {
	f.mu.Lock()
	logs := f.logs
	f.mu.Unlock()
	for _, l := range logs {
		l.Flush()
	}
}

// envOut is where a replicating command's progress lines go (classic's
// messages and -v): stdout, stamped and copied to syslog like stderr.
func (f *Factory) envOut() io.Writer {
	f.mu.Lock()
	out := f.progressOut
	f.mu.Unlock()
	if out != nil {
		return out
	}
	out = f.logWriter(f.IO.Out)
	f.mu.Lock()
	f.progressOut = out
	f.mu.Unlock()
	return out
}
