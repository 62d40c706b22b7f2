package ssh_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/zrep-go/zrep/ssh"
)

// KillAt kills before the first matching command runs, matching the
// -D form "HOST: argv", and lets every other command through.
func TestKillAtKillsBeforeTheMatchingCommand(t *testing.T) {
	ctx := context.Background()
	k := ssh.NewKillAt(ssh.NewLocal("hosta"), regexp.MustCompile(`^hosta: sh -c 'exit 3'$`))
	killed := 0
	k.Kill = func() { killed++ }
	if out, err := k.Run(ctx, []string{"echo", "ok"}, nil); err != nil || string(out) != "ok\n" || killed != 0 {
		t.Fatalf("echo: %q, %v, killed %d", out, err, killed)
	}
	k.Run(ctx, []string{"sh", "-c", "exit 3"}, nil)
	if killed != 1 {
		t.Fatalf("Run of the matching command: killed %d times, want 1", killed)
	}
	p, err := k.Start(ctx, []string{"sh", "-c", "exit 3"}, nil)
	if err == nil {
		p.Wait()
	}
	if killed != 2 {
		t.Fatalf("Start of the matching command: killed %d times, want 2", killed)
	}
}
