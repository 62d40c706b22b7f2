package zfsprops

import (
	"fmt"
	"strings"
)

// MaxNameLen is the longest full dataset or snapshot name ZFS takes, in
// bytes (ZFS_MAX_DATASET_NAME_LEN less the NUL; zfs-fuse 0.7 says "name
// is too long" from 256 on, measured).
const MaxNameLen = 255

// ValidateFilesystem checks a filesystem name before any command runs, by
// the rules ZFS applies (zfs_namecheck) and a few of ours: ZFS allows
// spaces, so we do too; anything a shell or zfs would read as syntax is
// refused so that a typo can never become a command, and "." or ".."
// components (which zfs-fuse creates literally) are refused as the path
// tricks they are.
func ValidateFilesystem(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty filesystem name; give POOL/NAME")
	case strings.HasPrefix(name, "-"):
		return fmt.Errorf("invalid filesystem name %q: must not start with '-'", name)
	case strings.ContainsAny(name, "@#"):
		return fmt.Errorf("invalid filesystem name %q: expected a filesystem, not a snapshot or bookmark", name)
	}
	if err := validChars(name); err != nil {
		return err
	}
	switch {
	case len(name) > MaxNameLen:
		return fmt.Errorf("invalid dataset name %q...: %d bytes long; ZFS allows at most %d", name[:40], len(name), MaxNameLen)
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//"):
		return fmt.Errorf("invalid filesystem name %q: expected POOL/NAME without leading, trailing or doubled '/'", name)
	}
	parts := strings.Split(name, "/")
	if err := validPool(name, parts[0]); err != nil {
		return err
	}
	for _, p := range parts[1:] {
		switch {
		case p == "." || p == "..":
			return fmt.Errorf("invalid dataset name %q: %q is not a dataset name (ZFS names are not paths); name the dataset itself", name, p)
		case strings.HasPrefix(p, "-"):
			return fmt.Errorf("invalid dataset name %q: component %q starts with '-', which a command could read as an option; rename it", name, p)
		}
	}
	return nil
}

// validPool applies zpool's rules to the first component: it begins with
// a letter and is not a name zpool reserves for vdev keywords.
func validPool(name, pool string) error {
	if c := pool[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return fmt.Errorf("invalid dataset name %q: pool name %q must begin with a letter", name, pool)
	}
	for _, kw := range []string{"mirror", "raidz", "draid", "spare"} {
		if strings.HasPrefix(pool, kw) {
			return fmt.Errorf("invalid dataset name %q: pool name %q is reserved by ZFS (it starts with %q)", name, pool, kw)
		}
	}
	if pool == "log" {
		return fmt.Errorf("invalid dataset name %q: pool name \"log\" is reserved by ZFS", name)
	}
	return nil
}

// ValidateSnapshot checks FS@SNAP.
func ValidateSnapshot(name string) error {
	fs, snap, ok := strings.Cut(name, "@")
	if !ok {
		return fmt.Errorf("invalid snapshot name %q: expected FS@SNAP", name)
	}
	if err := ValidateFilesystem(fs); err != nil {
		return err
	}
	switch {
	case snap == "":
		return fmt.Errorf("invalid snapshot name %q: nothing after '@'", name)
	case strings.ContainsAny(snap, "@#/"):
		return fmt.Errorf("invalid snapshot name %q: the part after '@' cannot contain '@', '#' or '/'", name)
	case strings.HasPrefix(snap, "-"):
		return fmt.Errorf("invalid snapshot name %q: the part after '@' must not start with '-'", name)
	case len(name) > MaxNameLen:
		return fmt.Errorf("invalid snapshot name %q...: %d bytes long; ZFS allows at most %d", name[:40], len(name), MaxNameLen)
	}
	return validChars(snap)
}

// ValidatePairFilesystem is ValidateFilesystem for a filesystem that
// becomes one side of a pair: its snapshot names, up to
// FS@TAG_NNNNNN_unsent, must fit in MaxNameLen too.
func ValidatePairFilesystem(name string, tag Tag) error {
	if err := ValidateFilesystem(name); err != nil {
		return err
	}
	longest := "@" + tag.SnapName(0) + "_unsent"
	if max := MaxNameLen - len(longest); len(name) > max {
		return fmt.Errorf("filesystem name %q... is %d bytes; its zrep snapshots (%s) need it to be at most %d with tag %s; use a shorter name or tag",
			name[:40], len(name), longest, max, tag)
	}
	return nil
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
