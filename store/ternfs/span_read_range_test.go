package ternfs

import (
	"github.com/terngate/terngate/store/ternfs/client"

	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

// rangeFile is a file written span by span into the rig's fakes, opened
// through a Store with a span buffer budget.
type rangeFile struct {
	rig   *spanRig
	s     *Store
	id    wire.InodeID
	want  []byte
	spans []client.SpanRef
	file  store.File
}

// newRangeFile writes parts as one span each with smallPolicies: parts of
// up to 8 KiB are mirrored (1,2), larger ones RS(4,2) in stripes of
// 16 KiB cells and less, 255 bytes and less inline.
func newRangeFile(t *testing.T, parts ...[]byte) *rangeFile {
	t.Helper()
	r := newSpanRig(t)
	id, want := r.writeFile(t, parts...)
	s := newBudgetStore(t, r, 8<<20)
	f, err := s.OpenFile(context.Background(), store.ID(id))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	spans, err := r.c.FileSpans(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return &rangeFile{rig: r, s: s, id: id, want: want, spans: spans, file: f}
}

// mixedSpans: mirrored, striped with padding, striped over 15 stripes,
// striped over one stripe, inline.
func mixedSpans() [][]byte {
	return [][]byte{
		ternfstest.RandomBytes(8192, 1), ternfstest.RandomBytes(204800, 2), ternfstest.RandomBytes(1<<20, 3),
		ternfstest.RandomBytes(12288, 4), ternfstest.RandomBytes(100, 5),
	}
}

// unalignedEnd ends in a striped span that is not a whole number of pages.
func unalignedEnd() [][]byte {
	return [][]byte{ternfstest.RandomBytes(8192, 6), ternfstest.RandomBytes(204800, 7), ternfstest.RandomBytes(50001, 8)}
}

// edges are ranges around every span, stripe and cell boundary.
func (f *rangeFile) edges() [][2]int64 {
	var out [][2]int64
	for _, sp := range f.spans {
		start := int64(sp.ByteOffset)
		out = append(out, [2]int64{start - 1, 2}, [2]int64{start, 1}, [2]int64{start - 5000, 10000})
		if sp.StorageClass == wire.StorageInline {
			continue
		}
		cell := int64(sp.Blocks.CellSize)
		stripe := cell * int64(sp.Blocks.Parity.DataBlocks())
		for b := start; b < start+int64(sp.Size); b += cell {
			out = append(out, [2]int64{b - 1, 2}, [2]int64{b, stripe}, [2]int64{b - 3, stripe + 6}, [2]int64{b + 4000, 200})
		}
	}
	return out
}

// randomRanges are n ranges from rand, small and large.
func (f *rangeFile) randomRanges(n int, seed uint64) [][2]int64 {
	rnd := rand.New(rand.NewPCG(seed, 1))
	size := int64(len(f.want))
	var out [][2]int64
	for range n {
		off := rnd.Int64N(size + 1)
		var length int64
		switch rnd.IntN(3) {
		case 0:
			length = rnd.Int64N(20)
		case 1:
			length = rnd.Int64N(70000)
		default:
			length = rnd.Int64N(size - off + 1)
		}
		out = append(out, [2]int64{off, length})
	}
	return out
}

// checkReadAt reads every range with ReadAt and compares it with the data.
func (f *rangeFile) checkReadAt(t *testing.T, ranges [][2]int64) {
	t.Helper()
	size := int64(len(f.want))
	for _, rg := range ranges {
		off, n := max(0, rg[0]), rg[1]
		if off > size {
			continue
		}
		buf := make([]byte, n)
		got, err := f.file.ReadAt(buf, off)
		want := f.want[off:min(size, off+n)]
		if off+n > size && !errors.Is(err, io.EOF) || off+n <= size && err != nil {
			t.Fatalf("ReadAt(%d bytes at %d) of %d: %v", n, off, size, err)
		}
		if !bytes.Equal(buf[:got], want) {
			t.Fatalf("ReadAt(%d bytes at %d): %d bytes differ from the data", n, off, got)
		}
	}
}

// checkStream reads every range with NewReader.
func (f *rangeFile) checkStream(t *testing.T, ranges [][2]int64) {
	t.Helper()
	size := int64(len(f.want))
	for _, rg := range ranges {
		off, n := max(0, rg[0]), rg[1]
		if off > size {
			continue
		}
		r, err := f.file.NewReader(off, n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, f.want[off:min(size, off+n)]) {
			t.Fatalf("NewReader(%d, %d): %d bytes, %v", off, n, len(got), err)
		}
	}
}

// down makes the services refuse connections (and drops the client's
// pooled ones, which a refusal does not affect).
func (f *rangeFile) down(services ...int) {
	for _, i := range services {
		f.rig.services[i].Refuse.Store(true)
	}
	f.rig.c.DropBlockConns()
}

func (f *rangeFile) fetchedBytes() int64 {
	var n int64
	for _, s := range f.rig.services {
		n += s.FetchedBytes.Load()
	}
	return n
}

func TestRangeReadsReturnExactBytes(t *testing.T) {
	for name, parts := range map[string][][]byte{"mixed": mixedSpans(), "unaligned end": unalignedEnd()} {
		t.Run(name, func(t *testing.T) {
			f := newRangeFile(t, parts...)
			f.checkReadAt(t, f.edges())
			f.checkReadAt(t, f.randomRanges(300, 7))
			f.checkStream(t, f.edges()[:40])
			f.checkStream(t, f.randomRanges(60, 8))
		})
	}
}

func TestRangeReadsFetchOnlyThePagesTheyNeed(t *testing.T) {
	f := newRangeFile(t, mixedSpans()...)
	big := f.spans[2] // RS(4,2), 15 stripes
	cell := int64(big.Blocks.CellSize)
	stripe := 4 * cell
	start := int64(big.ByteOffset)
	for _, c := range []struct {
		name      string
		off, n    int64
		wantBytes int64
	}{
		{"ten bytes", start + 3*stripe + cell + 100, 10, span.PageSize},
		{"across two pages of one cell", start + 2*span.PageSize - 3, 6, 2 * span.PageSize},
		{"across two cells", start + cell - 3, 6, 2 * span.PageSize},
		{"one whole stripe", start + 2*stripe, stripe, stripe},
		{"the span", start, int64(big.Size), int64(big.Size)}, // its padding is never fetched
	} {
		before := f.fetchedBytes()
		buf := make([]byte, c.n)
		if _, err := f.file.ReadAt(buf, c.off); err != nil || !bytes.Equal(buf, f.want[c.off:c.off+c.n]) {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := f.fetchedBytes() - before; got != c.wantBytes {
			t.Errorf("%s: fetched %d bytes, want %d", c.name, got, c.wantBytes)
		}
	}
}

func TestDegradedRangeReads(t *testing.T) {
	for _, c := range []struct {
		name    string
		down    []int
		corrupt int // a service answering with bad pages, -1 for none
	}{
		// Data blocks 0 and 2 of the RS spans and the first copy of the
		// mirrored one.
		{"two data blocks down", []int{0, 2}, -1},
		{"one data block corrupt", nil, 3},
		{"a data block down, a parity block corrupt", []int{1}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newRangeFile(t, mixedSpans()...)
			if c.corrupt >= 0 {
				f.rig.services[c.corrupt].CorruptPages.Store(true)
			}
			f.down(c.down...)
			f.checkReadAt(t, f.edges())
			f.checkReadAt(t, f.randomRanges(150, 9))
			f.checkStream(t, f.randomRanges(30, 10))
		})
	}
}

func TestRangeReadsFailWithTooFewBlocks(t *testing.T) {
	f := newRangeFile(t, mixedSpans()...)
	f.down(0, 1, 4) // 3 of the 6 blocks of every RS(4,2) span
	big := f.spans[2]
	buf := make([]byte, 100)
	_, err := f.file.ReadAt(buf, int64(big.ByteOffset)+5000)
	if !errors.Is(err, span.ErrTooFewBlocks) {
		t.Fatalf("read with 3 of 6 blocks down: %v, want ErrTooFewBlocks", err)
	}
	// The mirrored span still has its third copy.
	if _, err := f.file.ReadAt(buf, 100); err != nil || !bytes.Equal(buf, f.want[100:200]) {
		t.Fatalf("mirrored span with two copies down: %v", err)
	}
}

// TestStripeCrcsCatchBlocksThatLie: a block service serving wrong bytes
// with matching page CRCs is caught by the stripe CRCs, read whole or
// rebuilt.
func TestStripeCrcsCatchBlocksThatLie(t *testing.T) {
	f := newRangeFile(t, mixedSpans()...)
	big := f.spans[2]
	stripe := 4 * int64(big.Blocks.CellSize)
	buf := make([]byte, stripe)
	f.rig.services[2].Lie.Store(true) // data block 2 of the RS spans
	if _, err := f.file.ReadAt(buf, int64(big.ByteOffset)+stripe); !errors.Is(err, client.ErrSpanCrc) {
		t.Fatalf("whole stripe with a lying data block: %v, want client.ErrSpanCrc", err)
	}
	f.rig.services[2].Lie.Store(false)
	f.rig.services[4].Lie.Store(true) // parity block 0
	f.down(0)
	if _, err := f.file.ReadAt(buf[:10], int64(big.ByteOffset)+stripe+5); !errors.Is(err, client.ErrSpanCrc) {
		t.Fatalf("rebuilt from a lying parity block: %v, want client.ErrSpanCrc", err)
	}
}
