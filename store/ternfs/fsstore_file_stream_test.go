package ternfs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

// bigSpanPolicies cut 8 MiB spans (RS(4,2), 15 stripes of 35-page cells),
// larger than a read unit, so streaming reads cut spans into units.
func bigSpanPolicies() *span.SpanPolicies {
	p := smallPolicies()
	p.Span.Entries = append(p.Span.Entries, wire.SpanPolicyEntry{MaxSize: 8 << 20, Parity: mustParity(4, 2)})
	p.Stripe.TargetStripeSize = 256 << 10
	return p
}

// newStreamStore is a Store with bigSpanPolicies over the rig's fakes.
func newStreamStore(t *testing.T, r *spanRig, limit int64) *Store {
	t.Helper()
	p := bigSpanPolicies()
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

// appendFile appends data to a new file through s and opens it.
func appendFile(t *testing.T, r *spanRig, s *Store, data []byte) (wire.InodeID, store.File) {
	t.Helper()
	ctx := context.Background()
	id, cookie := r.newFile(t)
	if _, err := s.Append(ctx, transientOf(id, cookie), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	f, err := s.OpenFile(ctx, store.ID(id))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return id, f
}

// readAllWith reads n bytes from off through a streaming reader and
// returns them with the most unit memory the reader held at once.
func readAllWith(t *testing.T, f store.File, off, n int64) ([]byte, int64) {
	t.Helper()
	r, err := f.NewReader(off, n)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %d bytes at %d: %v", n, off, err)
	}
	sr := r.(*streamReader)
	sr.mu.Lock()
	defer sr.mu.Unlock()
	return got, sr.peakHeld
}

func TestStreamingReadHoldsAtMostItsWindow(t *testing.T) {
	r := newSpanRig(t)
	s := newStreamStore(t, r, 64<<20)
	data := ternfstest.RandomBytes(26<<20+5555, 11) // three 8 MiB spans and a short one
	_, f := appendFile(t, r, s, data)
	for _, rg := range [][2]int64{{0, int64(len(data))}, {123457, 20 << 20}, {8<<20 - 10, 8<<20 + 20}} {
		discarded := s.buffers.memory.snapshot().Discarded
		got, peak := readAllWith(t, f, rg[0], rg[1])
		// Read-ahead buffers serve unit after unit and are given back
		// once, at the end: at most the window, whatever the range.
		if d := s.buffers.memory.snapshot().Discarded - discarded; arenaMapsBuffers && d > 16<<20 {
			t.Errorf("read %v emptied %d bytes of buffers: read-ahead buffers were not kept", rg, d)
		}
		if !bytes.Equal(got, data[rg[0]:min(int64(len(data)), rg[0]+rg[1])]) {
			t.Fatalf("read %v: bytes differ", rg)
		}
		// A few units of read-ahead, however long the range: 16 MiB.
		if peak > 16<<20 {
			t.Errorf("read %v held %d bytes of units, want at most 16 MiB", rg, peak)
		}
		if peak <= readUnitMax {
			t.Errorf("read %v held %d bytes: no read-ahead with the budget free", rg, peak)
		}
	}
	st := s.buffers.memory.snapshot()
	if st.PeakReserved > 64<<20 || s.buffers.memory.reserved != 0 {
		t.Errorf("peak reserved %d, %d still reserved after the reads", st.PeakReserved, s.buffers.memory.reserved)
	}
}

// TestStreamingReadGivesWaitingWritersTheBudget: read-ahead is given back
// when a writer waits for the budget.
func TestStreamingReadGivesWaitingWritersTheBudget(t *testing.T) {
	r := newSpanRig(t)
	s := newStreamStore(t, r, 64<<20)
	data := ternfstest.RandomBytes(40<<20, 16)
	_, f := appendFile(t, r, s, data)
	reader, err := f.NewReader(0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(data))
	if _, err := io.ReadFull(reader, got[:1]); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rest := 64<<20 - s.buffers.memory.reserved // all the read-ahead left free
	all, err := s.buffers.memory.reserve(ctx, rest)
	if err != nil {
		t.Fatal(err)
	}
	defer all.release()
	acquired := make(chan *spanReservation, 1)
	go func() {
		res, err := s.buffers.memory.reserve(ctx, 8<<20)
		if err != nil {
			t.Error(err)
		}
		acquired <- res
	}()
	for deadline := time.Now().Add(30 * time.Second); s.buffers.memory.waiting.Load() == 0; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatal("the writer never waited for the budget")
		}
	}
	// Three read-ahead units of at most 4 MiB each are reserved; two
	// consumed give the writer its 8 MiB.
	if _, err := io.ReadFull(reader, got[1:16<<20]); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-acquired:
		res.release()
	case <-time.After(30 * time.Second):
		t.Fatal("the waiting writer did not get the reader's read-ahead")
	}
	if _, err := io.ReadFull(reader, got[16<<20:]); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("rest of the read: %v", err)
	}
}

