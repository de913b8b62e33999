package ternfs

import "sync"

// spanArena holds span buffers outside the Go heap where the platform
// allows (anonymous memory maps; elsewhere the heap). A mapped buffer
// takes memory only for the pages written to it, gives them back when it
// is put back, and waits on a free list for reuse; so span buffers cost
// no garbage collection and no memory while idle. A buffer must not be
// touched once put back.
type spanArena struct {
	maxIdle int64 // bytes of idle mappings kept for reuse

	mu        sync.Mutex
	live      map[*byte][]byte // every mapping, by first byte
	idle      map[int][][]byte // idle mappings by size
	idleBytes int64
	mapped    int64 // bytes ever mapped (tests: reuse)
	discarded int64 // bytes of buffers put back and emptied (tests: reuse)
}

func newSpanArena(maxIdle int64) *spanArena {
	return &spanArena{maxIdle: maxIdle, live: make(map[*byte][]byte), idle: make(map[int][][]byte)}
}

// get returns a buffer of n bytes (n > 0), zeroed if it is new.
func (a *spanArena) get(n int) []byte {
	a.mu.Lock()
	if free := a.idle[n]; len(free) > 0 {
		b := free[len(free)-1]
		a.idle[n] = free[:len(free)-1]
		a.idleBytes -= int64(n)
		a.mu.Unlock()
		return b
	}
	a.mu.Unlock()
	b, err := mapBuffer(n)
	if err != nil {
		return make([]byte, n) // the heap will do
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.live[&b[0]] = b
	a.mapped += int64(n)
	return b
}

// isMapped reports whether b (its whole capacity) is a mapping of the
// arena, whose untouched pages take no memory.
func (a *spanArena) isMapped(b []byte) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.live[&b[:1][0]]
	return ok
}

// put takes a buffer from get back.
func (a *spanArena) put(b []byte) {
	b = b[:cap(b)]
	if !a.isMapped(b) {
		return // heap memory: the garbage collector's
	}
	if discardPages(b) == nil {
		a.mu.Lock()
		a.discarded += int64(len(b))
		if a.idleBytes+int64(len(b)) <= a.maxIdle {
			a.idle[len(b)] = append(a.idle[len(b)], b)
			a.idleBytes += int64(len(b))
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
	}
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
	a.idleBytes = 0
}
