package ternfs

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// DefaultSpanBufferBytes is the store-wide span buffer budget when
// Options.SpanBufferBytes is 0.
const DefaultSpanBufferBytes = 256 << 20

// spanMemory is a store-wide budget for the large buffers spans pass
// through: appended spans while they are read and written (with their
// parity) and the read-ahead of streaming reads.
//
// A user reserves bytes (waiting while the budget is spent), takes buffers
// out of its reservation and gives everything back when done. Waiting
// cannot deadlock as long as nobody waits for a reservation while holding
// another: writers hold one at a time, and readers only ever try.
//
// A buffer is charged for the bytes its user may touch, which trim can
// lower for a buffer of the arena (spanArena): its other pages are never
// made resident (trim gives back those a previous user left). Idle
// buffers keep their pages only while those and the bytes charged fit
// the limit together. So the budget bounds the memory span buffers
// occupy. A nil *spanMemory has no limit: plain allocations.
type spanMemory struct {
	limit int64
	sem   *semaphore.Weighted
	arena *spanArena

	waiting atomic.Int64 // reserve calls waiting for the budget

	mu       sync.Mutex
	owners   map[*byte]*heldBuffer // buffers handed out, by first byte
	reserved int64
	charged  int64
	stats    spanMemoryStats
}

// spanMemoryStats are counters for tests and benchmarks.
type spanMemoryStats struct {
	PeakReserved int64 // most bytes reserved at once
	PeakCharged  int64 // most bytes charged for buffers at once
	Unaccounted  int64 // bytes allocated outside any reservation (a bug if not 0)
	Mapped       int64 // bytes of buffers the arena ever mapped (reuse keeps it low)
	Discarded    int64 // bytes of buffers put back, their pages given back
}

// heldBuffer is a buffer handed out by a reservation.
type heldBuffer struct {
	res      *spanReservation
	buf      []byte // its whole capacity
	charge   int64
	resident int64 // leading bytes that may hold pages from a previous user
}

func newSpanMemory(limit int64) *spanMemory {
	m := &spanMemory{
		limit: limit,
		sem:   semaphore.NewWeighted(limit),
		// Idle buffers cost address space only: keep plenty for reuse.
		arena:  newSpanArena(4 * limit),
		owners: make(map[*byte]*heldBuffer),
	}
	// Once m is unreachable no reservation holds a buffer: unmap them.
	runtime.AddCleanup(m, (*spanArena).releaseAll, m.arena)
	return m
}

// bufferClass rounds a buffer size up, so that buffers of nearly equal
// sizes are interchangeable on the arena's free list.
func bufferClass(n int) int {
	granule := 1 << 20
	if n < granule {
		granule = 64 << 10
	}
	return (n + granule - 1) / granule * granule
}

// spanReservation is bytes of the budget held by one user, and the
// buffers it took out of them.
type spanReservation struct {
	m    *spanMemory
	size int64 // reserved
	used int64 // charged for the buffers held
	bufs []*heldBuffer
}

// reserve waits until n bytes of the budget are free.
func (m *spanMemory) reserve(ctx context.Context, n int64) (*spanReservation, error) {
	if m == nil {
		return &spanReservation{size: n}, nil
	}
	if n > m.limit {
		return nil, fmt.Errorf("ternfs: %d bytes of span buffers asked for, the budget is %d", n, m.limit)
	}
	m.waiting.Add(1)
	err := m.sem.Acquire(ctx, n)
	m.waiting.Add(-1)
	if err != nil {
		return nil, err
	}
	m.addReserved(n)
	return &spanReservation{m: m, size: n}, nil
}

// contended reports whether someone waits for the budget: holders that
// need not keep theirs should give it back.
func (m *spanMemory) contended() bool {
	return m != nil && m.waiting.Load() > 0
}

// tryReserve reserves n bytes if they are free now.
func (m *spanMemory) tryReserve(n int64) (*spanReservation, bool) {
	if m == nil {
		return &spanReservation{size: n}, true
	}
	if n > m.limit || !m.sem.TryAcquire(n) {
		return nil, false
	}
	m.addReserved(n)
	return &spanReservation{m: m, size: n}, true
}

func (m *spanMemory) addReserved(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reserved += n
	m.stats.PeakReserved = max(m.stats.PeakReserved, m.reserved)
}

// reservationOf is the reservation holding the buffer data starts, or nil.
// It lets code handed only a span's bytes draw that span's further
// buffers (its parity) from the same reservation.
func (m *spanMemory) reservationOf(data []byte) *spanReservation {
	if m == nil || len(data) == 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if h := m.owners[&data[0]]; h != nil {
		return h.res
	}
	return nil
}

