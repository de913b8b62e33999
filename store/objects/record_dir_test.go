package objects

import (
	"context"
	"testing"

	"github.com/terngate/terngate/store"
)

// TestRecordDirectoryRemovedByAnotherGateway: reads and writes of a record
// file use the cached directory of records without looking it up. When
// another gateway has removed that directory (and made it again), the store
// answers store.ErrDirectoryGone, and the record must still be found, and
// written, in the directory that now holds it.
func TestRecordDirectoryRemovedByAnotherGateway(t *testing.T) {
	a, st := newTestLayer(t)
	b, err := New(t.Context(), st, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	bid, err := a.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	const id = store.ID(0x1234)
	readETag := func(l *Layer) string {
		t.Helper()
		rec, err := l.readRecord(ctx, bid, id)
		if err != nil {
			t.Fatalf("readRecord: %v", err)
		}
		return rec.ETag
	}
	if err := a.writeRecord(ctx, bid, id, record{ETag: "first"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.cachedRecordDir(bid, id); !ok {
		t.Fatal("writeRecord did not cache the record's directory")
	}
	removeRecordDir(ctx, t, st, bid, id)
	if err := b.writeRecord(ctx, bid, id, record{ETag: "second"}); err != nil {
		t.Fatal(err)
	}
	if got := readETag(a); got != "second" {
		t.Fatalf("read through a removed cached directory: ETag %q, want %q", got, "second")
	}
	removeRecordDir(ctx, t, st, bid, id)
	if err := a.writeRecord(ctx, bid, id, record{ETag: "third"}); err != nil {
		t.Fatalf("write through a removed cached directory: %v", err)
	}
	if got := readETag(b); got != "third" {
		t.Fatalf("the other gateway reads ETag %q, want %q", got, "third")
	}
}

// removeRecordDir removes the directory of id's record, as another
// gateway's DeleteBucket does.
func removeRecordDir(ctx context.Context, t *testing.T, st store.Store, bid, id store.ID) {
	t.Helper()
	meta, err := st.Lookup(ctx, bid, metaDirName)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := st.Lookup(ctx, meta.ID, recordShard(id))
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.Lookup(ctx, dir.ID, recordName(id))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UnlinkFile(ctx, dir.ID, recordName(id), f.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveDirectory(ctx, meta.ID, recordShard(id)); err != nil {
		t.Fatal(err)
	}
}
