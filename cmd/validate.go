package cmd

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/kballard/go-shellquote"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// checkFS validates filesystem arguments before anything runs.
func checkFS(names ...string) error {
	for _, n := range names {
		if strings.Contains(n, "@") {
			return usagef("%q is a snapshot; this command takes a filesystem (POOL/NAME)", n)
		}
		if err := zfsprops.ValidateFilesystem(n); err != nil {
			return usagef("%v", err)
		}
	}
	return nil
}

// checkPairFS is checkFS for the filesystems init pairs: their snapshot
// names must fit too.
func checkPairFS(tag zfsprops.Tag, names ...string) error {
	if err := checkFS(names...); err != nil {
		return err
	}
	for _, n := range names {
		if err := zfsprops.ValidatePairFilesystem(n, tag); err != nil {
			return usagef("%v", err)
		}
	}
	return nil
}

// checkSnap validates an FS@SNAP argument.
func checkSnap(name string) error {
	if !strings.Contains(name, "@") {
		return usagef("%q is not a snapshot; this command takes FS@SNAP", name)
	}
	if err := zfsprops.ValidateSnapshot(name); err != nil {
		return usagef("%v", err)
	}
	return nil
}

func checkHost(name string) error {
	if err := ssh.ValidateHostName(name); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// maxSeconds bounds second counts given on the command line, so that no
// value overflows a time.Duration.
const maxSeconds = math.MaxInt32

// checkJobs and checkQuiet validate sync's -j and -q.
func checkJobs(n int) error {
	if n < 1 || n > 1000 {
		return usagef("-j must be a number of pairs from 1 to 1000, got %d", n)
	}
	return nil
}

func checkQuiet(secs int) error {
	if secs != 0 && (secs < 30 || secs > maxSeconds) {
		return usagef("-q must be at least 30 seconds (and at most %d), got %d", maxSeconds, secs)
	}
	return nil
}

// checkWait validates --wait and Z_LOCK_RETRY: whole seconds.
func checkWait(name, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxSeconds {
		return usagef("%s %q: give whole seconds to wait for a busy filesystem, 0 to %d", name, v, maxSeconds)
	}
	return nil
}

var propNameRE = regexp.MustCompile(`^[a-z][a-z0-9_.:-]*$`)

// checkKnobs validates the environment knobs (and /etc/default/zrep
// lines) a replicating command uses, before anything runs: a bad value
// is a usage error naming the knob, never a half-done run.
func (f *Factory) checkKnobs() error {
	knob := func(k string) string { return f.Getenv(k) }
	if v := knob("ZREP_R"); v != "" && v != "-R" {
		return usagef("ZREP_R=%q: set it to -R for recursive pairs, or leave it unset", v)
	}
	if v := knob("ZREP_INC_FLAG"); v != "" && v != "-i" && v != "-I" {
		return usagef("ZREP_INC_FLAG=%q: it must be -i or -I", v)
	}
	if v := knob("ZREP_SAVE_COUNT"); v != "" {
		if _, err := zfsprops.ParseSaveCount(v); err != nil {
			return usagef("ZREP_SAVE_COUNT: %v; set a number of snapshots to keep, 1 or more", err)
		}
	}
	for _, k := range []string{"ZREP_SEND_FLAGS", "ZREP_RESUME_FLAGS"} {
		words, err := shellquote.Split(knob(k))
		if err != nil {
			return usagef("%s: %v", k, err)
		}
		for _, w := range words {
			if !strings.HasPrefix(w, "-") || len(w) < 2 {
				return usagef("%s: %q is not a zfs send flag (flags start with '-', e.g. -c or -w)", k, w)
			}
		}
	}
	words, err := shellquote.Split(knob("ZREP_CREATE_FLAGS"))
	if err != nil {
		return usagef("ZREP_CREATE_FLAGS: %v", err)
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "-o":
			if i+1 == len(words) || !strings.Contains(words[i+1], "=") {
				return usagef("ZREP_CREATE_FLAGS: -o needs property=value after it")
			}
			i++
		case !strings.HasPrefix(w, "-") || len(w) < 2:
			return usagef("ZREP_CREATE_FLAGS: %q is not a zfs create flag (e.g. -o compression=lz4)", w)
		}
	}
	for _, kv := range strings.Fields(knob("ZREP_INIT_REMOTE_PROPERTIES")) {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || !propNameRE.MatchString(k) {
			return usagef("ZREP_INIT_REMOTE_PROPERTIES: %q is not prop=value (property names are lowercase)", kv)
		}
	}
	if v := knob("Z_LOCK_RETRY"); v != "" {
		if err := checkWait("Z_LOCK_RETRY", v); err != nil {
			return err
		}
	}
	if v := knob("ZREP_SRC_HOST"); v != "" {
		if err := ssh.ValidateHostName(v); err != nil {
			return usagef("ZREP_SRC_HOST: %v", err)
		}
	}
	if v := knob("ZREP_DATEFORMAT"); strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return usagef("ZREP_DATEFORMAT=%q: control characters would break the one-line status", v)
	}
	return f.checkSSHKnob()
}

// checkSSHKnob validates --ssh / $SSH: a command line we can split.
func (f *Factory) checkSSHKnob() error {
	v, name := f.SSH, "--ssh"
	if v == "" {
		v, name = f.Getenv("SSH"), "SSH"
	}
	if v == "" {
		return nil
	}
	words, err := shellquote.Split(v)
	switch {
	case err != nil:
		return usagef("%s=%q: %v", name, v, err)
	case len(words) == 0:
		return usagef("%s=%q names no program; unset it to use the built-in client", name, v)
	case strings.HasPrefix(words[0], "-"):
		return usagef("%s=%q: the program name must not start with '-'", name, v)
	}
	return nil
}
