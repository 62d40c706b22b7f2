package sync

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// DefaultStallTimeout is how long a transfer may move no byte before zrep
// aborts it (ZREP_STALL_TIMEOUT).
const DefaultStallTimeout = 10 * time.Minute

// StallError is a transfer aborted because its stream stopped moving: a
// hung receiver, a dead link that TCP has not noticed, a stuck filter.
type StallError struct {
	Bytes   int64
	Timeout time.Duration
}

func (e *StallError) Error() string {
	return fmt.Sprintf("the transfer stalled: no data moved for %s (after %d bytes), so zrep aborted it", e.Timeout, e.Bytes)
}

// Hint says what follows: where zfs keeps partial receives, the next run
// resumes; the lock is released either way.
func (e *StallError) Hint() string {
	return "check the link and the receiving host, then run zrep again (where zfs keeps partial receives it resumes); ZREP_STALL_TIMEOUT sets the limit"
}

// countingReader counts what passes through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// watch returns r counted, and cancels ctx with a *StallError when no byte
// has passed for e.StallTimeout (0: never). The watcher ends with ctx.
func (e *Env) watch(ctx context.Context, r io.Reader, cancel context.CancelCauseFunc) io.Reader {
	r = countStream(ctx, r) // the run's bytes sent, for monitoring (lastresult.go)
	limit := e.StallTimeout
	if limit <= 0 {
		return r
	}
	c := &countingReader{r: r}
	tick := max(limit/10, 50*time.Millisecond)
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		last, since := int64(-1), time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if n := c.n.Load(); n != last {
					last, since = n, now
				} else if now.Sub(since) >= limit {
					cancel(&StallError{Bytes: n, Timeout: limit})
					return
				}
			}
		}
	}()
	return c
}
