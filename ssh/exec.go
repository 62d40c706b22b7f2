package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// waitDelay bounds how long Wait lingers for output pipes once the process
// is gone, in case something it started still holds them.
const waitDelay = time.Second

// execSpec is one os/exec command run for Local or External.
type execSpec struct {
	host string
	argv []string // as the caller gave it, for messages
	cmd  []string // what runs on this machine
	// viaSSH marks an ssh program: its exit 255 and a failure to start it
	// are transport failures, not the remote command's.
	viaSSH bool
	// detach runs the command in a session of its own, with no
	// controlling terminal: an ssh program cannot prompt on it.
	detach bool
}

// execCmd is a started execSpec.
type execCmd struct {
	spec   execSpec
	ctx    context.Context
	cmd    *exec.Cmd
	stdout io.Reader // for Start
	stderr *tailBuffer

	mu       sync.Mutex
	stdinErr error
}

// start starts the command. With stdout nil the output is left to
// Stdout (Start); else it is copied there (Run).
func (s execSpec) start(ctx context.Context, stdin io.Reader, stdout io.Writer) (*execCmd, error) {
	cmd := exec.CommandContext(ctx, s.cmd[0], s.cmd[1:]...)
	// Its own process group, killed whole on cancel: a shell's children
	// (or an ssh's ProxyCommand) must not keep our pipes open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if s.detach {
		// A new session is a new process group too (setpgid would fail
		// on a session leader), with no controlling terminal.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		cmd.Env = append(os.Environ(), "SSH_ASKPASS_REQUIRE=never")
	}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
	c := &execCmd{spec: s, ctx: ctx, cmd: cmd, stderr: newTailBuffer(stderrCap)}
	cmd.Stderr = c.stderr

	// A file (another local command's stdout) is handed over as is. Any
	// other reader is copied by us, not by os/exec, whose Wait would wait
	// for a read that may never return. No stdin is /dev/null (os/exec),
	// never our own stdin, which may be a terminal.
	var feed io.WriteCloser
	var err error
	if f, ok := stdin.(*os.File); ok || stdin == nil {
		if ok {
			cmd.Stdin = f
		}
	} else if feed, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", s.host, Summary(s.argv), err)
	}
	if stdout != nil {
		cmd.Stdout = stdout
	} else if c.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", s.host, Summary(s.argv), err)
	}
	if err := cmd.Start(); err != nil {
		return nil, s.err(ctx, err, c.stderr)
	}
	if feed != nil {
		go c.copyStdin(feed, stdin)
	}
	return c, nil
}

// copyStdin is session.copyStdin for a local process.
func (c *execCmd) copyStdin(w io.WriteCloser, stdin io.Reader) {
	r := &errReader{r: stdin}
	io.Copy(w, r)
	if r.err != nil {
		c.mu.Lock()
		c.stdinErr = r.err
		c.mu.Unlock()
		c.cmd.Cancel()
	}
	w.Close()
}

func (c *execCmd) Stdout() io.Reader { return c.stdout }

func (c *execCmd) Wait() error {
	err := c.cmd.Wait()
	c.mu.Lock()
	stdinErr := c.stdinErr
	c.mu.Unlock()
	if stdinErr != nil {
		return fmt.Errorf("%s: %s: reading stdin: %w", c.spec.host, Summary(c.spec.argv), stdinErr)
	}
	return c.spec.err(c.ctx, err, c.stderr)
}

func (s execSpec) run(ctx context.Context, stdin io.Reader) ([]byte, error) {
	var stdout bytes.Buffer
	c, err := s.start(ctx, stdin, &stdout)
	if err != nil {
		return nil, err
	}
	err = c.Wait()
	return stdout.Bytes(), err
}

// err maps an os/exec result to the Host contract.
func (s execSpec) err(ctx context.Context, err error, stderr *tailBuffer) error {
	if err == nil || errors.Is(err, exec.ErrWaitDelay) {
		// ErrWaitDelay: the command exited 0 but something it started
		// still holds its output. Its result is its exit status.
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %s: %w", s.host, Summary(s.argv), ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code := ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal()) // as a shell reports it
		}
		msg := stderr.String()
		if s.viaSSH && code == 255 {
			if ke := externalHostKeyError(s.host, s.cmd[0], msg); ke != nil {
				return &UnreachableError{Host: s.host, Err: ke}
			}
			return &UnreachableError{Host: s.host, Err: sshFailure(s.cmd[0], msg)}
		}
		if s.viaSSH && strings.TrimSpace(msg) == "" {
			// Silent failure: maybe the ssh program's, not the command's.
			msg = fmt.Sprintf("exit status %d, run through %s", code, s.cmd[0])
		}
		return &ExitError{Host: s.host, Argv: s.argv, Code: code, Stderr: msg}
	}
	if s.viaSSH {
		return &UnreachableError{Host: s.host, Err: err}
	}
	// Report a missing or unrunnable program as a shell would, so the
	// caller sees the same thing locally as over SSH.
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return &ExitError{Host: s.host, Argv: s.argv, Code: 127,
			Stderr: fmt.Sprintf("%s: command not found", s.cmd[0])}
	case errors.Is(err, fs.ErrPermission):
		return &ExitError{Host: s.host, Argv: s.argv, Code: 126,
			Stderr: fmt.Sprintf("%s: permission denied", s.cmd[0])}
	}
	return fmt.Errorf("%s: %s: %w", s.host, Summary(s.argv), err)
}

func sshFailure(prog, stderr string) error {
	msg := string(bytes.TrimSpace([]byte(stderr)))
	if msg == "" {
		return fmt.Errorf("%s exited with status 255", prog)
	}
	return errors.New(msg)
}
