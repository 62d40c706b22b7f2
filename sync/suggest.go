package sync

import (
	"fmt"

	"github.com/zrep-go/zrep/zfsprops"
)

// Zrep spells a zrep command for the operator: with -t TAG when the tag is
// not the default and -R for a recursive pair (typed, or remembered in
// TAG:recursive, see ForPair), so a suggestion works as printed. Every
// suggested zrep command is spelled here.
func (e *Env) Zrep(format string, args ...any) string {
	cmd := "zrep "
	if e.Tag != zfsprops.DefaultTag {
		cmd += "-t " + string(e.Tag) + " "
	}
	if e.Recursive {
		cmd += "-R "
	}
	return cmd + fmt.Sprintf(format, args...)
}

// startOver says how to undo a pairing.
func (e *Env) startOver(fs string) string { return "run " + e.Zrep("clear %s", fs) }
