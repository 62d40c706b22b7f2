package ssh

import "sync"

// stderrCap bounds what we keep of a command's stderr: the end of a long
// error output is where the reason is.
const stderrCap = 64 << 10

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped bool
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if len(p) >= b.max {
		p = p[len(p)-b.max:]
		b.buf = b.buf[:0]
		b.dropped = true
	}
	if len(b.buf)+len(p) > b.max {
		// Shift once per overflow rather than per byte.
		keep := b.max - len(p)
		copy(b.buf, b.buf[len(b.buf)-keep:])
		b.buf = b.buf[:keep]
		b.dropped = true
	}
	b.buf = append(b.buf, p...)
	return n, nil
}

// String returns what was kept, marked when the start was dropped.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped {
		return "...\n" + string(b.buf)
	}
	return string(b.buf)
}
