package sync

import (
	"context"
	"errors"
	"github.com/zrep-go/zrep/lock"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/zrep-go/zrep/zfsprops"
)

// maxErrorLen bounds TAG:last-error: ZFS user property values stop at
// 8191 bytes, and a monitor wants a line, not zfs's whole stderr.
const maxErrorLen = 1024

// PairFunc is one sync or refresh of a pair: Env.Sync or Env.Refresh.
type PairFunc func(ctx context.Context, name string, o SyncOptions) error

// RunResult is how one sync or refresh of a pair ended, for the textfile
// written after the run.
type RunResult struct {
	FS       string
	Err      error // nil: success; a *SkippedError: neither
	Duration time.Duration
	Bytes    int64 // stream bytes zfs send produced, resumed ones included
}

// Recorded wraps fn so that its outcome stays on the local dataset for
// status, the Nagios check and the metrics: a failure sets TAG:last-error
// and TAG:last-attempt and counts in TAG:failures; a success clears the
// first two (and sets nothing, so a healthy pair keeps classic's
// properties exactly). done, if not nil, sees every result.
func (e *Env) Recorded(fn PairFunc, done func(RunResult)) PairFunc {
	return func(ctx context.Context, name string, o SyncOptions) error {
		start := e.now()
		n := &atomic.Int64{}
		err := fn(context.WithValue(ctx, streamCounterKey{}, n), name, o)
		res := RunResult{FS: name, Err: err, Duration: e.now().Sub(start), Bytes: n.Load()}
		if recordable(err) {
			if rerr := e.recordResult(context.WithoutCancel(ctx), name, err, start); rerr != nil {
				e.warn("%s: could not record the result for monitoring: %s", name, oneLine(rerr))
			}
		}
		if done != nil {
			done(res)
		}
		return err
	}
}

// recordable is an outcome that says something about the pair: not a
// quiet-mode skip, nor a command refused before anything of the pair ran
// (the wrong side, a dataset that is not there or not paired, a pairing
// whose own properties are missing or corrupt): a refusal changes nothing
// on any host, not even these marks.
func recordable(err error) bool {
	refusals := []any{
		new(*SkippedError), new(*NotMasterError), new(*zfsprops.NotExistError),
		new(*NotPairedError), new(*ForeignMasterError), new(*AlreadyMasterError),
		new(*HalfPairError), new(*PartnerNameError), new(*zfsprops.PropError),
		new(*zfsprops.BrokenError),
		// Busy: another run holds the pair and is doing the work.
		new(*BusyError), new(*lock.BusyError), new(*lock.UnsafeError),
	}
	for _, target := range refusals {
		if errors.As(err, target) {
			return false
		}
	}
	return true
}

// recordResult writes the outcome on name; one read first, so that a
// success on a healthy pair costs no write at all.
func (e *Env) recordResult(ctx context.Context, name string, runErr error, at time.Time) error {
	fs, err := zfsprops.ReadOne(ctx, e.Local, e.Tag, name)
	if err != nil {
		return err
	}
	if runErr == nil {
		for _, p := range []string{e.Tag.LastError(), e.Tag.LastAttempt()} {
			if fs.Prop(p).Local() != "" {
				if err := zfsprops.Inherit(ctx, e.Local, name, p); err != nil {
					return err
				}
			}
		}
		return nil
	}
	count, _ := strconv.ParseUint(fs.Prop(e.Tag.Failures()).Local(), 10, 64)
	for _, kv := range [][2]string{
		{e.Tag.LastError(), ErrorValue(runErr)},
		{e.Tag.LastAttempt(), strconv.FormatInt(at.Unix(), 10)},
		{e.Tag.Failures(), strconv.FormatUint(count+1, 10)},
	} {
		if err := zfsprops.Set(ctx, e.Local, name, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// ErrorValue is err as TAG:last-error holds it: the message and its hint
// on one line (no newline or tab survives), at most maxErrorLen bytes.
func ErrorValue(err error) string {
	msg := strings.TrimSpace(err.Error())
	if hint := zfsprops.HintOf(err); hint != "" {
		msg += "; " + hint
	}
	msg = strings.Join(strings.Fields(strings.ToValidUTF8(msg, "?")), " ")
	if msg == "" {
		msg = "failed"
	}
	if len(msg) > maxErrorLen {
		cut := maxErrorLen - len("...")
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	return msg
}

// streamCounterKey carries, in a pair's context, the counter its
// transfers add their stream bytes to.
type streamCounterKey struct{}

// countStream returns r counting into the pair's counter, if it has one.
func countStream(ctx context.Context, r io.Reader) io.Reader {
	n, _ := ctx.Value(streamCounterKey{}).(*atomic.Int64)
	if n == nil {
		return r
	}
	return &addingReader{r: r, n: n}
}

type addingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (a *addingReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	a.n.Add(int64(n))
	return n, err
}
