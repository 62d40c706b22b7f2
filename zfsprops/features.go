package zfsprops

import (
	"context"
	"errors"
	"strings"

	"github.com/zrep-go/zrep/ssh"
)

// Features are what a host's zfs can do, found once per host per run from
// its usage text (the same probe the classic tool makes).
type Features struct {
	Modern    bool // OpenZFS / Solaris 11: prints "zfs help"
	Resume    bool // recv -s, send -t
	Bookmarks bool
	Holds     bool // hold/release and a working `zfs holds`
	RecvO     bool // recv -o prop=value
	Diff      bool
	Written   bool
}

// ParseFeatures reads `zfs` usage text. zfs-fuse lists `holds` but its
// implementation needs a helper it lacks, so holds count only on modern zfs.
func ParseFeatures(usage string) Features {
	f := Features{Modern: strings.Contains(usage, "zfs help") || strings.Contains(usage, "\thelp")}
	if f.Modern {
		return Features{Modern: true, Resume: true, Bookmarks: true, Holds: true, RecvO: true, Diff: true, Written: true}
	}
	for _, line := range strings.Split(usage, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "receive") || strings.HasPrefix(line, "recv"):
			f.RecvO = f.RecvO || strings.Contains(line, "-o")
		case strings.HasPrefix(line, "bookmark"):
			f.Bookmarks = true
		case strings.HasPrefix(line, "diff"):
			f.Diff = true
		}
	}
	f.Resume = strings.Contains(usage, "receive_resume_token")
	return f
}

// DetectFeatures runs `zfs` with no arguments; it exits non-zero by design,
// so only the text matters.
func DetectFeatures(ctx context.Context, h ssh.Host) (Features, error) {
	out, err := h.Run(ctx, []string{"zfs"}, nil)
	text := string(out)
	var xe *ssh.ExitError
	if errors.As(err, &xe) {
		text += xe.Stderr
	} else if err != nil {
		return Features{}, err
	}
	return ParseFeatures(text), nil
}
