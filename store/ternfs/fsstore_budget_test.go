package ternfs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

// newBudgetStore is a Store over the rig's fakes with smallPolicies and a
// span buffer budget of limit bytes.
func newBudgetStore(t *testing.T, r *spanRig, limit int64) *Store {
	t.Helper()
	p := smallPolicies()
	size, err := appendSpanSize(p)
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{client: r.c, policies: p, spanSize: size}
	if err := s.initSpanBuffers(limit); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEncodeSpanWithoutCopiesMatchesEncodeSpan(t *testing.T) {
	cases := []struct {
		policies *span.SpanPolicies
		size     int
	}{
		{smallPolicies(), 300},           // mirrored (1,2), one cell mostly padding
		{smallPolicies(), 8192},          // mirrored, exactly two pages
		{smallPolicies(), 8193},          // (4,2), one stripe, heavy padding
		{smallPolicies(), 40000},         // (4,2), 2 stripes
		{smallPolicies(), 1 << 20},       // (4,2), 15 stripes
		{DefaultSpanPolicies(), 5000},    // (10,4): most data blocks all padding
		{DefaultSpanPolicies(), 8 << 20}, // (3,4), 8 stripes
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.size), func(t *testing.T) {
			layout, err := span.ComputeSpanLayout(c.policies, uint32(c.size))
			if err != nil {
				t.Fatal(err)
			}
			data := ternfstest.RandomBytes(c.size, uint64(c.size))
			want, err := span.EncodeSpan(layout, data)
			if err != nil {
				t.Fatal(err)
			}
			parity := bytes.Repeat([]byte{0xAA}, span.ParityBytes(layout)) // stale contents must not matter
			got, err := span.Encode(layout, data, parity)
			if err != nil {
				t.Fatal(err)
			}
			if got.Size != want.Size || got.Crc != want.Crc {
				t.Errorf("size/crc %d/%v, want %d/%v", got.Size, got.Crc, want.Size, want.Crc)
			}
			if fmt.Sprint(got.CellCrcs) != fmt.Sprint(want.CellCrcs) || fmt.Sprint(got.BlockCrcs) != fmt.Sprint(want.BlockCrcs) {
				t.Errorf("CRCs differ:\ncells %v\nwant  %v\nblocks %v\nwant   %v", got.CellCrcs, want.CellCrcs, got.BlockCrcs, want.BlockCrcs)
			}
			for b := range want.Blocks {
				if block := bytes.Join(got.BlockPieces(b), nil); !bytes.Equal(block, want.Blocks[b]) {
					t.Errorf("block %d differs (%d bytes, want %d)", b, len(block), len(want.Blocks[b]))
				}
			}
		})
	}
}

func TestSpanBufferBudgetMustHoldOneSpan(t *testing.T) {
	r := newSpanRig(t)
	s := &Store{client: r.c, policies: smallPolicies(), spanSize: 1 << 20}
	worst, err := s.worstSpanCost()
	if err != nil {
		t.Fatal(err)
	}
	// A full span's buffer and its (4,2) parity: 2 blocks of 15 cells of
	// 5 pages, in a 640 KiB buffer class.
	if want := int64(1<<20 + 640<<10); worst != want {
		t.Errorf("worst span cost %d, want %d", worst, want)
	}
	if err := s.initSpanBuffers(worst - 1); err == nil {
		t.Error("a budget smaller than one span was accepted")
	}
	if err := s.initSpanBuffers(0); err != nil || s.buffers.memory.limit != DefaultSpanBufferBytes {
		t.Errorf("default budget: %v", err)
	}
}

func TestDefaultPoliciesFitTheDefaultBudget(t *testing.T) {
	p := DefaultSpanPolicies()
	size, _ := appendSpanSize(p)
	s := &Store{policies: p, spanSize: size}
	worst, err := s.worstSpanCost()
	if err != nil {
		t.Fatal(err)
	}
	// A full span: 27 MiB of data, 11 MiB of RS(10,4) parity.
	if want := int64(38 << 20); arenaMapsBuffers && worst != want {
		t.Errorf("worst span cost %d MiB, want 38", worst>>20)
	}
	_, writing := s.spanCost(8 << 20) // a multipart part of 8 MiB: RS(3,4)
	if arenaMapsBuffers && writing != (8+11)<<20 {
		t.Errorf("an 8 MiB span holds %d MiB while written, want 19", writing>>20)
	}
	if worst > DefaultSpanBufferBytes/4 {
		t.Errorf("worst span cost %d MiB: fewer than 4 spans fit the default budget", worst>>20)
	}
}

