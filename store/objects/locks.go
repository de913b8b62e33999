package objects

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/terngate/terngate/store"
)

// Striped in-process locks. They serialise this process's structural changes;
// several gateway processes over one store need a shared lock later.

const lockStripes = 256

// nameLocks serialises changes to one name of one directory (which of n and
// shadowPrefix+n holds an object, and conditional writes).
type nameLocks struct {
	seed    maphash.Seed
	stripes [lockStripes]sync.Mutex
}

func newNameLocks() *nameLocks { return &nameLocks{seed: maphash.MakeSeed()} }

func (l *nameLocks) lock(dir store.ID, name string) func() {
	var h maphash.Hash
	h.SetSeed(l.seed)
	var b [8]byte
	for i := range b {
		b[i] = byte(uint64(dir) >> (8 * i))
	}
	h.Write(b[:])
	h.WriteString(name)
	m := &l.stripes[h.Sum64()%lockStripes]
	m.Lock()
	return m.Unlock
}

// dirLocks keeps directories that a PUT is about to link into from being
// pruned: writers hold the read side, pruning only ever tries the write side.
type dirLocks struct {
	stripes [lockStripes]sync.RWMutex
}

func (l *dirLocks) rlock(dir store.ID) func() {
	m := &l.stripes[uint64(dir)%lockStripes]
	m.RLock()
	return m.RUnlock
}

// tryLock never waits, so pruning cannot stall writers behind a long upload.
func (l *dirLocks) tryLock(dir store.ID) (func(), bool) {
	m := &l.stripes[uint64(dir)%lockStripes]
	if !m.TryLock() {
		return nil, false
	}
	return m.Unlock, true
}

// bucketLocks guards a bucket's deletion against concurrent writes.
type bucketLocks struct {
	mu      sync.Mutex
	buckets map[string]*sync.RWMutex
}

func (l *bucketLocks) get(bucket string) *sync.RWMutex {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = make(map[string]*sync.RWMutex)
	}
	m, ok := l.buckets[bucket]
	if !ok {
		m = new(sync.RWMutex)
		l.buckets[bucket] = m
	}
	return m
}

func (l *bucketLocks) rlock(bucket string) func() {
	m := l.get(bucket)
	m.RLock()
	return m.RUnlock
}

// lockFor takes the write side, giving up after wait so a long upload cannot
// block the caller (nor, through RWMutex writer preference, other writers).
func (l *bucketLocks) lockFor(bucket string, wait time.Duration) (func(), bool) {
	m := l.get(bucket)
	deadline := time.Now().Add(wait)
	for {
		if m.TryLock() {
			return m.Unlock, true
		}
		if time.Now().After(deadline) {
			return nil, false
		}
		time.Sleep(5 * time.Millisecond)
	}
}
