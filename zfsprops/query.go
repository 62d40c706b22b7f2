package zfsprops

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/zrep-go/zrep/ssh"
)

// ReadAll reads the zrep properties of every dataset on h, snapshots'
// TAG:sent marks included, in one zfs call: the whole cost of a no-op
// status or the discovery step of sync all.
func ReadAll(ctx context.Context, h ssh.Host, tag Tag) (*Inventory, error) {
	out, err := h.Run(ctx, GetArgs([]string{"-s", "local,received"}, tag.FilesystemProps()), nil)
	if err != nil {
		return nil, classify(err)
	}
	lines, err := ParseGet(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name(), err)
	}
	return NewInventory(lines, tag), nil
}

// ReadDetail reads the named filesystems' zrep properties and their
// direct snapshots with GUID, createtxg and TAG:sent, in one zfs call.
func ReadDetail(ctx context.Context, h ssh.Host, tag Tag, names ...string) (*Inventory, error) {
	props := append(tag.FilesystemProps(), "guid", "createtxg")
	out, err := h.Run(ctx, GetArgs([]string{"-d", "1"}, props, names...), nil)
	if err != nil {
		return nil, classify(err)
	}
	lines, err := ParseGet(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name(), err)
	}
	return NewInventory(lines, tag), nil
}

// ReadOne is ReadDetail for a single filesystem.
func ReadOne(ctx context.Context, h ssh.Host, tag Tag, name string) (*Filesystem, error) {
	inv, err := ReadDetail(ctx, h, tag, name)
	if err != nil {
		return nil, err
	}
	fs := inv.FS[name]
	if fs == nil {
		return nil, &NotExistError{Host: h.Name(), Name: name}
	}
	return fs, nil
}

// Exists reports whether a dataset exists on h.
func Exists(ctx context.Context, h ssh.Host, name string) (bool, error) {
	_, err := h.Run(ctx, ExistsArgv(name), nil)
	if err == nil {
		return true, nil
	}
	var ne *NotExistError
	if err = classify(err); errors.As(err, &ne) {
		return false, nil
	}
	return false, err
}

// Set sets one property (one call per property: zfs-fuse and older ZFS
// take a single prop=value per `zfs set`).
func Set(ctx context.Context, h ssh.Host, name, prop, value string) error {
	_, err := h.Run(ctx, SetArgv(prop, value, name), nil)
	return classify(err)
}

// Inherit clears a locally set property.
func Inherit(ctx context.Context, h ssh.Host, name, prop string) error {
	_, err := h.Run(ctx, InheritArgv(prop, name), nil)
	return classify(err)
}

// ReadSetProps returns every property set locally or received on the named
// datasets, in zfs's order, values as zfs displays them (list -v).
func ReadSetProps(ctx context.Context, h ssh.Host, names ...string) (map[string][]PropLine, error) {
	argv := []string{"zfs", "get", "-H", "-o", "name,property,value,source", "-s", "local,received", "all"}
	out, err := h.Run(ctx, append(argv, names...), nil)
	if err != nil {
		return nil, classify(err)
	}
	lines, err := ParseGet(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name(), err)
	}
	byName := map[string][]PropLine{}
	for _, l := range lines {
		byName[l.Name] = append(byName[l.Name], l)
	}
	return byName, nil
}

// GUID reads a snapshot's GUID: its identity, whatever its name.
func GUID(ctx context.Context, h ssh.Host, snap string) (string, error) {
	out, err := h.Run(ctx, ValueArgv("guid", snap, true), nil)
	if err != nil {
		return "", classify(err)
	}
	return strings.TrimSpace(string(out)), nil
}
