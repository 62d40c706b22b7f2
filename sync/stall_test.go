package sync

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// A stream that stops moving cancels the transfer's context with a
// *StallError carrying the byte count; a watched stream reads as itself.
func TestWatchAbortsAStalledStream(t *testing.T) {
	e := &Env{StallTimeout: 100 * time.Millisecond}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	pr, pw := io.Pipe()
	r := e.watch(ctx, pr, cancel)
	go func() { pw.Write([]byte("12345")) }() // then nothing more, ever
	buf := make([]byte, 5)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "12345" {
		t.Fatalf("read %q, %v", buf, err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing check
		t.Fatal("a stalled stream was never aborted")
	}
	var se *StallError
	if !errors.As(context.Cause(ctx), &se) || se.Bytes != 5 || !strings.Contains(se.Hint(), "run zrep again") {
		t.Fatalf("cause %v", context.Cause(ctx))
	}
}

// With the watchdog off the stream is passed through untouched.
func TestWatchOff(t *testing.T) {
	e := &Env{}
	r := strings.NewReader("x")
	if got := e.watch(context.Background(), r, nil); got != io.Reader(r) {
		t.Errorf("watch wrapped the stream with the watchdog off")
	}
}
