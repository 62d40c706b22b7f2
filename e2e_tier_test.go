package main

// Test tiers: the same scenarios run on zfs-fuse (scripts/testhosts.sh:
// namespace hosts on this machine, entered with nsenter) or on real
// in-kernel OpenZFS (scripts/openzfs.sh: one qemu guest with three hosts,
// reached over ssh). ZREP_TEST_ZFS=fuse|openzfs picks one; fuse is the
// default.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/kballard/go-shellquote"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

type tier interface {
	name() string
	// cmd runs argv on host in directory dir ("" for any) with environment
	// env (nil: the tier's default).
	cmd(host, dir string, env []string, argv ...string) *exec.Cmd
	// status fails unless every host is healthy.
	status() error
	// up starts what is not running.
	up() error
	// home is HOME for zrep on the hosts, valid on this machine too.
	home() string
	// stateDir holds the run lock.
	stateDir() string
	// prepare readies the tier for this test process (once, after status).
	prepare() error
	// workdirRoot is where script work directories go ("" for testscript's
	// default): the hosts must see them at the same path.
	workdirRoot() string
}

var (
	tierOnce gosync.Once
	theTier  tier
)

// currentTier is the tier ZREP_TEST_ZFS names.
func currentTier() tier {
	tierOnce.Do(func() {
		switch os.Getenv("ZREP_TEST_ZFS") {
		case "", "fuse":
			theTier = fuseTier{}
		case "openzfs":
			theTier = &openzfsTier{}
		default:
			panic(fmt.Sprintf("ZREP_TEST_ZFS=%q: want fuse or openzfs", os.Getenv("ZREP_TEST_ZFS")))
		}
	})
	return theTier
}

// ---- fuse -------------------------------------------------------------------

// fuseTier: scripts/testhosts.sh's namespace hosts, entered with nsenter.
type fuseTier struct{}

func (fuseTier) name() string { return "fuse" }

func (fuseTier) stateDir() string {
	if d := os.Getenv("ZREP_TESTHOSTS_DIR"); d != "" {
		return d
	}
	return "/var/lib/zrep-testhosts"
}

func (f fuseTier) home() string { return filepath.Join(f.stateDir(), "home") }

func (fuseTier) workdirRoot() string { return "" }

func (fuseTier) prepare() error { return nil }

func (fuseTier) status() error { return testhosts("status").Run() }

func (fuseTier) up() error {
	if out, err := testhosts("up").CombinedOutput(); err != nil {
		return fmt.Errorf("testhosts.sh up: %v\n%s", err, out)
	}
	return nil
}

// cmd enters the host's mount and UTS namespaces (entering a mount
// namespace resets the working directory to /, so exec.Cmd.Dir would not
// survive it: nsenter --wd does).
func (f fuseTier) cmd(host, dir string, env []string, argv ...string) *exec.Cmd {
	pid, _ := os.ReadFile(filepath.Join(f.stateDir(), host, "ns.pid"))
	args := []string{"-t", strings.TrimSpace(string(pid)), "-m", "-u"}
	if dir != "" {
		args = append(args, "--wd="+dir)
	}
	args = append(append(args, "--"), argv...)
	c := exec.Command("nsenter", args...)
	if env != nil {
		c.Env = env
	}
	return c
}

// testhosts runs scripts/testhosts.sh with args.
func testhosts(args ...string) *exec.Cmd {
	return exec.Command("bash", append([]string{"scripts/testhosts.sh"}, args...)...)
}

// ---- openzfs ----------------------------------------------------------------

// openzfsTier: scripts/openzfs.sh's guest; every host is an sshd of its
// own, reached from here by its name through $STATE/home/.ssh/config.
// $STATE/share is the guest's 9p share at the same path: work directories
// and the zrep binary (built here, CGO_ENABLED=0) live there.
type openzfsTier struct {
	workRoot string
}

func (*openzfsTier) name() string { return "openzfs" }

func (*openzfsTier) stateDir() string {
	if d := os.Getenv("ZREP_OPENZFS_DIR"); d != "" {
		return d
	}
	return "/var/lib/zrep-openzfs"
}

func (o *openzfsTier) share() string { return filepath.Join(o.stateDir(), "share") }

// home is written by openzfs.sh in the share: the guest root's key, config
// and known_hosts naming the hosts by their addresses inside the guest.
func (o *openzfsTier) home() string { return filepath.Join(o.share(), "home") }

func (o *openzfsTier) workdirRoot() string { return o.workRoot }

func (o *openzfsTier) sshConfig() string {
	return filepath.Join(o.stateDir(), "home", ".ssh", "config")
}

