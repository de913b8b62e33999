package ternfs

import (
	"context"
	"fmt"
	"sync"

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
// Released buffers stay on a free list for reuse, so a steady load makes
// no garbage; idle buffers and buffers in use together never exceed the
// limit (idle ones are dropped to make room), so the limit bounds the
// memory span buffers occupy.
//
// A nil *spanMemory has no limit and no free list: plain allocations.
type spanMemory struct {
	limit int64
	sem   *semaphore.Weighted

	mu        sync.Mutex
	idle      map[int][][]byte // free buffers by capacity (a bufferClass)
	idleBytes int64
	held      int64                      // capacity of buffers handed out
	owners    map[*byte]*spanReservation // first byte of each buffer handed out
	reserved  int64
	stats     spanMemoryStats
}

// spanMemoryStats are counters for tests and benchmarks.
type spanMemoryStats struct {
	PeakReserved int64 // most bytes reserved at once
	PeakLive     int64 // most bytes of buffers held or idle at once
	Allocated    int64 // bytes of buffers ever allocated (not reused)
	Unaccounted  int64 // bytes allocated outside any reservation (a bug if not 0)
}

func newSpanMemory(limit int64) *spanMemory {
	return &spanMemory{
		limit:  limit,
		sem:    semaphore.NewWeighted(limit),
		idle:   make(map[int][][]byte),
		owners: make(map[*byte]*spanReservation),
	}
}

// bufferClass rounds a buffer size up so that buffers of nearly equal
// sizes are interchangeable on the free list.
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
	used int64 // capacity of the buffers held
	bufs [][]byte
}

// reserve waits until n bytes of the budget are free.
func (m *spanMemory) reserve(ctx context.Context, n int64) (*spanReservation, error) {
	if m == nil {
		return &spanReservation{size: n}, nil
	}
	if n > m.limit {
		return nil, fmt.Errorf("ternfs: %d bytes of span buffers asked for, the budget is %d", n, m.limit)
	}
	if err := m.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	m.addReserved(n)
	return &spanReservation{m: m, size: n}, nil
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
	return m.owners[&data[0]]
}

// snapshot returns the counters.
func (m *spanMemory) snapshot() spanMemoryStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}

// alloc takes a buffer of n bytes (contents undefined) out of the
// reservation. When the reservation cannot cover it, the buffer is
// allocated outside the budget and counted as Unaccounted: a sizing bug
// must not fail a write.
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
	var buf []byte
	if free := m.idle[class]; len(free) > 0 {
		buf = free[len(free)-1]
		m.idle[class] = free[:len(free)-1]
		m.idleBytes -= int64(class)
	} else {
		m.dropIdle(m.held + m.idleBytes + int64(class) - m.limit)
		buf = make([]byte, class)
		m.stats.Allocated += int64(class)
	}
	m.held += int64(class)
	m.stats.PeakLive = max(m.stats.PeakLive, m.held+m.idleBytes)
	r.used += int64(class)
	r.bufs = append(r.bufs, buf)
	m.owners[&buf[0]] = r
	return buf[:n]
}

// dropIdle lets at least excess bytes of idle buffers go to the garbage
// collector.
func (m *spanMemory) dropIdle(excess int64) {
	for class, free := range m.idle {
		for excess > 0 && len(free) > 0 {
			free = free[:len(free)-1]
			m.idleBytes -= int64(class)
			excess -= int64(class)
		}
		m.idle[class] = free
		if excess <= 0 {
			return
		}
	}
}

// free puts a buffer taken with alloc back on the free list; its bytes
// stay reserved until shrink or release.
func (r *spanReservation) free(buf []byte) {
	m := r.m
	if m == nil || cap(buf) == 0 {
		return
	}
	first := &buf[:1][0]
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, b := range r.bufs {
		if &b[0] == first {
			r.bufs = append(r.bufs[:i], r.bufs[i+1:]...)
			m.putIdle(b)
			r.used -= int64(cap(b))
			return
		}
	}
}

// putIdle moves a held buffer to the free list (m.mu held).
func (m *spanMemory) putIdle(b []byte) {
	delete(m.owners, &b[0])
	b = b[:cap(b)]
	m.held -= int64(cap(b))
	m.idle[cap(b)] = append(m.idle[cap(b)], b)
	m.idleBytes += int64(cap(b))
}

// shrink gives back all but n bytes of the reservation (never less than
// its buffers hold).
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

// release frees every buffer of the reservation and gives back its bytes.
// The reservation must not be used afterwards.
func (r *spanReservation) release() {
	m := r.m
	if m == nil || r.size == 0 {
		return
	}
	m.mu.Lock()
	for _, b := range r.bufs {
		m.putIdle(b)
	}
	r.bufs, r.used = nil, 0
	m.reserved -= r.size
	m.mu.Unlock()
	m.sem.Release(r.size)
	r.size = 0
}
