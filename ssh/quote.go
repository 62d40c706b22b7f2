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