// guestPath is PATH on the guest's hosts: the zrep built for it first.
func (o *openzfsTier) guestPath() string {
	return filepath.Join(o.share(), "bin") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

func openzfsScript(args ...string) *exec.Cmd {
	return exec.Command("bash", append([]string{"scripts/openzfs.sh"}, args...)...)
}

func (*openzfsTier) status() error { return openzfsScript("status").Run() }

func (*openzfsTier) up() error {
	if out, err := openzfsScript("up").CombinedOutput(); err != nil {
		return fmt.Errorf("openzfs.sh up: %v\n%s", err, out)
	}
	return nil
}

var zrepBuild struct {
	once gosync.Once
	err  error
}

// prepare builds zrep for the guest (it has no Go), opens one shared ssh
// connection per host, and makes this process's work directory root.
func (o *openzfsTier) prepare() error {
	zrepBuild.once.Do(func() {
		bin := filepath.Join(o.share(), "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			zrepBuild.err = err
			return
		}
		tmp := filepath.Join(bin, fmt.Sprintf(".zrep.%d", os.Getpid()))
		c := exec.Command("go", "build", "-o", tmp, ".")
		c.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := c.CombinedOutput(); err != nil {
			zrepBuild.err = fmt.Errorf("go build for the guest: %v\n%s", err, out)
			return
		}
		if err := os.Rename(tmp, filepath.Join(bin, "zrep")); err != nil {
			zrepBuild.err = err
			return
		}
		if err := os.MkdirAll(filepath.Join(o.share(), "work"), 0o1777); err != nil {
			zrepBuild.err = err
			return
		}
		o.workRoot, zrepBuild.err = os.MkdirTemp(filepath.Join(o.share(), "work"), "e2e-")
		for host := range testHosts {
			// Background masters; commands pass ControlMaster=no so that none
			// of them becomes a master holding its output pipes open.
			m := exec.Command("ssh", "-F", o.sshConfig(), "-o", "ControlMaster=yes", "-fN", host)
			if out, err := m.CombinedOutput(); err != nil && zrepBuild.err == nil {
				zrepBuild.err = fmt.Errorf("ssh master to %s: %v: %s", host, err, out)
			}
		}
	})
	return zrepBuild.err
}

// cmd runs `cd DIR && exec env K=V... ARGV` on the host, every word quoted
// for the remote shell. PATH is always the guest's.
func (o *openzfsTier) cmd(host, dir string, env []string, argv ...string) *exec.Cmd {
	words := []string{"exec", "env"}
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PATH=") {
			words = append(words, kv)
		}
	}
	words = append(words, "PATH="+o.guestPath())
	words = append(words, argv...)
	line := shellquote.Join(words...)
	if dir != "" {
		line = "cd " + shellquote.Join(dir) + " && " + line
	}
	c := exec.Command("ssh", "-F", o.sshConfig(), "-o", "ControlMaster=no", host, "--", line)
	c.WaitDelay = 10 * time.Second
	return c
}

// ---- features ---------------------------------------------------------------

// tierHost is an ssh.Host that runs argv on one host of the current tier,
// for zrep's own feature probe.
type tierHost struct{ host string }

func (h tierHost) Name() string { return h.host }

func (h tierHost) Close() error { return nil }

func (h tierHost) Run(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error) {
	p, err := h.Start(ctx, argv, stdin)
	if err != nil {
		return nil, err
	}
	out, _ := io.ReadAll(p.Stdout())
	return out, p.Wait()
}

func (h tierHost) Start(ctx context.Context, argv []string, stdin io.Reader) (ssh.Process, error) {
	c := currentTier().cmd(h.host, "", nil, argv...)
	c.Stdin = stdin
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, &ssh.UnreachableError{Host: h.host, Err: err}
	}
	return &tierProcess{c: c, out: out, stderr: &stderr, host: h.host, argv: argv}, nil
}

type tierProcess struct {
	c      *exec.Cmd
	out    io.Reader
	stderr *bytes.Buffer
	host   string
	argv   []string
}

func (p *tierProcess) Stdout() io.Reader { return p.out }

func (p *tierProcess) Wait() error {
	err := p.c.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &ssh.ExitError{Host: p.host, Argv: p.argv, Code: ee.ExitCode(), Stderr: p.stderr.String()}
	}
	return err
}

var features struct {
	once  gosync.Once
	named map[string]bool
	err   error
}

// featureNames are the [feature:X] names scenarios may use.
var featureNames = []string{"resume", "holds", "bookmarks", "raw", "written", "recv-o", "multisnap", "diff"}

// hasFeature answers [feature:NAME] from zrep's own probe of hosta, made
// once per test process.
func hasFeature(name string) (bool, error) {
	if !slices.Contains(featureNames, name) {
		return false, fmt.Errorf("unknown feature %q (known: %s)", name, strings.Join(featureNames, ", "))
	}
	features.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		f, err := zfsprops.DetectFeatures(ctx, tierHost{"hosta"})
		if err != nil {
			features.err = fmt.Errorf("feature probe on hosta: %v", err)
			return
		}
		features.named = f.Named()
	})
	if features.err != nil {
		return false, features.err
	}
	return features.named[name], nil
}
