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
	return readInventory(h.Name(), out, tag), nil
}

// readInventory builds an Inventory from zfs get output; a dataset whose
// lines cannot be read is in it, Broken, and fails alone.
func readInventory(host string, out []byte, tag Tag) *Inventory {
	res := ParseGetTolerant(out)
	inv := NewInventory(res.Lines, tag)
	for _, b := range res.Broken {
		if b.Name != "" {
			fs := inv.get(b.Name)
			fs.Broken = brokenErr(host, b, tag)
		}
	}
	return inv
}

// brokenErr says how to repair a broken dataset.
func brokenErr(host string, b *BrokenError, tag Tag) error {
	return WithHint(fmt.Errorf("%s: %w", host, b),
		"on %s, list its values with zfs get -s local,received all %q and fix or clear the bad one (zfs inherit PROPERTY %q)", host, b.Name, b.Name)
}

// DetailProps are what ReadDetail asks for: the zrep properties, and each
// snapshot's identity, creation order and size (the empty-source guard).
func DetailProps(tag Tag) []string {
	return append(tag.FilesystemProps(), "guid", "createtxg", "referenced")
}

// ReadDetail reads the named filesystems' zrep properties and their
// direct snapshots with GUID, createtxg, referenced and TAG:sent, in one
// zfs call.
func ReadDetail(ctx context.Context, h ssh.Host, tag Tag, names ...string) (*Inventory, error) {
	out, err := h.Run(ctx, GetArgs([]string{"-d", "1"}, DetailProps(tag), names...), nil)
	if err != nil {
		return nil, classify(err)
	}
	return readInventory(h.Name(), out, tag), nil
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
	if fs.Broken != nil {
		return nil, fs.Broken
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

// Names lists every filesystem and volume on h, in zfs's order.
func Names(ctx context.Context, h ssh.Host) ([]string, error) {
	out, err := Run(ctx, h, NamesArgv())
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if line != "" { // a name may hold spaces: one per line, as is
			names = append(names, line)
		}
	}
	return names, nil
}