func TestArenaBuffersAreReusedEmptyOrWithTheirPages(t *testing.T) {
	a := newSpanArena(1 << 20)
	b, resident := a.get(256 << 10)
	if !a.isMapped(b) {
		t.Skip("this platform keeps span buffers on the heap (arenaMapsBuffers is false)")
	}
	if resident != 0 {
		t.Errorf("a new mapping has %d resident bytes", resident)
	}
	b[0], b[100_000] = 1, 2
	a.put(b, 0)
	again, resident := a.get(256 << 10)
	if &again[0] != &b[0] {
		t.Fatal("an idle buffer of the same size was not reused")
	}
	if resident != 0 || again[0] != 0 || again[100_000] != 0 {
		t.Errorf("a buffer put back empty kept its old pages (%d resident bytes)", resident)
	}
	again[0], again[100_000] = 3, 4
	a.put(again, 128<<10)
	kept, resident := a.get(256 << 10)
	if resident != 128<<10 || kept[0] != 3 || kept[100_000] != 4 {
		t.Errorf("a buffer put back with its pages: %d resident bytes, contents %d %d", resident, kept[0], kept[100_000])
	}
	a.put(kept, 128<<10)
	a.shedResident(0)
	if a.idleResident != 0 {
		t.Errorf("%d idle resident bytes after shedding them all", a.idleResident)
	}
	if shed, _ := a.get(256 << 10); shed[0] != 0 || shed[100_000] != 0 {
		t.Error("a shed buffer kept its old pages")
	} else {
		a.put(shed, 0)
	}
	a.releaseAll()
	if len(a.live) != 0 || a.idleBytes != 0 {
		t.Errorf("%d mappings, %d idle bytes left after releaseAll", len(a.live), a.idleBytes)
	}
}

// TestIdleBuffersKeepTheirPagesWithinTheBudget: a span buffer given back
// keeps its pages for the next user when they fit the budget beside what
// is charged, never beyond it; trim gives back the pages of an old user
// past the new data.
func TestIdleBuffersKeepTheirPagesWithinTheBudget(t *testing.T) {
	const limit = 8 << 20
	m := newSpanMemory(limit)
	res, _ := m.reserve(context.Background(), 4<<20)
	buf := res.alloc(4 << 20)
	if !m.arena.isMapped(buf[:cap(buf)]) {
		t.Skip("this platform keeps span buffers on the heap (arenaMapsBuffers is false)")
	}
	for i := range buf {
		buf[i] = 1
	}
	res.release()
	if got := m.arena.idleResident; got != 4<<20 {
		t.Fatalf("%d idle resident bytes after a 4 MiB buffer was given back, want 4 MiB", got)
	}
	res, _ = m.reserve(context.Background(), 4<<20)
	again := res.alloc(4 << 20)
	if &again[0] != &buf[0] || again[4<<20-1] != 1 {
		t.Fatal("the buffer was not reused with its pages")
	}
	discarded := m.snapshot().Discarded
	if !res.trim(again, 1<<20) || again[:cap(again)][2<<20] != 0 {
		t.Error("trim kept the old pages past the new data")
	}
	if d := m.snapshot().Discarded - discarded; d != 3<<20 {
		t.Errorf("trim to 1 MiB gave back %d bytes of the old 4 MiB of pages, want 3 MiB", d)
	}
	res.release() // 1 MiB of pages stays idle
	// Another user takes the whole budget in a buffer of another size:
	// the idle pages must go.
	other, _ := m.reserve(context.Background(), limit)
	big := other.alloc(limit)
	for i := range big {
		big[i] = 2
	}
	m.arena.mu.Lock()
	idle := m.arena.idleResident
	m.arena.mu.Unlock()
	if m.charged+idle > limit {
		t.Errorf("%d bytes charged and %d idle resident: over the limit of %d", m.charged, idle, limit)
	}
	other.release()
}

