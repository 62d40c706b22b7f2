package sync

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
)

func TestErrorValue(t *testing.T) {
	err := zfsprops.WithHint(errors.New("sending pa/x@zrep_000002 to hostb:pb/x failed:\ncannot receive:\tno space\n"), "free space on hostb")
	if got, want := ErrorValue(err), "sending pa/x@zrep_000002 to hostb:pb/x failed: cannot receive: no space; free space on hostb"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	long := ErrorValue(errors.New(strings.Repeat("é", 5000)))
	if len(long) > maxErrorLen || !utf8.ValidString(long) || !strings.HasSuffix(long, "...") {
		t.Errorf("bounded value: %d bytes, valid %v, %q", len(long), utf8.ValidString(long), long[len(long)-8:])
	}
	if got := ErrorValue(errors.New("\n")); got != "failed" {
		t.Errorf("empty message: %q", got)
	}
}

func lastErrorArgv(value string) []string {
	return zfsprops.SetArgv("zrep:last-error", value, "pa/x")
}

// A failure sets the message, its time and the count; a success clears
// the first two and sets nothing on a healthy pair.
func TestRecorded(t *testing.T) {
	failed := errors.New("cannot reach hostb")
	at := time.Unix(1700000000, 0)
	cases := []struct {
		name   string
		detail string
		runErr error
		expect func(*sshtest.Fake)
	}{
		{"first failure", masterDetail(), failed, func(f *sshtest.Fake) {
			f.Expect(lastErrorArgv("cannot reach hostb"))
			f.Expect(zfsprops.SetArgv("zrep:last-attempt", "1700000000", "pa/x"))
			f.Expect(zfsprops.SetArgv("zrep:failures", "1", "pa/x"))
		}},
		{"third failure", masterDetailWith([4]string{"pa/x", "zrep:failures", "2", "local"}), failed, func(f *sshtest.Fake) {
			f.Expect(lastErrorArgv("cannot reach hostb"))
			f.Expect(zfsprops.SetArgv("zrep:last-attempt", "1700000000", "pa/x"))
			f.Expect(zfsprops.SetArgv("zrep:failures", "3", "pa/x"))
		}},
		{"success after failures", masterDetailWith(
			[4]string{"pa/x", "zrep:last-error", "cannot reach hostb", "local"},
			[4]string{"pa/x", "zrep:last-attempt", "1699999000", "local"},
			[4]string{"pa/x", "zrep:failures", "2", "local"}), nil, func(f *sshtest.Fake) {
			f.Expect(zfsprops.InheritArgv("zrep:last-error", "pa/x"))
			f.Expect(zfsprops.InheritArgv("zrep:last-attempt", "pa/x"))
		}},
		{"success, healthy", masterDetail(), nil, func(*sshtest.Fake) {}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			local := sshtest.New(t, "localhost")
			env, _ := testEnv(t, local, nil)
			env.Now = func() time.Time { return at }
			local.Expect(detailArgv("pa/x")).Returns(c.detail)
			c.expect(local)
			var got []RunResult
			fn := env.Recorded(func(ctx context.Context, name string, o SyncOptions) error {
				r := countStream(ctx, strings.NewReader("0123456789"))
				buf := make([]byte, 4)
				for {
					if _, err := r.Read(buf); err != nil {
						break
					}
				}
				return c.runErr
			}, func(r RunResult) { got = append(got, r) })
			if err := fn(context.Background(), "pa/x", SyncOptions{}); err != c.runErr {
				t.Fatalf("the run's error must come back as is: %v", err)
			}
			if len(got) != 1 || got[0].Bytes != 10 || got[0].FS != "pa/x" || got[0].Err != c.runErr {
				t.Errorf("results %+v", got)
			}
		})
	}
}

// Outcomes that say nothing about the pair are not recorded: no zfs call.
func TestRecordedSkips(t *testing.T) {
	for _, err := range []error{
		&SkippedError{FS: "pa/x"},
		&NotMasterError{Host: "hosta", FS: "pa/x"},
		&zfsprops.NotExistError{Host: "hosta", Name: "pa/x"},
	} {
		local := sshtest.New(t, "localhost")
		env, _ := testEnv(t, local, nil)
		fn := env.Recorded(func(context.Context, string, SyncOptions) error { return err }, nil)
		if got := fn(context.Background(), "pa/x", SyncOptions{}); got != err {
			t.Errorf("%v came back as %v", err, got)
		}
	}
}
