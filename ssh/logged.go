package ssh

import (
	"context"
	"fmt"
	"io"
	gosync "sync"

	"github.com/kballard/go-shellquote"
)

// Logged is a Host that writes every command to W before running it:
// zrep -D shows exactly what runs where.
type Logged struct {
	Host
	W  io.Writer
	mu *gosync.Mutex
}

// NewLogged wraps h; lines go to w as "DEBUG: host: zfs ...".
func NewLogged(h Host, w io.Writer) *Logged { return &Logged{Host: h, W: w, mu: &gosync.Mutex{}} }

func (l *Logged) log(argv []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.W, "DEBUG: %s: %s\n", l.Name(), shellquote.Join(argv...))
}

func (l *Logged) Run(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error) {
	l.log(argv)
	return l.Host.Run(ctx, argv, stdin)
}

func (l *Logged) Start(ctx context.Context, argv []string, stdin io.Reader) (Process, error) {
	l.log(argv)
	return l.Host.Start(ctx, argv, stdin)
}
