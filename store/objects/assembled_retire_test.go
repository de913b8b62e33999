package objects

import (
	"errors"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// A multipart Complete that replaces an object retires the old record like
// Put does: a reader that opened the old file keeps its metadata until the
// delay has passed.
func TestLinkAssembledRetiresReplacedRecord(t *testing.T) {
	l, st := newRecordFileLayer(t)
	l.opts.RecordRemovalDelay = time.Hour
	ctx := t.Context()
	first := mustPut(t, l, "k", "plain")
	bid, _ := l.bucketID(ctx, testBucket)

	whole, sizes := assembleKey(t, l, st, "k", "ab", "cd")
	if _, err := l.LinkAssembled(ctx, testBucket, "k", whole, Metadata{}, "etag-2", sizes, Conditions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.readRecord(ctx, bid, first.FileID); err != nil {
		t.Fatalf("the replaced record must stay readable for racing readers: %v", err)
	}

	l.retired.mu.Lock()
	for i := range l.retired.queue {
		l.retired.queue[i].due = time.Now().Add(-time.Second)
	}
	l.retired.mu.Unlock()
	whole, sizes = assembleKey(t, l, st, "other", "x")
	if _, err := l.LinkAssembled(ctx, testBucket, "other", whole, Metadata{}, "etag-3", sizes, Conditions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.readRecord(ctx, bid, first.FileID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a retired record past its delay must be removed by the next assembly: %v", err)
	}
}
