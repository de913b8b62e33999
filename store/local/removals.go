package local

import (
	"log/slog"
	"sync"

	"github.com/terngate/terngate/store"
)

// removalQueue is how many released data files may wait for removal before
// a writer waits for room: enough for bursts, bounded so that a slow disk
// holds writers back instead of the queue growing without limit.
const removalQueue = 1024

// dataRemovals deletes the data files a committed transaction released (an
// overwritten or deleted file's bytes) on a goroutine of its own, so the PUT
// or DELETE that released them answers without waiting for the unlink:
// freeing a 1 MiB file's extents takes about as long as an fsync on a busy
// disk (1.5 ms in issue #15's mixed workload). Nothing depends on the
// removal for correctness: the transaction already dropped every reference
// to the file, IDs are never reused, readers that hold the file open keep
// reading it, and a crash before the removal leaves an orphan that
// removeOrphans deletes at the next Open.
type dataRemovals struct {
	files *dataFiles
	log   *slog.Logger

	// mu is held for reading while sending on queue and for writing to
	// close it, so queue is never closed under a sender.
	mu     sync.RWMutex
	closed bool
	queue  chan removal
	done   chan struct{} // closed when run has returned
}

// removal is one data file to remove, or (flushed set) a marker that run
// closes once everything queued before it is removed.
type removal struct {
	id      store.ID
	flushed chan struct{}
}

func newDataRemovals(files *dataFiles, log *slog.Logger) *dataRemovals {
	r := &dataRemovals{files: files, log: log, queue: make(chan removal, removalQueue), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *dataRemovals) run() {
	defer close(r.done)
	for rm := range r.queue {
		if rm.flushed != nil {
			close(rm.flushed)
			continue
		}
		r.remove(rm.id)
	}
}

func (r *dataRemovals) remove(id store.ID) {
	if err := r.files.remove(id); err != nil {
		r.log.Warn("local store: cannot remove a released data file; the next start removes it", "err", err)
	}
}

// later queues ids for removal; once closed, it removes them itself.
func (r *dataRemovals) later(ids []store.ID) {
	if len(ids) == 0 {
		return
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, id := range ids {
		if r.closed {
			r.remove(id)
		} else {
			r.queue <- removal{id: id}
		}
	}
}

// wait returns once every file queued before it is removed.
func (r *dataRemovals) wait() {
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		<-r.done
		return
	}
	flushed := make(chan struct{})
	r.queue <- removal{flushed: flushed}
	r.mu.RUnlock()
	<-flushed
}

// close removes what is queued and stops the remover; later calls of later
// remove at once.
func (r *dataRemovals) close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	<-r.done
}
