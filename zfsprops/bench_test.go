package zfsprops

import (
	"bytes"
	"fmt"
	"testing"
)

// The hot parsing paths at the scale of a large host:
//
//	go test -run '^$' -bench . -benchmem ./zfsprops
//
// detailOutput is what ReadDetail reads for a host with nfs filesystems of
// nsnap snapshots each: every filesystem's zrep properties, then each
// snapshot's guid, createtxg and TAG:sent (zfs prints a dataset's
// properties together, in the order asked for).
func detailOutput(tag Tag, nfs, nsnap int) []byte {
	var b bytes.Buffer
	for i := range nfs {
		fs := fmt.Sprintf("tank/data/fs%04d", i)
		writeFSProps(&b, tag, fs, i)
		for j := range nsnap {
			snap := fmt.Sprintf("%s@%s", fs, tag.SnapName(uint64(j)))
			fmt.Fprintf(&b, "%s\tguid\t%d\t-\n", snap, uint64(i)<<32|uint64(j)*2654435761)
			fmt.Fprintf(&b, "%s\tcreatetxg\t%d\t-\n", snap, 1000+j*10)
			fmt.Fprintf(&b, "%s\t%s\t%d\tlocal\n", snap, tag.Sent(), 1796000000+j*60)
		}
	}
	return b.Bytes()
}

// writeFSProps writes one filesystem's pairing properties, as zfs get -s
// local,received prints them; odd filesystems are replicas.
func writeFSProps(b *bytes.Buffer, tag Tag, fs string, i int) {
	if i%2 == 0 {
		fmt.Fprintf(b, "%s\t%s\tyes\tlocal\n", fs, tag.Master())
	}
	fmt.Fprintf(b, "%s\t%s\t%s\tlocal\n", fs, tag.SrcFS(), fs)
	fmt.Fprintf(b, "%s\t%s\thosta\tlocal\n", fs, tag.SrcHost())
	fmt.Fprintf(b, "%s\t%s\tbackup/%s\tlocal\n", fs, tag.DestFS(), fs)
	fmt.Fprintf(b, "%s\t%s\thostb\tlocal\n", fs, tag.DestHost())
	fmt.Fprintf(b, "%s\t%s\t5\tlocal\n", fs, tag.SaveCount())
}

// allOutput is what ReadAll reads for nfs pairs with one sent snapshot
// each: status -a and the discovery step of sync all.
func allOutput(tag Tag, nfs int) []byte {
	var b bytes.Buffer
	for i := range nfs {
		fs := fmt.Sprintf("tank/data/fs%04d", i)
		writeFSProps(&b, tag, fs, i)
		fmt.Fprintf(&b, "%s@%s\t%s\t%d\tlocal\n", fs, tag.SnapName(0), tag.Sent(), 1796000000+i)
	}
	return b.Bytes()
}

func benchParse(b *testing.B, out []byte) {
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if res := ParseGetTolerant(out); len(res.Broken) != 0 {
			b.Fatal(res.Broken[0])
		}
	}
}

func BenchmarkParseGet100kSnapshots(b *testing.B) {
	benchParse(b, detailOutput(DefaultTag, 1000, 100))
}

func BenchmarkParseGet1000Datasets(b *testing.B) {
	benchParse(b, allOutput(DefaultTag, 1000))
}

func benchInventory(b *testing.B, out []byte, check func(*Inventory)) {
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		check(readInventory("hosta", out, DefaultTag))
	}
}

func BenchmarkInventory100kSnapshots(b *testing.B) {
	benchInventory(b, detailOutput(DefaultTag, 1000, 100), func(inv *Inventory) {
		if len(inv.FS) != 1000 || len(inv.FS["tank/data/fs0999"].Snapshots) != 100 {
			b.Fatalf("got %d filesystems", len(inv.FS))
		}
	})
}

// BenchmarkStatus1000Pairs is status -a after its one zfs call: the
// inventory, every zrep filesystem and its last sent snapshot.
func BenchmarkStatus1000Pairs(b *testing.B) {
	benchInventory(b, allOutput(DefaultTag, 1000), func(inv *Inventory) {
		n := 0
		for _, fs := range inv.ZrepFilesystems(DefaultTag) {
			if _, ok := fs.LastSent(DefaultTag); ok {
				n++
			}
		}
		if n != 1000 {
			b.Fatalf("%d pairs with a last sent snapshot", n)
		}
	})
}

// BenchmarkMasters1000Pairs is the discovery step of sync all.
func BenchmarkMasters1000Pairs(b *testing.B) {
	benchInventory(b, allOutput(DefaultTag, 1000), func(inv *Inventory) {
		if n := len(inv.Masters(DefaultTag, "hosta")); n != 500 {
			b.Fatalf("%d masters", n)
		}
	})
}

// BenchmarkParseGetLongValue is one value of many lines (a hostile or
// broken property): joining it back must stay linear in its size.
func BenchmarkParseGetLongValue(b *testing.B) {
	var v bytes.Buffer
	for i := range 4000 {
		fmt.Fprintf(&v, "line %d\n", i)
	}
	out := []byte("pa/bad\tzrep:note\t" + v.String() + "\tlocal\npa/c\tzrep:master\tyes\tlocal\n")
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if res := ParseGetTolerant(out); len(res.Lines) != 2 {
			b.Fatalf("%d lines", len(res.Lines))
		}
	}
}
