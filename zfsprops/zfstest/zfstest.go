// Package zfstest stubs what a fake host's zfs says about itself, from the
// usage texts captured on zfs-fuse and OpenZFS (zfsprops/testdata), so unit
// tests probe features exactly as zrep does against a real host.
package zfstest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

// Usage returns a captured text, impl "fuse" or "openzfs", name "zfs" or
// "zfs-get", without its "# command:" line.
func Usage(impl, name string) string {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "testdata", impl, name+".txt"))
	if err != nil {
		panic(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	for len(lines) > 0 && strings.HasPrefix(lines[0], "# ") {
		lines = lines[1:]
	}
	return strings.Join(lines, "")
}

// Fuse makes f's zfs answer the feature probe as zfs-fuse 0.7 does.
func Fuse(f *sshtest.Fake) { expect(f, "fuse") }

// OpenZFS makes f's zfs answer the feature probe as OpenZFS 2.3 does.
func OpenZFS(f *sshtest.Fake) { expect(f, "openzfs") }

func expect(f *sshtest.Fake, impl string) {
	f.Expect([]string{"zfs"}).Fails(2, Usage(impl, "zfs"))
	f.Expect([]string{"zfs", "get"}).Fails(2, Usage(impl, "zfs-get"))
}
