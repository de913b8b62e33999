package objects

import (
	"context"
	"sync"
	"time"

	"github.com/terngate/terngate/store"
)

// A replaced or deleted object's metadata record is not removed at once: a
// reader that looked the key up just before the change still holds the old
// file open and needs its record. Records are retired instead, and removed
// once RecordRemovalDelay has passed, by whichever write comes next (no
// goroutine to stop). What a stopping process leaves queued is removed by
// SweepOrphanMetadata.

// retireBatch bounds the removals one write performs on behalf of others.
const retireBatch = 8

type retiredRecord struct {
	bucket store.ID
	file   store.ID
	due    time.Time
}

type retiredRecords struct {
	mu    sync.Mutex
	queue []retiredRecord
}

// retireRecord schedules the removal of file's record.
func (l *Layer) retireRecord(ctx context.Context, bucket, file store.ID) {
	if l.opts.RecordRemovalDelay < 0 {
		l.removeRetiredRecord(ctx, bucket, file, nil)
		return
	}
	l.retired.mu.Lock()
	l.retired.queue = append(l.retired.queue, retiredRecord{bucket: bucket, file: file, due: time.Now().Add(l.opts.RecordRemovalDelay)})
	l.retired.mu.Unlock()
}

// removeDueRecords removes up to retireBatch records whose delay has passed.
func (l *Layer) removeDueRecords(ctx context.Context) {
	now := time.Now()
	l.retired.mu.Lock()
	n := 0
	for n < len(l.retired.queue) && n < retireBatch && !l.retired.queue[n].due.After(now) {
		n++
	}
	due := append([]retiredRecord(nil), l.retired.queue[:n]...)
	l.retired.queue = l.retired.queue[n:]
	l.retired.mu.Unlock()
	keeps := map[store.ID]bool{}
	for _, r := range due {
		l.removeRetiredRecord(ctx, r.bucket, r.file, keeps)
	}
}
