package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// maxSessions is OpenSSH's default MaxSessions: more sessions at once on
// one connection are refused, so callers beyond it wait for a slot.
const maxSessions = 10

// handshakeTimeout bounds key exchange and authentication, which
// ConnectTimeout (the TCP connect) does not cover: a peer that accepts
// the connection and then says nothing cannot hang a run. A variable
// for tests.
var handshakeTimeout = 30 * time.Second

// Client runs commands on a host over one SSH connection, a new session
// per command. It dials on first use, so a host that is opened but not
// used costs nothing. A failed dial is remembered and returned for the
// rest of the Client's life: an unreachable host costs one ConnectTimeout
// per run, not one per command. A connection that drops after it was up
// (keepalive timeout, peer restart) is dialled again on next use.
type Client struct {
	cfg *Config
	sem chan struct{}

	mu      sync.Mutex
	conn    *gossh.Client
	dialErr error
	closed  bool
}

var _ Host = (*Client)(nil)

// NewClient returns a Client for cfg (see ResolveConfig). It does not dial.
func NewClient(cfg *Config) *Client {
	return &Client{cfg: cfg, sem: make(chan struct{}, maxSessions)}
}

func (c *Client) Name() string { return c.cfg.Name }

// Config is what the client dials with.
func (c *Client) Config() *Config { return c.cfg }

// Connect dials now if not yet connected, to fail early or to time it.
func (c *Client) Connect(ctx context.Context) error {
	_, err := c.client(ctx)
	return err
}

func (c *Client) client(ctx context.Context) (*gossh.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return nil, fmt.Errorf("%s: connection already closed", c.cfg.Name)
	case c.conn != nil:
		return c.conn, nil
	case c.dialErr != nil:
		return nil, c.dialErr
	}
	conn, err := dial(ctx, c.cfg)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: connect: %w", c.cfg.Name, ctx.Err())
		}
		c.dialErr = &UnreachableError{Host: c.cfg.Name, Err: err}
		return nil, c.dialErr
	}
	c.conn = conn
	go keepalive(conn, c.cfg.ServerAliveInterval, c.cfg.ServerAliveCountMax)
	go func() {
		conn.Wait()
		c.mu.Lock()
		if c.conn == conn {
			c.conn = nil
		}
		c.mu.Unlock()
	}()
	return conn, nil
}

func dial(ctx context.Context, cfg *Config) (*gossh.Client, error) {
	addr := net.JoinHostPort(cfg.HostName, strconv.Itoa(cfg.Port))
	where := cfg.User + "@" + addr
	check, algos, err := hostKeyCheck(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	k := loadKeys(cfg)
	defer k.close()

	d := net.Dialer{Timeout: cfg.ConnectTimeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	var keyErr *HostKeyError
	cc := &gossh.ClientConfig{
		User: cfg.User,
		Auth: []gossh.AuthMethod{k.auth()},
		HostKeyCallback: func(host string, remote net.Addr, key gossh.PublicKey) error {
			err := check(host, remote, key)
			errors.As(err, &keyErr)
			return err
		},
		HostKeyAlgorithms: algos,
		Config:            gossh.Config{Ciphers: cfg.Ciphers},
	}
	nc.SetDeadline(time.Now().Add(max(cfg.ConnectTimeout, handshakeTimeout)))
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	sc, chans, reqs, err := gossh.NewClientConn(nc, addr, cc)
	if !stop() {
		if err == nil {
			sc.Close()
		}
		return nil, ctx.Err()
	}
	switch {
	case keyErr != nil:
		return nil, fmt.Errorf("%s: %w", where, keyErr)
	case err != nil && strings.Contains(err.Error(), "unable to authenticate"):
		return nil, fmt.Errorf("%s: %w", where, k.refused(cfg))
	case err != nil:
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	nc.SetDeadline(time.Time{})
	return gossh.NewClient(sc, chans, reqs), nil
}

// keepalive asks the server for a reply every interval, as OpenSSH's
// ServerAliveInterval does, and closes the connection when countMax
// requests in a row went unanswered: commands on a dead peer then fail
// instead of hanging a cron run.
func keepalive(conn *gossh.Client, interval time.Duration, countMax int) {
	if interval <= 0 {
		return
	}
	done := make(chan struct{})
	go func() { conn.Wait(); close(done) }()
	t := time.NewTicker(interval)
	defer t.Stop()
	var reply chan error // the request in flight, if any
	missed := 0
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if reply != nil {
			select {
			case err := <-reply:
				if err != nil {
					return
				}
				missed = 0
			default:
				if missed++; missed >= countMax {
					conn.Close()
					return
				}
				continue
			}
		}
		reply = make(chan error, 1)
		go func(r chan<- error) {
			_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
			r <- err
		}(reply)
	}
}

// Close closes the connection. Safe to call twice.
func (c *Client) Close() error {
	c.mu.Lock()
	conn := c.conn
	c.conn, c.closed = nil, true
	c.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
	return nil
}

func (c *Client) Run(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error) {
	s, err := c.start(ctx, argv, stdin)
	if err != nil {
		return nil, err
	}
	out, readErr := io.ReadAll(s.stdout)
	if err := s.Wait(); err != nil {
		return out, err
	}
	if readErr != nil {
		return out, &UnreachableError{Host: c.cfg.Name, Err: fmt.Errorf("%s: reading output: %w", Summary(argv), readErr)}
	}
	return out, nil
}

func (c *Client) Start(ctx context.Context, argv []string, stdin io.Reader) (Process, error) {
	s, err := c.start(ctx, argv, stdin)
	if err != nil {
		return nil, err
	}
	return s, nil
}
