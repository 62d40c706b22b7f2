package cmd

import (
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/zfsprops"
)

// UsageError is bad command-line input: exit 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// SilentError ends the run with Code after its messages were printed
// (sync all reports each pair as it goes).
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

// errorLine is the one-line form `Error: <what>; <what to do>`.
func errorLine(err error) string {
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
	if hint := zfsprops.HintOf(err); hint != "" {
		msg += "; " + hint
	}
	return "Error: " + msg
}
