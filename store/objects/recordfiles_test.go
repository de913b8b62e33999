package objects

import (
	"testing"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// recordFileStore hides the local store's optional capabilities, so the
// layer over it keeps metadata in record files as it does over TernFS.
type recordFileStore struct{ store.Store }

// newRecordFileLayer is newTestLayer over a store without attributes: for
// the tests of record files (their retirement and sweeping), which only a
// store without attributes writes.
func newRecordFileLayer(t *testing.T) (*Layer, *local.Store) {
	t.Helper()
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	l, err := New(t.Context(), recordFileStore{st}, st.Root(), Options{})
	if err != nil {
		t.Fatalf("new layer: %v", err)
	}
	if err := l.CreateBucket(t.Context(), testBucket, "owner"); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return l, st
}
