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

// SbinDirs are where zfs and zpool live (Debian: /sbin, a link to
// /usr/sbin; FreeBSD: /sbin; a source build: /usr/local/sbin). cron's and a
// non-root SSH session's PATH often lack them.
const SbinDirs = "/sbin:/usr/sbin:/usr/local/sbin"

// remoteCommandLine is commandLine run with SbinDirs appended to the remote
// user's PATH, so `zfs` is found whatever that PATH is (classic relied on
// it and failed with "zfs: command not found"). "$PATH" ends at the quote,
// so csh's $var:modifier syntax never sees the colon, and env(1) is in
// every PATH on every shell.
func remoteCommandLine(argv []string) string {
	return `env "PATH=$PATH"'` + ":" + SbinDirs + `' ` + commandLine(argv)
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
