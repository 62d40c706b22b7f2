package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// cancelGrace is how long a killed command may take to end before Wait
// and reads of its stdout give up on it. sshd ignores the signal request
// for root logins (it needs privilege separation), so killing often comes
// down to closing the channel: a command that reads stdin (zfs recv) or
// writes stdout (zfs send) then ends at once; one that does neither runs
// on, without us.
const cancelGrace = time.Second

// session is one command on a Client's connection.
type session struct {
	host    string
	argv    []string
	sess    *gossh.Session
	stderr  *tailBuffer
	stdout  *io.PipeReader
	stdoutW *io.PipeWriter

	done    chan struct{} // the session ended; waitErr is set
	waitErr error
	gaveUp  chan struct{} // cancelGrace passed after a kill

	mu       sync.Mutex
	killedBy error // why we killed it: ctx.Err() or a stdin read error
}

// start opens a session and starts argv on it.
func (c *Client) start(ctx context.Context, argv []string, stdin io.Reader) (*session, error) {
	name := c.cfg.Name
	if len(argv) == 0 {
		return nil, errors.New(name + ": empty command")
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %s: %w", name, Summary(argv), ctx.Err())
	}
	release := func() { <-c.sem }
	conn, err := c.client(ctx)
	if err != nil {
		release()
		return nil, err
	}
	sess, err := conn.NewSession()
	if err != nil {
		release()
		var refused *gossh.OpenChannelError
		if errors.As(err, &refused) {
			return nil, fmt.Errorf("%s: %s: %w", name, Summary(argv), err)
		}
		return nil, &UnreachableError{Host: name, Err: fmt.Errorf("new session: %w", err)}
	}
	s := &session{host: name, argv: argv, sess: sess, stderr: newTailBuffer(stderrCap),
		done: make(chan struct{}), gaveUp: make(chan struct{})}
	sess.Stderr = s.stderr
	remoteOut, err := sess.StdoutPipe()
	var stdinPipe io.WriteCloser
	if err == nil && stdin != nil {
		stdinPipe, err = sess.StdinPipe()
	}
	if err == nil {
		err = sess.Start(remoteCommandLine(argv))
	}
	if err != nil {
		sess.Close()
		release()
		return nil, &UnreachableError{Host: name, Err: fmt.Errorf("%s: %w", Summary(argv), err)}
	}

	// Stdout goes through a pipe of ours so that a kill can end a read
	// that the channel would leave blocked.
	s.stdout, s.stdoutW = io.Pipe()
	go func() {
		_, err := io.Copy(s.stdoutW, remoteOut)
		s.stdoutW.CloseWithError(err)
	}()
	stopCancel := context.AfterFunc(ctx, func() { s.kill(ctx.Err()) })
	go func() {
		s.waitErr = sess.Wait()
		stopCancel()
		sess.Close()
		release() // only now: an abandoned command still holds its slot
		close(s.done)
	}()
	if stdinPipe != nil {
		go s.copyStdin(stdinPipe, stdin)
	}
	return s, nil
}

// kill asks sshd to kill the command and closes the channel; see
// cancelGrace for what follows.
func (s *session) kill(why error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return
	default:
	}
	if s.killedBy != nil {
		return
	}
	s.killedBy = why
	s.sess.Signal(gossh.SIGKILL)
	s.sess.Close()
	time.AfterFunc(cancelGrace, func() {
		s.stdoutW.CloseWithError(why)
		close(s.gaveUp)
	})
}

// copyStdin feeds stdin to the command and then sends EOF. Wait does not
// wait for it: a command may exit without reading everything, and the
// reader (another host's send) is the caller's to stop. A failed read
// kills the command, which must not take a truncated stream for a whole.
func (s *session) copyStdin(w io.WriteCloser, stdin io.Reader) {
	r := &errReader{r: stdin}
	io.Copy(w, r)
	if r.err != nil {
		s.kill(fmt.Errorf("reading stdin: %w", r.err))
		return
	}
	w.Close()
}

// errReader remembers a read error, to tell it from the channel's write
// errors once the command has gone.
type errReader struct {
	r   io.Reader
	err error
}

func (r *errReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

func (s *session) Stdout() io.Reader { return s.stdout }

func (s *session) Wait() error {
	select {
	case <-s.done:
	case <-s.gaveUp:
	}
	s.mu.Lock()
	killedBy := s.killedBy
	s.mu.Unlock()
	what := fmt.Sprintf("%s: %s", s.host, Summary(s.argv))
	if killedBy != nil {
		return fmt.Errorf("%s: %w", what, killedBy)
	}

	var exit *gossh.ExitError
	var missing *gossh.ExitMissingError
	switch err := s.waitErr; {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		return &ExitError{Host: s.host, Argv: s.argv, Code: exit.ExitStatus(), Stderr: s.stderr.String()}
	case errors.As(err, &missing):
		// No exit status: the connection went away mid-command.
		return &UnreachableError{Host: s.host, Err: fmt.Errorf("connection lost during %s", Summary(s.argv))}
	default:
		return &UnreachableError{Host: s.host, Err: fmt.Errorf("%s: %w", Summary(s.argv), err)}
	}
}