// TestStreamingReadProgressesWithTheBudgetSpent: a reader never waits for
// the budget; with none free it reads one unit at a time.
func TestStreamingReadProgressesWithTheBudgetSpent(t *testing.T) {
	r := newSpanRig(t)
	s := newStreamStore(t, r, 64<<20)
	data := ternfstest.RandomBytes(17<<20, 12)
	_, f := appendFile(t, r, s, data)
	all, err := s.buffers.memory.reserve(context.Background(), 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer all.release()
	got, peak := readAllWith(t, f, 0, int64(len(data)))
	if !bytes.Equal(got, data) {
		t.Fatal("bytes differ")
	}
	if peak > readUnitMax {
		t.Errorf("held %d bytes of units with the budget spent, want one unit", peak)
	}
}

// TestCopyThroughTheBudgetDoesNotDeadlock reads a file and appends it to
// another in one goroutine, as CopyObject does, with a budget that holds
// one span: the writer holds all of it while the reader reads.
func TestCopyThroughTheBudgetDoesNotDeadlock(t *testing.T) {
	r := newSpanRig(t)
	s := newStreamStore(t, r, 64<<20)
	data := ternfstest.RandomBytes(20<<20+77, 13)
	srcID, _ := appendFile(t, r, s, data)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tight := newStreamStore(t, r, s.buffers.reserve)
	src, err := tight.OpenFile(ctx, store.ID(srcID))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	reader, err := src.NewReader(0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	dst, cookie := r.newFile(t)
	if _, err := tight.Append(ctx, transientOf(dst, cookie), reader); err != nil {
		t.Fatal(err)
	}
	got, err := r.c.ReadFile(ctx, dst)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("copy reads back wrong: %v", err)
	}
}

func TestCloseGivesBackReadAhead(t *testing.T) {
	r := newSpanRig(t)
	s := newStreamStore(t, r, 64<<20)
	data := ternfstest.RandomBytes(20<<20, 14)
	_, f := appendFile(t, r, s, data)
	reader, err := f.NewReader(0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(reader, buf); err != nil || !bytes.Equal(buf, data[:1000]) {
		t.Fatalf("first read: %v", err)
	}
	if s.buffers.memory.reserved == 0 {
		t.Fatal("no read-ahead reserved after the first read")
	}
	f.Close()
	if n := s.buffers.memory.reserved; n != 0 {
		t.Errorf("%d bytes still reserved after Close", n)
	}
	if _, err := reader.Read(buf); !errors.Is(err, errReaderClosed) {
		t.Errorf("read after Close: %v", err)
	}
}

func TestStreamingReadRebuildsFromParity(t *testing.T) {
	r := newSpanRig(t)
	s := newStreamStore(t, r, 64<<20)
	data := ternfstest.RandomBytes(18<<20+4321, 15)
	_, f := appendFile(t, r, s, data)
	r.services[0].Refuse.Store(true) // data block 0 of every span
	r.services[3].CorruptPages.Store(true)
	r.c.DropBlockConns()
	for _, rg := range [][2]int64{{0, int64(len(data))}, {5<<20 + 17, 9 << 20}} {
		got, _ := readAllWith(t, f, rg[0], rg[1])
		if !bytes.Equal(got, data[rg[0]:min(int64(len(data)), rg[0]+rg[1])]) {
			t.Fatalf("degraded read %v: bytes differ", rg)
		}
	}
}
