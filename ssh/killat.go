package ssh

import (
	"context"
	"io"
	"os"
	"regexp"
	"syscall"

	"github.com/kballard/go-shellquote"
)

// KillAt is a Host for fault tests (ZREP_TEST_KILL_AT): when a command
// about to run matches At, zrep is killed with SIGKILL before it starts,
// as a crash or the OOM killer would at exactly that step. The command is
// matched in the form -D prints it, "HOST: zfs ...", so a test picks the
// step from a trace. Kill-before-start is deterministic: the command
// never runs, every earlier one has finished.
type KillAt struct {
	Host
	At   *regexp.Regexp
	Kill func() // tests replace it; the default never returns
}

// NewKillAt wraps h so that zrep dies before the first command matching at.
func NewKillAt(h Host, at *regexp.Regexp) *KillAt {
	return &KillAt{Host: h, At: at, Kill: killSelf}
}

func killSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL is delivered before this matters
}

func (k *KillAt) check(argv []string) {
	if k.At.MatchString(k.Name() + ": " + shellquote.Join(argv...)) {
		k.Kill()
	}
}

func (k *KillAt) Run(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error) {
	k.check(argv)
	return k.Host.Run(ctx, argv, stdin)
}

func (k *KillAt) Start(ctx context.Context, argv []string, stdin io.Reader) (Process, error) {
	k.check(argv)
	return k.Host.Start(ctx, argv, stdin)
}