// TestAppendGivesBackWhatTheSpanDoesNotNeed: while a short span is
// written, only its own buffer and its parity stay reserved.
func TestAppendGivesBackWhatTheSpanDoesNotNeed(t *testing.T) {
	r := newSpanRig(t)
	s := newBudgetStore(t, r, 8<<20)
	data := ternfstest.RandomBytes(100_000, 1)
	var during int64
	err := s.eachSpan(context.Background(), bytes.NewReader(data), func(span []byte) error {
		during = s.buffers.memory.reserved
		id, cookie := r.newFile(t)
		return r.c.WriteSpan(context.Background(), id, cookie, 0, span, s.policies)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, want := s.spanCost(len(data))
	if during != want || want >= s.buffers.reserve {
		t.Errorf("%d bytes reserved while writing, want %d (of %d reserved to read)", during, want, s.buffers.reserve)
	}
	st := s.buffers.memory.snapshot()
	if st.Unaccounted != 0 {
		t.Errorf("%d bytes allocated outside the budget (the parity was not drawn from the span's reservation)", st.Unaccounted)
	}
	if s.buffers.memory.reserved != 0 {
		t.Errorf("%d bytes still reserved after the append", s.buffers.memory.reserved)
	}
}

// TestConcurrentAppendsStayWithinTheBudget: many appends at once never
// reserve or hold more than the budget, reuse their buffers, and write
// the right bytes.
func TestConcurrentAppendsStayWithinTheBudget(t *testing.T) {
	r := newSpanRig(t)
	const limit = 4 << 20 // two or three spans of smallPolicies at a time
	s := newBudgetStore(t, r, limit)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const writers, size = 8, 2<<20 + 12345 // two full spans and a short one each
	ids := make([]wire.InodeID, writers)
	for i := range ids {
		ids[i], _ = r.newFile(t)
	}
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cookie := r.shard.CookieOf(ids[i])
			_, errs[i] = s.Append(ctx, transientOf(ids[i], cookie), bytes.NewReader(ternfstest.RandomBytes(size, uint64(i))))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	st := s.buffers.memory.snapshot()
	t.Logf("budget %d: peak reserved %d, peak charged %d, mapped %d for %d bytes appended", limit, st.PeakReserved, st.PeakCharged, st.Mapped, writers*size)
	if st.PeakReserved > limit || st.PeakCharged > limit {
		t.Errorf("peak reserved %d, peak charged %d: over the budget of %d", st.PeakReserved, st.PeakCharged, limit)
	}
	if st.PeakReserved < limit-s.buffers.reserve {
		t.Errorf("peak reserved %d: the writers never filled the budget, the test proves nothing", st.PeakReserved)
	}
	if st.Unaccounted != 0 {
		t.Errorf("%d bytes allocated outside the budget", st.Unaccounted)
	}
	// Without reuse every span would map a span-size buffer and its
	// parity.
	var fresh int64
	for _, n := range []int{1 << 20, 1 << 20, size - 2<<20} {
		_, writing := s.spanCost(n)
		fresh += writers * (int64(bufferClass(s.spanSize)) + writing - int64(bufferClass(n)))
	}
	if arenaMapsBuffers && st.Mapped > fresh/2 {
		t.Errorf("%d bytes mapped for span buffers, %d without reuse: they were not reused", st.Mapped, fresh)
	}
	for i, id := range ids {
		got, err := r.c.ReadFile(ctx, id)
		if err != nil || !bytes.Equal(got, ternfstest.RandomBytes(size, uint64(i))) {
			t.Fatalf("file %d reads back wrong (%d bytes, %v)", i, len(got), err)
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestEachSpanReadsAheadWhileWriting: while a span is written, the next
// one is read when the budget has room for it, and not when it has room
// for one span only; either way the spans arrive whole and in order.
func TestEachSpanReadsAheadWhileWriting(t *testing.T) {
	r := newSpanRig(t)
	reserve := newBudgetStore(t, r, 64<<20).buffers.reserve
	for _, tc := range []struct {
		name      string
		budget    int64
		readAhead bool
	}{{"room for two spans", 2 * reserve, true}, {"room for one span", reserve, false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newBudgetStore(t, r, tc.budget)
			data := ternfstest.RandomBytes(3*s.spanSize, 7)
			body := &countingReader{r: bytes.NewReader(data)}
			var got []byte
			err := s.eachSpan(context.Background(), body, func(span []byte) error {
				if len(got) == 0 { // writing the first span
					deadline := time.Now().Add(10 * time.Second)
					for body.n.Load() < int64(2*s.spanSize) && tc.readAhead && time.Now().Before(deadline) {
						time.Sleep(time.Millisecond)
					}
					if !tc.readAhead {
						time.Sleep(50 * time.Millisecond) // time enough to read ahead, were it allowed
					}
					read := body.n.Load()
					if ahead := read >= int64(2*s.spanSize); ahead != tc.readAhead {
						t.Errorf("%d bytes read while writing the first %d-byte span: read ahead %v, want %v", read, s.spanSize, ahead, tc.readAhead)
					}
				}
				got = append(got, span...)
				return nil
			})
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("eachSpan: %v; data equal %v", err, bytes.Equal(got, data))
			}
			if reserved := s.buffers.memory.reserved; reserved != 0 {
				t.Errorf("%d bytes still reserved", reserved)
			}
		})
	}
}
