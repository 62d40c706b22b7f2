package zfsprops

import (
	"fmt"
	"strings"
)

// ValidateFilesystem checks a filesystem name before any command runs.
// ZFS allows spaces, so we do too; anything a shell or zfs would read as
// syntax is refused so that a typo can never become a command.
func ValidateFilesystem(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty filesystem name")
	case strings.HasPrefix(name, "-"):
		return fmt.Errorf("invalid filesystem name %q: must not start with '-'", name)
	case strings.ContainsAny(name, "@#"):
		return fmt.Errorf("invalid filesystem name %q: expected a filesystem, not a snapshot or bookmark", name)
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//"):
		return fmt.Errorf("invalid filesystem name %q: expected POOL/NAME without leading, trailing or doubled '/'", name)
	}
	return validChars(name)
}

func validChars(name string) error {
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("_-.:/ @", r)
		if !ok {
			return fmt.Errorf("invalid dataset name %q: character %q is not allowed (ZFS names use letters, digits, space and _-.:)", name, r)
		}
	}
	return nil
}
