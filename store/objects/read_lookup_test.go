package objects

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// readCountingStore is the local store with its read calls counted.
type readCountingStore struct {
	*local.Store
	calls map[string]int
}

func (c *readCountingStore) Lookup(ctx context.Context, dir store.ID, name string) (store.Entry, error) {
	c.calls["Lookup"]++
	return c.Store.Lookup(ctx, dir, name)
}

func (c *readCountingStore) OpenFile(ctx context.Context, id store.ID) (store.File, error) {
	c.calls["OpenFile"]++
	return c.Store.OpenFile(ctx, id)
}

func (c *readCountingStore) FileAttribute(ctx context.Context, id store.ID) ([]byte, error) {
	c.calls["FileAttribute"]++
	return c.Store.FileAttribute(ctx, id)
}

func (c *readCountingStore) LookupLinked(ctx context.Context, dir store.ID, name string, open bool) (store.LinkedFile, error) {
	c.calls["LookupLinked"]++
	return c.Store.LookupLinked(ctx, dir, name, open)
}

// On the local store, opening or describing an object is one store read
// (LookupLinked: the name, the metadata and for Open the bytes, in one
// transaction) besides the lookup of the key's own directory, a missing
// key two (its name and its shadow name), and what they return is what
// the separate reads returned. Each read follows HeadBucket, as every S3
// request does.
func TestReadsAreOneStoreReadOnTheLocalStore(t *testing.T) {
	ctx := t.Context()
	ls, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.Close() })
	st := &readCountingStore{Store: ls, calls: map[string]int{}}
	l, err := New(ctx, st, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	small, large := "small body", strings.Repeat("large body ", 20<<10)
	mustPut(t, l, "small", small)
	mustPut(t, l, "dir/large", large)
	headBucket := func() {
		t.Helper()
		if _, err := l.HeadBucket(ctx, testBucket); err != nil {
			t.Fatal(err)
		}
		clear(st.calls)
	}

	for _, c := range []struct {
		key, body string
		want      map[string]int
	}{
		{"small", small, map[string]int{"LookupLinked": 1}},
		{"dir/large", large, map[string]int{"Lookup": 1, "LookupLinked": 1}},
	} {
		headBucket()
		got, info, err := get(ctx, l, c.key)
		if err != nil || got != c.body || info.ETag != md5hex(c.body) || info.Size != int64(len(c.body)) {
			t.Fatalf("get %q = %d bytes, %+v, %v", c.key, len(got), info, err)
		}
		if !sameCalls(st.calls, c.want) {
			t.Errorf("Open(%q) read the store %v, want %v", c.key, st.calls, c.want)
		}
		headBucket()
		stat, err := l.Stat(ctx, testBucket, c.key)
		if err != nil || stat.ETag != info.ETag || stat.Size != info.Size || !stat.LastModified.Equal(info.LastModified) {
			t.Fatalf("stat %q = %+v, %v; open said %+v", c.key, stat, err, info)
		}
		if !sameCalls(st.calls, c.want) {
			t.Errorf("Stat(%q) read the store %v, want %v", c.key, st.calls, c.want)
		}
	}

	headBucket()
	if _, err := l.Stat(ctx, testBucket, "missing"); !errors.Is(err, s3err.NoSuchKey) {
		t.Fatalf("stat of a missing key: %v", err)
	}
	if want := map[string]int{"LookupLinked": 2}; !sameCalls(st.calls, want) {
		t.Errorf("Stat of a missing key read the store %v, want %v", st.calls, want)
	}
}

func sameCalls(got, want map[string]int) bool {
	for op, n := range got {
		if n != want[op] {
			return false
		}
	}
	for op, n := range want {
		if got[op] != n {
			return false
		}
	}
	return true
}
