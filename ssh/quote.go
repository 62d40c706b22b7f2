package ssh

import (
	"strings"

	"github.com/kballard/go-shellquote"
)

// commandLine turns argv into the one string an SSH server hands to the
// remote user's shell. It is the only place this package quotes.
//
// shellquote leaves a leading '#' bare, which the shell would read as the
// start of a comment and drop the rest of the line; escape it.
func commandLine(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		w := shellquote.Join(a)
		if strings.HasPrefix(w, "#") {
			w = `\` + w
		}
		words[i] = w
	}
	return strings.Join(words, " ")
}

// Filtered wraps argv in `sh -c` between shell filters (classic
// ZREP_OUTFILTER / ZREP_INFILTER): in | argv | out. The filters are the
// administrator's own shell text, run as written; argv is quoted.
func Filtered(in string, argv []string, out string) []string {
	if in == "" && out == "" {
		return argv
	}
	script := commandLine(argv)
	if in != "" {
		script = in + " | " + script
	}
	if out != "" {
		script += " | " + out
	}
	return []string{"sh", "-c", script}
}
