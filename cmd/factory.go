package cmd

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/kballard/go-shellquote"
	"github.com/zrep-go/zrep/failover"
	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// Factory builds what commands need, once per run: above all one host
// connection per partner, shared by every pair that names it.
type Factory struct {
	IO     *IOStreams
	Getenv func(string) string

	// Global flags, filled by the root command.
	Tag       string
	Recursive bool
	Debug     bool
	SSH       string
	Syslog    bool
	// Verbose is a replicating command's -v, set before it runs.
	Verbose bool
	// LockWait is a command's --wait SECS, over Z_LOCK_RETRY.
	LockWait *int

	// Now is the clock (nil: time.Now); tests pin it.
	Now func() time.Time

	mu     gosync.Mutex
	hosts  map[string]ssh.Host
	self   string
	warned map[string]bool   // knobs already warned about
	file   map[string]string // what the defaults file set

	sys         func(line string) // --syslog, once connected
	logs        []*logLines       // to flush at the end of the run
	progressOut io.Writer         // envOut, made once
}

// NewFactory reads knobs through getenv layered over /etc/default/zrep;
// lines of that file it cannot read are reported on io.ErrOut.
func NewFactory(io *IOStreams, getenv func(string) string) *Factory {
	get, file := layeredEnv(getenv, io.ErrOut)
	return &Factory{IO: io, Getenv: get, file: file, hosts: map[string]ssh.Host{}}
}

// Self is our host name: ZREP_SRC_HOST, else the short host name.
func (f *Factory) Self() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.self != "" {
		return f.self, nil
	}
	if v := f.Getenv("ZREP_SRC_HOST"); v != "" {
		if err := ssh.ValidateHostName(v); err != nil {
			return "", usagef("ZREP_SRC_HOST: %v", err)
		}
		f.self = v
		return v, nil
	}
	s, err := ssh.ShortHostName()
	f.self = s
	return s, err
}

// Host returns the cached Host for name, opening it on first use.
func (f *Factory) Host(name string) (ssh.Host, error) {
	self, err := f.Self()
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.hosts[name]; ok {
		return h, nil
	}
	sshCmd := f.SSH
	if sshCmd == "" {
		sshCmd = f.Getenv("SSH")
	}
	open := name
	if name == "localhost" && ssh.ValidateHostName(self) == nil {
		open = self // so messages say which machine: "hosta: zfs ...", not "localhost"
	}
	h, err := ssh.Open(open, ssh.Options{Self: self, SSHCommand: sshCmd})
	if err != nil {
		return nil, err
	}
	if at := f.Getenv("ZREP_TEST_KILL_AT"); at != "" {
		re, err := regexp.Compile(at)
		if err != nil {
			return nil, usagef("ZREP_TEST_KILL_AT: %v", err)
		}
		h = ssh.NewKillAt(h, re) // inside Logged: -D shows the step it died at
	}
	if f.debug() {
		h = ssh.NewLogged(h, f.IO.ErrOut)
	}
	f.hosts[name] = h
	return h, nil
}

// SetHost makes name resolve to h for this run (tests inject fakes).
func (f *Factory) SetHost(name string, h ssh.Host) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hosts[name] = h
}

// Close closes every connection this run opened.
func (f *Factory) Close() {
	f.flushLogs()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.hosts {
		h.Close()
	}
}

// TagValue is -t, else ZREPTAG, else "zrep".
func (f *Factory) TagValue() (zfsprops.Tag, error) {
	t := f.Tag
	if t == "" {
		t = f.Getenv("ZREPTAG")
	}
	if t == "" {
		t = zfsprops.DefaultTag
	}
	if err := zfsprops.ValidateTag(t); err != nil {
		return "", usagef("%v", err)
	}
	return zfsprops.Tag(t), nil
}

// Where is what every command needs first: the tag, who we are, and this
// machine as a Host.
func (f *Factory) Where() (tag zfsprops.Tag, self string, local ssh.Host, err error) {
	if tag, err = f.TagValue(); err != nil {
		return
	}
	if self, err = f.Self(); err != nil {
		return
	}
	local, err = f.Host("localhost")
	return
}

