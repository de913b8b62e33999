package ternfs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

// openClusterStore opens a store with the default span policies (27 MiB
// spans) under a fresh root of the cluster TERNFS_REGISTRY names, with a
// span buffer budget of limit bytes (0: the default), or skips.
func openClusterStore(tb testing.TB, ctx context.Context, root string, limit int64) *Store {
	tb.Helper()
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		tb.Skip("TERNFS_REGISTRY not set (host:port[,...]): this test needs a running TernFS cluster, e.g. TERNFS_REGISTRY=127.0.0.1:10001")
	}
	s, err := Open(ctx, Options{Registry: strings.Split(regs, ","), Root: root, SpanBufferBytes: limit})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// writeObject appends data to a new file linked as name under the root.
func writeObject(tb testing.TB, ctx context.Context, s *Store, name string, data []byte) store.ID {
	tb.Helper()
	tr, err := s.CreateTransient(ctx, s.Root(), "test")
	if err != nil {
		tb.Fatal(err)
	}
	if n, err := s.Append(ctx, tr, bytes.NewReader(data)); err != nil || n != int64(len(data)) {
		tb.Fatalf("append: %d of %d bytes, %v", n, len(data), err)
	}
	info, err := s.LinkFile(ctx, tr, s.Root(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return info.ID
}

// TestTernFSRangeReads writes a 60 MiB object in default-policy spans
// and reads ranges of it, healthy and with 4 of 10 data blocks of every
// span unavailable.
func TestTernFSRangeReads(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root := fmt.Sprintf("/terngate-read-it/%d", time.Now().UnixNano())
	s := openClusterStore(t, ctx, root, 0)
	data := ternfstest.RandomBytes(60<<20+12345, 21) // two 27 MiB spans and a short one
	id := writeObject(t, ctx, s, "big", data)
	file, err := s.OpenFile(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	f := &rangeFile{s: s, want: data, spans: file.(*openFile).spans, file: file}
	if len(f.spans) != 3 || f.spans[0].Blocks.Parity.DataBlocks() != 10 || f.spans[0].Blocks.Stripes != 15 {
		t.Fatalf("unexpected spans: %d, first %v × %d stripes", len(f.spans), f.spans[0].Blocks.Parity, f.spans[0].Blocks.Stripes)
	}
	edges := f.edges()
	f.checkReadAt(t, edges)
	f.checkReadAt(t, f.randomRanges(40, 22))
	f.checkStream(t, [][2]int64{{0, int64(len(data))}, {27<<20 - 3, 30 << 20}})
	got, peak := readAllWith(t, file, 0, int64(len(data)))
	if !bytes.Equal(got, data) || peak > 16<<20 {
		t.Fatalf("streamed the object holding %d bytes of units (equal %v)", peak, bytes.Equal(got, data))
	}
	t.Logf("60 MiB streamed holding at most %d MiB", peak>>20)

	// A store of its own, so no pooled connection reaches a "dead"
	// service: in every RS span two data blocks are unreachable and two
	// flagged NO_READ, so their bytes come from parity.
	s2 := openClusterStore(t, ctx, root, 0)
	degraded, err := s2.OpenFile(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer degraded.Close()
	of := degraded.(*openFile)
	for i := range of.spans {
		sp := &of.spans[i]
		if sp.StorageClass == wire.StorageInline || sp.Blocks.Parity.DataBlocks() < 4 {
			continue
		}
		sp.Services = append([]wire.BlockService(nil), sp.Services...)
		for j, b := range []int{0, 2, 5, sp.Blocks.Parity.DataBlocks() - 1} {
			if j < 2 {
				sp.Services[b].Addrs = wire.AddrsInfo{Addr1: wire.IPPort{IP: [4]byte{127, 0, 0, 1}, Port: 1}}
			} else {
				sp.Services[b].Flags |= wire.BlockServiceNoRead
			}
		}
	}
	g := &rangeFile{s: s2, want: data, spans: of.spans, file: degraded}
	g.checkReadAt(t, edges[:60])
	g.checkReadAt(t, g.randomRanges(20, 23))
	g.checkStream(t, [][2]int64{{0, int64(len(data))}, {5<<20 + 7, 40 << 20}})
}

// TestTernFSConcurrentAppendsStayWithinTheBudget: six appends of 35 MiB
// at once under a budget of two worst-case spans.
func TestTernFSConcurrentAppendsStayWithinTheBudget(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	probe := &Store{policies: DefaultSpanPolicies()}
	probe.spanSize, _ = appendSpanSize(probe.policies)
	worst, err := probe.worstSpanCost()
	if err != nil {
		t.Fatal(err)
	}
	limit := 2 * worst
	s := openClusterStore(t, ctx, fmt.Sprintf("/terngate-budget-it/%d", time.Now().UnixNano()), limit)
	const writers, size = 6, 35 << 20 // a full span and 8 MiB each
	var wg sync.WaitGroup
	ids := make([]store.ID, writers)
	for i := range writers {
		wg.Go(func() {
			ids[i] = writeObject(t, ctx, s, fmt.Sprint("obj-", i), ternfstest.RandomBytes(size, uint64(30+i)))
		})
	}
	wg.Wait()
	st := s.buffers.memory.snapshot()
	t.Logf("budget %d MiB: peak reserved %d MiB, peak charged %d MiB, mapped %d MiB for %d MiB appended", limit>>20, st.PeakReserved>>20, st.PeakCharged>>20, st.Mapped>>20, writers*size>>20)
	if st.PeakReserved > limit || st.PeakCharged > limit || st.Unaccounted != 0 {
		t.Errorf("over the budget of %d: %+v", limit, st)
	}
	for i, id := range ids {
		file, err := s.OpenFile(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := readAllWith(t, file, 0, size)
		file.Close()
		if !bytes.Equal(got, ternfstest.RandomBytes(size, uint64(30+i))) {
			t.Fatalf("object %d reads back wrong", i)
		}
	}
}

// BenchmarkTernFSStreamingRead streams a 256 MiB object and reports the
// rate and the memory the read held as a fraction of the object, with
// read-ahead and with the budget spent (one unit at a time).
func BenchmarkTernFSStreamingRead(b *testing.B) {
	ctx := context.Background()
	s := openClusterStore(b, ctx, fmt.Sprintf("/terngate-read-bench/%d", time.Now().UnixNano()), 0)
	const size = 256 << 20
	id := writeObject(b, ctx, s, "bench", ternfstest.RandomBytes(size, 40))
	file, err := s.OpenFile(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	for _, mode := range []string{"read-ahead", "budget-spent"} {
		b.Run(mode, func(b *testing.B) {
			if mode == "budget-spent" {
				all, err := s.buffers.memory.reserve(ctx, s.buffers.memory.limit)
				if err != nil {
					b.Fatal(err)
				}
				defer all.release()
			}
			var peak int64
			b.SetBytes(size)
			for b.Loop() {
				r, err := file.NewReader(0, size)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, r); err != nil || n != size {
					b.Fatalf("read %d bytes: %v", n, err)
				}
				sr := r.(*streamReader)
				sr.mu.Lock()
				peak = max(peak, sr.peakHeld)
				sr.mu.Unlock()
			}
			b.ReportMetric(float64(peak)/size, "held/object")
		})
	}
}
