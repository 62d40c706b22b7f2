package sync

import (
	"context"
	"errors"
	"reflect"
	gosync "sync"
	"testing"
)

// One failing pair neither stops the others nor hides its own failure;
// a quiet-mode skip is not a failure.
func TestEachGoesOnPastFailures(t *testing.T) {
	for _, jobs := range []int{1, 3} {
		var mu gosync.Mutex
		var ran, reported []string
		fn := func(_ context.Context, name string) error {
			mu.Lock()
			ran = append(ran, name)
			mu.Unlock()
			switch name {
			case "b":
				return errors.New("unreachable")
			case "c":
				return &SkippedError{FS: name}
			}
			return nil
		}
		failed := Each(context.Background(), []string{"a", "b", "c", "d"}, jobs, fn,
			func(name string, err error) { reported = append(reported, name) })
		if failed != 1 || !reflect.DeepEqual(reported, []string{"b"}) || len(ran) != 4 {
			t.Errorf("jobs=%d: failed=%d reported=%v ran=%v", jobs, failed, reported, ran)
		}
	}
}

// Interrupted: the pairs not started are reported as such, and counted.
func TestEachAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu gosync.Mutex
	var reported []string
	fn := func(context.Context, string) error { cancel(); return nil }
	failed := Each(ctx, []string{"a", "b", "c", "d"}, 2, fn, func(name string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v", name, err)
		}
		reported = append(reported, name)
	})
	if failed == 0 || failed != len(reported) {
		t.Fatalf("failed=%d reported=%v", failed, reported)
	}
}