// Parity lends a span write its parity buffer (Client.SetParityBuffers)
// from the reservation holding data, the span's bytes.
func (m *spanMemory) Parity(data []byte, n int) ([]byte, func(), bool) {
	res := m.reservationOf(data)
	if res == nil {
		return nil, nil, false
	}
	parity := res.alloc(n)
	return parity, func() { res.free(parity) }, true
}

// snapshot returns the counters.
func (m *spanMemory) snapshot() spanMemoryStats {
	m.mu.Lock()
	st := m.stats
	m.mu.Unlock()
	m.arena.mu.Lock()
	st.Mapped, st.Discarded = m.arena.mapped, m.arena.discarded
	m.arena.mu.Unlock()
	return st
}

// alloc takes a buffer of n bytes out of the reservation, charged for all
// of them (contents undefined). When the reservation cannot cover it, the
// buffer is allocated outside the budget and counted as Unaccounted: a
// sizing bug must not fail a write.
func (r *spanReservation) alloc(n int) []byte {
	m := r.m
	if m == nil || n == 0 {
		return make([]byte, n)
	}
	class := bufferClass(n)
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.used+int64(class) > r.size {
		m.stats.Unaccounted += int64(n)
		return make([]byte, n)
	}
	buf, resident := m.arena.get(class)
	h := &heldBuffer{res: r, buf: buf, charge: int64(class), resident: resident}
	m.owners[&buf[0]] = h
	r.bufs = append(r.bufs, h)
	r.used += h.charge
	m.charged += h.charge
	m.stats.PeakCharged = max(m.stats.PeakCharged, m.charged)
	m.arena.shedResident(m.limit - m.charged)
	return buf[:n]
}

// trim lowers the charge of buf, from alloc, to its first n bytes, which
// are all its user touched or will touch, if the arena keeps the rest of
// it from ever taking memory. It reports whether it did.
func (r *spanReservation) trim(buf []byte, n int) bool {
	m := r.m
	if m == nil || cap(buf) == 0 {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.owners[&buf[:1][0]]
	if h == nil || h.res != r || !m.arena.isMapped(h.buf) {
		return false
	}
	charge := int64(bufferClass(max(n, 1)))
	if h.resident > charge && m.arena.discard(h.buf[charge:h.resident]) != nil {
		return false // the old pages past n stay: so does the charge
	}
	h.resident = min(h.resident, charge)
	if charge < h.charge {
		r.used -= h.charge - charge
		m.charged -= h.charge - charge
		h.charge = charge
	}
	return true
}

// free gives a buffer taken with alloc back; its bytes stay reserved
// until shrink or release.
func (r *spanReservation) free(buf []byte) {
	m := r.m
	if m == nil || cap(buf) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, h := range r.bufs {
		if &h.buf[0] == &buf[:1][0] {
			r.bufs = append(r.bufs[:i], r.bufs[i+1:]...)
			m.putBack(h)
			return
		}
	}
}

// putBack returns a held buffer to the arena (m.mu held), with its pages
// if they fit the limit beside the bytes charged and the pages other idle
// buffers keep.
func (m *spanMemory) putBack(h *heldBuffer) {
	delete(m.owners, &h.buf[0])
	h.res.used -= h.charge
	m.charged -= h.charge
	keep := h.charge // all its user may have touched
	m.arena.mu.Lock()
	if m.charged+m.arena.idleResident+keep > m.limit {
		keep = 0
	}
	m.arena.mu.Unlock()
	m.arena.put(h.buf, keep)
}

// shrink gives back all but n bytes of the reservation (never less than
// its buffers are charged).
func (r *spanReservation) shrink(n int64) {
	n = max(n, r.used)
	if n >= r.size {
		return
	}
	if r.m != nil {
		r.m.mu.Lock()
		r.m.reserved -= r.size - n
		r.m.mu.Unlock()
		r.m.sem.Release(r.size - n)
	}
	r.size = n
}

// release gives back every buffer of the reservation and its bytes. The
// reservation must not be used afterwards.
func (r *spanReservation) release() {
	m := r.m
	if m == nil || r.size == 0 {
		return
	}
	m.mu.Lock()
	for _, h := range r.bufs {
		m.putBack(h)
	}
	r.bufs = nil
	m.reserved -= r.size
	m.mu.Unlock()
	m.sem.Release(r.size)
	r.size = 0
}
