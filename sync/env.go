// Package sync replicates a zrep pair: it takes the snapshot, streams
// `zfs send` into `zfs recv` on the partner, stamps TAG:sent marks, and
// expires old snapshots on both sides. It talks to hosts only through
// ssh.Host, so its logic runs against fakes in unit tests.
package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	gosync "sync"
	"time"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// Env is what one zrep run knows: who we are, how to reach hosts, and the
// classic knobs that shape commands.
type Env struct {
	Tag    zfsprops.Tag
	Self   string   // our short host name, stored in TAG:src-host
	Local  ssh.Host // this machine
	Hosts  func(name string) (ssh.Host, error)
	Locker *lock.Locker
	Out    io.Writer // informational lines (classic stdout)
	Err    io.Writer // warnings
	Now    func() time.Time

	Recursive    bool     // -R / ZREP_R: send -R, snapshot/destroy -r
	SendFlags    []string // ZREP_SEND_FLAGS
	IncFlag      string   // ZREP_INC_FLAG: -I, or -i for non-default tags
	RenameUnsent bool     // ZREP_RENAME_UNSENT=yes (default)
	SaveCount    string   // ZREP_SAVE_COUNT, written at init
	SkipExpire   bool     // ZREP_SKIP_EXPIRE
	Verbose      bool     // classic -v: send -v; also say what we do
	OutFilter    string   // ZREP_OUTFILTER (+ MBUFFER): shell text after zfs send
	InFilter     string   // ZREP_INFILTER (+ MBUFFER): shell text before zfs recv
	CreateFlags  []string // ZREP_CREATE_FLAGS: init creates the destination first
	ResumeFlags  []string // ZREP_RESUME_FLAGS: zfs send flags when resuming (-t)
	// NoRaw (ZREP_RAW=no) sends encrypted datasets decrypted, which needs
	// their key loaded; by default they are sent raw (-w).
	NoRaw bool
	// StallTimeout (ZREP_STALL_TIMEOUT) aborts a transfer whose stream
	// moved no byte for that long; 0 never does.
	StallTimeout time.Duration
	// InitRemoteProps (ZREP_INIT_REMOTE_PROPERTIES) are prop=value pairs
	// init sets on the new replica.
	InitRemoteProps []string
	// Identify learns a partner's own host name; nil runs uname -n there.
	Identify func(ctx context.Context, h ssh.Host) (string, error)

	// EmptyFraction (ZREP_EMPTY_FRACTION, default 0.5) is the empty-source
	// guard: a new snapshot referencing less than this fraction of the
	// last sent one is not sent; 0 turns the guard off. ForceEmpty
	// (--force-empty, ZREP_FORCE_EMPTY=yes) sends it anyway.
	EmptyFraction float64
	ForceEmpty    bool

	// CrashAt (ZREP_TEST_CRASH_AT) is test-only: the role-change step at
	// which zrep kills itself (CrashPoint). Empty in every real run.
	CrashAt string

	cache *runCache // shared by the copies ForPair makes
}

// runCache is what one run learns once and shares between pairs.
type runCache struct {
	mu   gosync.Mutex
	feat map[string]zfsprops.Features // per host
}

// cacheMu guards the lazy creation of Env.cache only.
var cacheMu gosync.Mutex

func (e *Env) runCache() *runCache {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if e.cache == nil {
		e.cache = &runCache{}
	}
	return e.cache
}

// ForPair is the environment for one pair: recursive (send -R, snapshot
// and destroy -r) when fs records that its pair was made with -R
// (TAG:recursive=yes on either side), whether or not -R was typed; a pair
// made by classic zrep has no such property and follows -R / ZREP_R.
func (e *Env) ForPair(fs *zfsprops.Filesystem) *Env {
	if e.Recursive || fs == nil || !fs.Config(e.Tag).Recursive {
		return e
	}
	e.runCache()
	c := *e
	c.Recursive = true
	return &c
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// say prints an informational line when verbose; the default under cron
// is silence on success.
func (e *Env) say(format string, args ...any) {
	if e.Verbose {
		fmt.Fprintf(e.Out, format+"\n", args...)
	}
}

func (e *Env) warn(format string, args ...any) {
	fmt.Fprintf(e.Err, "Warning: "+format+"\n", args...)
}

func (e *Env) host(ctx context.Context, name string) (ssh.Host, error) {
	h, err := e.Hosts(name)
	if err != nil {
		return nil, zfsprops.WithHint(err, "check that %s is up and that `ssh %s zfs list` works without a prompt", name, name)
	}
	return h, nil
}

// partnerErr names the pair in an error from the first call to a partner
// and, when the host could not be reached, says what to check. A host key
// error already says what to do.
func partnerErr(err error, host, what string) error {
	var ue *ssh.UnreachableError
	if !errors.As(err, &ue) {
		return err
	}
	err = fmt.Errorf("%s: %w", what, err)
	var ke *ssh.HostKeyError
	if errors.As(err, &ke) {
		return err
	}
	return zfsprops.WithHint(err, "check that %s is up and that `ssh %s zfs list` works without a prompt", host, host)
}

// identify asks a host for its short name as classic zrep there computes
// it (uname -n up to the first dot): what it stores in TAG:src-host.
func (e *Env) identify(ctx context.Context, h ssh.Host) (string, error) {
	if e.Identify != nil {
		return e.Identify(ctx, h)
	}
	out, err := h.Run(ctx, []string{"uname", "-n"}, nil)
	if err != nil {
		return "", err
	}
	name, _, _ := strings.Cut(strings.TrimSpace(string(out)), ".")
	if err := ssh.ValidateHostName(name); err != nil {
		return "", fmt.Errorf("%s says its host name is %q: %w", h.Name(), name, err)
	}
	return name, nil
}

// IdentifyHost is identify for other packages.
func (e *Env) IdentifyHost(ctx context.Context, h ssh.Host) (string, error) {
	return e.identify(ctx, h)
}