// Env assembles the replication environment from flags and knobs.
func (f *Factory) Env() (*zsync.Env, error) {
	if err := f.checkKnobs(); err != nil {
		return nil, err
	}
	tag, self, local, err := f.Where()
	if err != nil {
		return nil, err
	}
	dir, err := lock.Dir(f.Getenv)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	locker, err := lock.New(dir)
	if err != nil {
		return nil, err
	}
	f.setLockWait(locker)
	sendFlags, err := shellquote.Split(f.Getenv("ZREP_SEND_FLAGS"))
	if err != nil {
		return nil, usagef("ZREP_SEND_FLAGS: %v", err)
	}
	inc := f.Getenv("ZREP_INC_FLAG")
	if inc == "" {
		inc = "-I"
		if tag != zfsprops.DefaultTag {
			inc = "-i" // classic: other tags' snapshots must not travel along
		}
	}
	save := f.Getenv("ZREP_SAVE_COUNT")
	if save == "" {
		save = "5"
	}
	if _, err := zfsprops.ParseSaveCount(save); err != nil {
		return nil, usagef("ZREP_SAVE_COUNT: %v", err)
	}
	createFlags, err := shellquote.Split(f.Getenv("ZREP_CREATE_FLAGS"))
	if err != nil {
		return nil, usagef("ZREP_CREATE_FLAGS: %v", err)
	}
	resumeFlags, err := shellquote.Split(f.Getenv("ZREP_RESUME_FLAGS"))
	if err != nil {
		return nil, usagef("ZREP_RESUME_FLAGS: %v", err)
	}
	remoteProps := strings.Fields(f.Getenv("ZREP_INIT_REMOTE_PROPERTIES"))
	for _, kv := range remoteProps {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, usagef("ZREP_INIT_REMOTE_PROPERTIES: %q is not prop=value", kv)
		}
	}
	outFilter, inFilter := f.filters()
	rename := f.Getenv("ZREP_RENAME_UNSENT")
	raw := f.Getenv("ZREP_RAW")
	if raw != "" && raw != "auto" && raw != "no" {
		return nil, usagef("ZREP_RAW: %q is neither auto (send encrypted datasets raw, the default) nor no", raw)
	}
	stall, err := stallTimeout(f.Getenv("ZREP_STALL_TIMEOUT"))
	if err != nil {
		return nil, err
	}
	fraction, err := emptyFraction(f.Getenv("ZREP_EMPTY_FRACTION"))
	if err != nil {
		return nil, err
	}
	forceEmpty := f.Getenv("ZREP_FORCE_EMPTY")
	if forceEmpty != "" && forceEmpty != "yes" && forceEmpty != "no" {
		return nil, usagef("ZREP_FORCE_EMPTY: %q is neither yes (send a source that looks emptied) nor no", forceEmpty)
	}
	return &zsync.Env{
		Tag:             tag,
		Self:            self,
		Local:           local,
		Hosts:           f.Host,
		Locker:          locker,
		Out:             f.envOut(),
		Err:             f.IO.ErrOut,
		Now:             f.now,
		Recursive:       f.Recursive || f.Getenv("ZREP_R") == "-R",
		SendFlags:       sendFlags,
		IncFlag:         inc,
		RenameUnsent:    rename == "" || rename == "yes",
		SaveCount:       save,
		SkipExpire:      f.Getenv("ZREP_SKIP_EXPIRE") != "",
		Verbose:         f.Verbose || f.Getenv("ZREP_VERBOSE") != "",
		OutFilter:       outFilter,
		InFilter:        inFilter,
		CreateFlags:     createFlags,
		InitRemoteProps: remoteProps,
		Identify:        identify,
		ResumeFlags:     resumeFlags,
		NoRaw:           raw == "no",
		StallTimeout:    stall,
		CrashAt:         f.Getenv("ZREP_TEST_CRASH_AT"), // test-only: sync.Env.CrashPoint
		EmptyFraction:   fraction,
		ForceEmpty:      forceEmpty == "yes",
	}, nil
}

func (f *Factory) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// setLockWait makes locker wait for a busy filesystem as --wait or
// Z_LOCK_RETRY says (checkKnobs validated it), and say so under -v.
func (f *Factory) setLockWait(locker *lock.Locker) {
	secs, _ := strconv.Atoi(f.Getenv("Z_LOCK_RETRY"))
	if f.LockWait != nil {
		secs = *f.LockWait
	}
	locker.Wait = time.Duration(secs) * time.Second
	if f.Verbose || f.Getenv("ZREP_VERBOSE") != "" {
		out := f.envOut()
		locker.Waiting = func(busy *lock.BusyError, limit time.Duration) {
			fmt.Fprintf(out, "Waiting up to %s for %s: it is locked by another zrep (pid %d)\n", limit, busy.Dataset, busy.PID)
		}
	}
}

// Roles assembles what failover and takeover need.
func (f *Factory) Roles() (*failover.Roles, error) {
	env, err := f.Env()
	if err != nil {
		return nil, err
	}
	return &failover.Roles{Env: env}, nil
}

// filters are the classic pipeline filters; the deprecated MBUFFER goes
// after the sender's and before the receiver's, as classic placed it.
func (f *Factory) filters() (out, in string) {
	out, in = f.Getenv("ZREP_OUTFILTER"), f.Getenv("ZREP_INFILTER")
	if mb := f.Getenv("MBUFFER"); mb != "" {
		if f.verbose() {
			// It still works: say so only to someone watching, not to cron.
			f.warnOnce("MBUFFER", "Warning: MBUFFER is deprecated; set ZREP_OUTFILTER and ZREP_INFILTER instead")
		}
		out = strings.TrimPrefix(out+" | "+mb, " | ")
		in = strings.TrimSuffix(mb+" | "+in, " | ")
	}
	return out, in
}

// stallTimeout reads ZREP_STALL_TIMEOUT: seconds, or a Go duration such as
// 90s or 10m; 0 turns the watchdog off; unset is the default.
func stallTimeout(v string) (time.Duration, error) {
	if v == "" {
		return zsync.DefaultStallTimeout, nil
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, usagef("ZREP_STALL_TIMEOUT: %q is not seconds or a duration such as 90s or 10m", v)
	}
	return d, nil
}

// emptyFraction reads ZREP_EMPTY_FRACTION: a fraction (0.5) or a
// percentage (50%) of the last sent snapshot's size under which a new one
// is not sent; 0 turns the guard off; unset is 50 %.
func emptyFraction(v string) (float64, error) {
	if v == "" {
		return 0.5, nil
	}
	num, pct := strings.CutSuffix(v, "%")
	x, err := strconv.ParseFloat(num, 64)
	if pct {
		x /= 100
	}
	if err != nil || x < 0 || x > 1 || x != x {
		return 0, usagef("ZREP_EMPTY_FRACTION: %q is not a fraction from 0 to 1 (0.5) or a percentage (50%%)", v)
	}
	return x, nil
}
