package ternfs

import "sync"

// spanArena holds span buffers outside the Go heap where the platform
// allows (anonymous memory maps; elsewhere the heap). A mapped buffer
// takes memory only for the pages written to it and waits on a free list
// for reuse once put back, so span buffers cost no garbage collection.
// An idle buffer either keeps its pages, so that its next user writes
// into memory that is already there (a fresh page costs a fault and a
// zeroing, which made up half of a PUT's CPU), or gives them back; the
// budget (spanMemory) decides which and bounds the pages kept. A buffer
// must not be touched once put back.
type spanArena struct {
	maxIdle int64 // bytes of idle mappings kept for reuse

	mu           sync.Mutex
	live         map[*byte][]byte // every mapping, by first byte
	idle         map[int][]idleBuffer
	idleBytes    int64 // of idle mappings
	idleResident int64 // of idle mappings' leading bytes that may hold pages
	mapped       int64 // bytes ever mapped (tests: reuse)
	discarded    int64 // bytes of buffers emptied (tests: reuse)
}

// idleBuffer is a mapping on the free list whose first resident bytes
// may hold pages (and old contents); the rest takes no memory.
type idleBuffer struct {
	buf      []byte
	resident int64
}

func newSpanArena(maxIdle int64) *spanArena {
	return &spanArena{maxIdle: maxIdle, live: make(map[*byte][]byte), idle: make(map[int][]idleBuffer)}
}

// get returns a buffer of n bytes (n > 0) and how many of its leading
// bytes may hold pages, with old contents; the rest reads as zeros.
func (a *spanArena) get(n int) ([]byte, int64) {
	a.mu.Lock()
	if free := a.idle[n]; len(free) > 0 {
		b := free[len(free)-1]
		a.idle[n] = free[:len(free)-1]
		a.idleBytes -= int64(n)
		a.idleResident -= b.resident
		a.mu.Unlock()
		return b.buf, b.resident
	}
	a.mu.Unlock()
	b, err := mapBuffer(n)
	if err != nil {
		return make([]byte, n), int64(n) // the heap will do
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.live[&b[0]] = b
	a.mapped += int64(n)
	return b, 0
}

// isMapped reports whether b (its whole capacity) is a mapping of the
// arena, whose untouched pages take no memory.
func (a *spanArena) isMapped(b []byte) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.live[&b[:1][0]]
	return ok
}

// put takes a buffer from get back, keeping the pages of its first
// resident bytes (it must have touched no others) or, with resident 0,
// giving all of them back.
func (a *spanArena) put(b []byte, resident int64) {
	b = b[:cap(b)]
	if !a.isMapped(b) {
		return // heap memory: the garbage collector's
	}
	if resident == 0 && a.discard(b) != nil {
		a.unmap(b)
		return
	}
	a.mu.Lock()
	if a.idleBytes+int64(len(b)) > a.maxIdle {
		a.mu.Unlock()
		a.unmap(b)
		return
	}
	a.idle[len(b)] = append(a.idle[len(b)], idleBuffer{buf: b, resident: resident})
	a.idleBytes += int64(len(b))
	a.idleResident += resident
	a.mu.Unlock()
}

// shedResident gives back the pages of idle buffers until those left
// hold at most limit bytes.
func (a *spanArena) shedResident(limit int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.idleResident <= limit {
		return
	}
	for _, free := range a.idle {
		for i := range free {
			if a.idleResident <= limit {
				return
			}
			if free[i].resident == 0 || discardPages(free[i].buf[:free[i].resident]) != nil {
				continue
			}
			a.idleResident -= free[i].resident
			a.discarded += free[i].resident
			free[i].resident = 0
		}
	}
}

// discard gives back the pages of b, part of a mapping in use.
func (a *spanArena) discard(b []byte) error {
	if err := discardPages(b); err != nil {
		return err
	}
	a.mu.Lock()
	a.discarded += int64(len(b))
	a.mu.Unlock()
	return nil
}

func (a *spanArena) unmap(b []byte) {
	a.mu.Lock()
	delete(a.live, &b[0])
	a.mu.Unlock()
	_ = unmapBuffer(b) // cannot fail for a mapping of our own
}

// releaseAll unmaps every buffer, when nothing can use them any more.
func (a *spanArena) releaseAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, b := range a.live {
		_ = unmapBuffer(b)
		delete(a.live, k)
	}
	clear(a.idle)
	a.idleBytes, a.idleResident = 0, 0
}
