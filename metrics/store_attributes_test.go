package metrics

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// The decorator keeps the optional store.AttributedFiles of the store it
// wraps (the object layer finds it by type assertion) and records its calls.
func TestInstrumentedStoreKeepsAttributedFiles(t *testing.T) {
	ctx := context.Background()
	m := New()
	ls, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	st, ok := InstrumentStore(ls, m).(store.AttributedFiles)
	if !ok {
		t.Fatal("the instrumented local store does not offer store.AttributedFiles")
	}
	info, err := st.LinkInlineFile(ctx, st.Root(), "f", []byte("hello"), []byte("attr"))
	if err != nil {
		t.Fatal(err)
	}
	if attr, err := st.FileAttribute(ctx, info.ID); err != nil || string(attr) != "attr" {
		t.Fatalf("FileAttribute = %q, %v", attr, err)
	}
	if before := testutil.CollectAndCount(m.StoreDuration); before < 2 {
		t.Errorf("store durations recorded for %d operations, want LinkInlineFile and FileAttribute", before)
	}
	if _, ok := InstrumentStore(struct{ store.Store }{ls}, m).(store.AttributedFiles); ok {
		t.Error("the decorator of a store without attributes claims to have them")
	}
}

// The decorator keeps the optional store.SortedDirReader too, alone or with
// attributes: without it every listing of the real gateway would read and
// sort whole directories.
func TestInstrumentedStoreKeepsSortedReads(t *testing.T) {
	ctx := context.Background()
	m := New()
	ls, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	if _, err := ls.LinkInlineFile(ctx, ls.Root(), "b", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ls.LinkInlineFile(ctx, ls.Root(), "a", nil, nil); err != nil {
		t.Fatal(err)
	}
	wrapped := InstrumentStore(ls, m)
	if _, ok := wrapped.(store.AttributedFiles); !ok {
		t.Error("the instrumented local store lost store.AttributedFiles")
	}
	sorted, ok := wrapped.(store.SortedDirReader)
	if !ok {
		t.Fatal("the instrumented local store does not offer store.SortedDirReader")
	}
	series := testutil.CollectAndCount(m.StoreDuration)
	entries, err := sorted.ReadDirFrom(ctx, ls.Root(), "", 10)
	if err != nil || len(entries) != 2 || entries[0].Name != "a" || entries[1].Name != "b" {
		t.Fatalf("ReadDirFrom = %v, %v", entries, err)
	}
	if got := testutil.CollectAndCount(m.StoreDuration); got != series+1 {
		t.Errorf("ReadDirFrom was not recorded: %d operation series before it, %d after", series, got)
	}
	onlySorted := struct {
		store.Store
		store.SortedDirReader
	}{ls, ls}
	w := InstrumentStore(onlySorted, m)
	if _, ok := w.(store.SortedDirReader); !ok {
		t.Error("the decorator of a store with sorted reads only hides them")
	}
	if _, ok := w.(store.AttributedFiles); ok {
		t.Error("the decorator of a store without attributes claims to have them")
	}
	if _, ok := InstrumentStore(struct{ store.Store }{ls}, m).(store.SortedDirReader); ok {
		t.Error("the decorator of a store without sorted reads claims to have them")
	}
}
