package sync

import (
	"context"
	"fmt"
	"strconv"

	"github.com/zrep-go/zrep/zfsprops"
)

// guardFloor is the size under which the last sent snapshot is too small
// to judge by: a new pair, or one that holds next to nothing anyway.
const guardFloor = 1 << 20

// EmptySourceError is a new snapshot that refers to much less than the
// last sent one: the source looks emptied (files deleted, the dataset
// replaced by an empty one), and sending it would replicate the loss.
type EmptySourceError struct {
	Snap, Last          string // FS@SHORT names
	Side                string // host:fs of the source
	Size, LastSize      int64
	Fraction            float64
	Fate, ProceedAnyway string // what became of Snap; the command that sends anyway
}

func (e *EmptySourceError) Error() string {
	return fmt.Sprintf("%s refers to %s, under %g%% of the last sent %s (%s): the source %s looks emptied; nothing sent (%s)",
		e.Snap, size(e.Size), e.Fraction*100, e.Last, size(e.LastSize), e.Side, e.Fate)
}

// Hint names the command that sends it anyway.
func (e *EmptySourceError) Hint() string {
	return "if the data really is to go, run: " + e.ProceedAnyway + " (or set ZREP_FORCE_EMPTY=yes)"
}

// emptyGuard refuses to send snap when its referenced size fell below
// EmptyFraction of the last sent snapshot's. The last sent size comes from
// the detail read; the new snapshot's costs one zfs get (none for
// synconly, whose snapshot was in the detail read too).
func (e *Env) emptyGuard(ctx context.Context, src Side, snap string, o Step) error {
	if e.ForceEmpty || e.EmptyFraction <= 0 {
		return nil
	}
	last, ok := src.FS.LastSent(e.Tag)
	if !ok || last.Referenced < guardFloor || last.Name == snap {
		return nil
	}
	size := int64(-1)
	for _, s := range src.FS.Snapshots {
		if s.Name == snap {
			size = s.Referenced
		}
	}
	if size < 0 {
		v, err := zfsprops.ReadValue(ctx, src.Host, "referenced", snap, true)
		if err != nil {
			return fmt.Errorf("empty-source guard: reading the size of %s on %s: %w", snap, src.Name, err)
		}
		if size, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("empty-source guard: %s on %s: referenced %q is not a number", snap, src.Name, v)
		}
	}
	if float64(size) >= e.EmptyFraction*float64(last.Referenced) {
		return nil
	}
	return &EmptySourceError{Snap: snap, Last: last.Name, Side: src.String(), Size: size, LastSize: last.Referenced,
		Fraction: e.EmptyFraction, ProceedAnyway: o.Retry}
}

// size is a byte count for people.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
