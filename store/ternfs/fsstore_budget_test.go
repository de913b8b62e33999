package ternfs

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
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
		policies *SpanPolicies
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
			layout, err := ComputeSpanLayout(c.policies, uint32(c.size))
			if err != nil {
				t.Fatal(err)
			}
			data := randomBytes(c.size, uint64(c.size))
			want, err := EncodeSpan(layout, data)
			if err != nil {
				t.Fatal(err)
			}
			parity := bytes.Repeat([]byte{0xAA}, parityBytes(layout)) // stale contents must not matter
			got, err := encodeSpan(layout, data, parity)
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
				if block := bytes.Join(got.blockPieces(b), nil); !bytes.Equal(block, want.Blocks[b]) {
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
	// 27 MiB span buffer and a short span's own buffer (up to 13 MiB).
	if worst != 40<<20 {
		t.Errorf("worst span cost %d MiB, want 40", worst>>20)
	}
	_, writing := s.spanCost(8 << 20) // a multipart part of 8 MiB: RS(3,4)
	if writing != (8+11)<<20 {
		t.Errorf("an 8 MiB span holds %d MiB while written, want 19", writing>>20)
	}
}

// TestAppendGivesBackWhatTheSpanDoesNotNeed: while a short span is
// written, only its own buffer and its parity stay reserved.
func TestAppendGivesBackWhatTheSpanDoesNotNeed(t *testing.T) {
	r := newSpanRig(t)
	s := newBudgetStore(t, r, 8<<20)
	data := randomBytes(100_000, 1)
	var during int64
	err := s.eachSpan(bytes.NewReader(data), func(span []byte) error {
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
	ids := make([]InodeID, writers)
	for i := range ids {
		ids[i], _ = r.newFile(t)
	}
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cookie := r.shard.cookieOf(ids[i])
			_, errs[i] = s.Append(ctx, transientOf(ids[i], cookie), bytes.NewReader(randomBytes(size, uint64(i))))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	st := s.buffers.memory.snapshot()
	t.Logf("budget %d: peak reserved %d, peak live %d, allocated %d for %d bytes appended", limit, st.PeakReserved, st.PeakLive, st.Allocated, writers*size)
	if st.PeakReserved > limit || st.PeakLive > limit {
		t.Errorf("peak reserved %d, peak live %d: over the budget of %d", st.PeakReserved, st.PeakLive, limit)
	}
	if st.PeakReserved < limit-s.buffers.reserve {
		t.Errorf("peak reserved %d: the writers never filled the budget, the test proves nothing", st.PeakReserved)
	}
	if st.Unaccounted != 0 {
		t.Errorf("%d bytes allocated outside the budget", st.Unaccounted)
	}
	// Spans, short spans and parities come in a few sizes, so some idle
	// buffers make room for others; most are reused.
	if st.Allocated > 2*limit {
		t.Errorf("%d bytes allocated for span buffers: more than twice the budget, so they were not reused", st.Allocated)
	}
	for i, id := range ids {
		got, err := r.c.ReadFile(ctx, id)
		if err != nil || !bytes.Equal(got, randomBytes(size, uint64(i))) {
			t.Fatalf("file %d reads back wrong (%d bytes, %v)", i, len(got), err)
		}
	}
}
