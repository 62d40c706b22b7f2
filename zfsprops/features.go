package zfsprops

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/zrep-go/zrep/ssh"
)

// Features are what a host's zfs can do, found once per host per run from
// its usage texts: `zfs` lists the subcommands and their flags, `zfs get`
// lists the properties. Each feature is read on its own; none implies
// another.
type Features struct {
	Resume    bool // recv -s, send -t TOKEN, recv -A, receive_resume_token
	Holds     bool // hold/release and a working `zfs holds`
	Bookmarks bool // zfs bookmark, send -i FS#BM
	Raw       bool // send -w (raw encrypted streams)
	RecvO     bool // recv -o prop=value / -x prop
	MultiSnap bool // one `zfs snapshot` naming several snapshots (atomic)
	Diff      bool // zfs diff
	Written   bool // the written and written@SNAP properties
}

// Named maps the feature names used in messages and test conditions
// ([feature:resume]) to their value.
func (f Features) Named() map[string]bool {
	return map[string]bool{
		"resume": f.Resume, "holds": f.Holds, "bookmarks": f.Bookmarks, "raw": f.Raw,
		"recv-o": f.RecvO, "multisnap": f.MultiSnap, "diff": f.Diff, "written": f.Written,
	}
}

// Missing names the features h lacks, in a fixed order, for messages.
func (f Features) Missing() []string {
	var out []string
	for _, n := range []struct {
		on   bool
		name string
	}{{f.Resume, "resume tokens"}, {f.Holds, "holds"}, {f.Bookmarks, "bookmarks"}, {f.Raw, "raw sends"},
		{f.RecvO, "recv -o"}, {f.MultiSnap, "multi-snapshot"}, {f.Diff, "zfs diff"}, {f.Written, "written property"}} {
		if !n.on {
			out = append(out, n.name)
		}
	}
	return out
}

// usageLines returns the usage lines of one subcommand (its continuation
// lines, which start with more indentation or a flag, belong to it).
func usageLines(usage, cmd string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(usage, "\n") {
		t := strings.TrimSpace(line)
		word, _, _ := strings.Cut(t, " ")
		switch {
		case t == "":
			in = false
		case word == cmd:
			in = true
			out = append(out, t)
		case in && (strings.HasPrefix(t, "[") || strings.HasPrefix(t, "<") || strings.HasPrefix(t, "-")):
			out[len(out)-1] += " " + t
		default:
			in = false
		}
	}
	return out
}

// flagGroup matches a bracketed group of single-letter flags: [-DLPbcehnpsvw].
var flagGroup = regexp.MustCompile(`\[-([A-Za-z]+)\]`)

func hasFlag(lines []string, flag byte) bool {
	for _, l := range lines {
		for _, m := range flagGroup.FindAllStringSubmatch(l, -1) {
			if strings.IndexByte(m[1], flag) >= 0 {
				return true
			}
		}
	}
	return false
}

func anyContains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// ParseFeatures reads the usage text of `zfs` (cmds) and of `zfs get`
// (props, with its property table). zfs-fuse lists `holds` but its
// implementation needs a python helper it lacks; the OpenZFS one takes -H
// for scripted output, which is what zrep parses, so that is the test.
func ParseFeatures(cmds, props string) Features {
	send := usageLines(cmds, "send")
	recv := append(usageLines(cmds, "receive"), usageLines(cmds, "recv")...)
	snap := usageLines(cmds, "snapshot")
	return Features{
		Resume:    anyContains(send, "-t <receive_resume_token>") && anyContains(recv, "-A"),
		Holds:     len(usageLines(cmds, "hold")) > 0 && hasFlag(usageLines(cmds, "holds"), 'H'),
		Bookmarks: len(usageLines(cmds, "bookmark")) > 0,
		Raw:       hasFlag(send, 'w'),
		RecvO:     anyContains(recv, "-o "),
		MultiSnap: len(snap) > 0 && strings.HasSuffix(strings.TrimSpace(snap[0]), "..."),
		Diff:      len(usageLines(cmds, "diff")) > 0,
		Written:   propertyListed(props, "written"),
	}
}

// propertyListed finds PROP in the property table of `zfs get` usage,
// where each row starts with the property name.
func propertyListed(props, prop string) bool {
	for _, line := range strings.Split(props, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == prop {
			return true
		}
	}
	return false
}

// DetectFeatures runs `zfs` and `zfs get` with no arguments; both exit
// non-zero by design and print their usage, so only the text matters.
func DetectFeatures(ctx context.Context, h ssh.Host) (Features, error) {
	cmds, err := usageText(ctx, h, "zfs")
	if err != nil {
		return Features{}, err
	}
	props, err := usageText(ctx, h, "zfs", "get")
	if err != nil {
		return Features{}, err
	}
	return ParseFeatures(cmds, props), nil
}

func usageText(ctx context.Context, h ssh.Host, argv ...string) (string, error) {
	out, err := h.Run(ctx, argv, nil)
	text := string(out)
	var xe *ssh.ExitError
	if errors.As(err, &xe) {
		text += xe.Stderr
	} else if err != nil {
		return "", err
	}
	return text, nil
}
