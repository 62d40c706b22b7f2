package ssh_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/ssh/hosttest"
)

func TestLocal(t *testing.T) {
	hosttest.Run(t, ssh.NewLocal("localhost"))
}

func TestLocalNotFoundNamesProgram(t *testing.T) {
	_, err := ssh.NewLocal("localhost").Run(context.Background(), []string{"/nonexistent/zfs", "list"}, nil)
	var ee *ssh.ExitError
	if !errors.As(err, &ee) || ee.Code != 127 {
		t.Fatalf("got %v, want exit 127", err)
	}
	if want := "localhost: /nonexistent/zfs list: /nonexistent/zfs: command not found"; err.Error() != want {
		t.Errorf("got  %q\nwant %q", err.Error(), want)
	}
}

func TestLocalStartNotFound(t *testing.T) {
	_, err := ssh.NewLocal("localhost").Start(context.Background(), []string{"zrep-no-such-command"}, nil)
	var ee *ssh.ExitError
	if !errors.As(err, &ee) || ee.Code != 127 {
		t.Fatalf("got %v, want exit 127", err)
	}
}

// A local pipeline hands the pipe itself to the next command.
func TestLocalPipeIsFile(t *testing.T) {
	h := ssh.NewLocal("localhost")
	ctx := context.Background()
	p, err := h.Start(ctx, []string{"printf", "a\nb\n"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Stdout().(interface{ Fd() uintptr }); !ok {
		t.Errorf("Stdout is %T, want an *os.File", p.Stdout())
	}
	out, err := h.Run(ctx, []string{"wc", "-l"}, p.Stdout())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != "2" {
		t.Errorf("wc -l = %q", out)
	}
}

func TestLocalEmptyArgv(t *testing.T) {
	if _, err := ssh.NewLocal("localhost").Run(context.Background(), nil, nil); err == nil {
		t.Error("Run(nil) succeeded")
	}
}

// A stdin that errors must not count as a clean end of input.
func TestLocalStdinError(t *testing.T) {
	_, err := ssh.NewLocal("localhost").Run(context.Background(), []string{"cat"}, io.MultiReader(strings.NewReader("x"), errReader{}))
	if err == nil {
		t.Fatal("Run with a failing stdin succeeded")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("broken stdin") }
