package objects

import (
	"errors"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// TestHeadBucketCacheFollowsAnotherGateway: two layers over one store are
// two gateways over one cluster. The first caches the bucket's directory;
// the second deletes the bucket, and then makes it again for another
// owner. The first must see each change at once (NoSuchBucket, then the
// new owner): its cached directory is gone (store.ErrDirectoryGone) and it
// resolves the bucket again.
func TestHeadBucketCacheFollowsAnotherGateway(t *testing.T) {
	a, st := newTestLayer(t)
	b, err := New(t.Context(), st, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if info, err := a.HeadBucket(ctx, testBucket); err != nil || info.Owner != "owner" {
		t.Fatalf("HeadBucket: %+v, %v", info, err)
	}
	if _, ok := a.buckets.entries.get(testBucket); !ok {
		t.Fatal("HeadBucket did not cache the bucket's directory")
	}
	if err := b.DeleteBucket(ctx, testBucket); err != nil {
		t.Fatalf("DeleteBucket on the other layer: %v", err)
	}
	if _, err := a.HeadBucket(ctx, testBucket); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("HeadBucket after the other layer deleted the bucket: %v, want NoSuchBucket", err)
	}
	if err := a.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.HeadBucket(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteBucket(ctx, testBucket); err != nil {
		t.Fatalf("DeleteBucket on the other layer: %v", err)
	}
	if err := b.CreateBucket(ctx, testBucket, "someone else"); err != nil {
		t.Fatal(err)
	}
	if info, err := a.HeadBucket(ctx, testBucket); err != nil || info.Owner != "someone else" {
		t.Fatalf("HeadBucket after the other layer made the bucket again: %+v, %v; want owner %q", info, err, "someone else")
	}
}

// TestStoreSaysDirectoryGone: the local store reports a request in a
// removed directory as store.ErrDirectoryGone (which the cache above
// relies on), and a missing name in a live one as store.ErrNotFound only.
func TestStoreSaysDirectoryGone(t *testing.T) {
	_, st := newTestLayer(t)
	ctx := t.Context()
	dir, err := st.MakeDirectory(ctx, st.Root(), "d")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Lookup(ctx, dir, "x"); !errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDirectoryGone) {
		t.Fatalf("Lookup of a missing name: %v", err)
	}
	if err := st.RemoveDirectory(ctx, st.Root(), "d"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Lookup(ctx, dir, "x"); !errors.Is(err, store.ErrDirectoryGone) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Lookup in a removed directory: %v; want store.ErrDirectoryGone and store.ErrNotFound", err)
	}
}

// TestReadsFollowABucketMadeAgainByAnotherGateway: reads and deletes take
// the bucket's directory from the cache HeadBucket filled (no lookup of
// their own). When another gateway has deleted the bucket and made it
// again, the cached directory is gone (store.ErrDirectoryGone), and they
// must resolve the bucket afresh and find its objects, never answer
// NoSuchKey for a key that exists, even with no HeadBucket in between.
func TestReadsFollowABucketMadeAgainByAnotherGateway(t *testing.T) {
	a, st := newTestLayer(t)
	b, err := New(t.Context(), st, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := a.HeadBucket(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteBucket(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, "dir/k", "new bucket")
	mustPut(t, b, "k", "top")
	mustGet(t, a, "dir/k", "new bucket")
	if _, err := a.Stat(ctx, testBucket, "k"); err != nil {
		t.Fatalf("Stat through the stale cache: %v", err)
	}
	if _, ok := a.buckets.entries.get(testBucket); ok {
		t.Fatal("the removed bucket directory is still cached")
	}
	if _, err := a.HeadBucket(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteBucket(ctx, testBucket); !errors.Is(err, s3err.BucketNotEmpty) {
		t.Fatalf("DeleteBucket of a bucket with objects: %v", err)
	}
	mustDelete(t, b, "k")
	mustDelete(t, b, "dir/k")
	if err := b.DeleteBucket(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, "k", "again")
	mustDelete(t, a, "k")
	mustBeMissing(t, b, "k")
}
