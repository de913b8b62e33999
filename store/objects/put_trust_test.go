package objects

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/terngate/terngate/store"
)

// A small PUT into a directory takes the directory's ID from the cache
// without looking it up (one shard request less on TernFS), and writes its
// body again in a directory resolved afresh when the link finds the cached
// one gone. These tests make another gateway prune the directory and make
// it again under a new ID behind the writer's back; the write must land,
// whole, where every gateway sees it.

func TestPutIntoDirectoryPrunedByAnotherGateway(t *testing.T) {
	a, st := newTestLayer(t)
	testPutIntoPrunedDirectory(t, a, st, st)
}

// Over record files a small body takes the transient-file path
// (putReplayable) rather than the inline one.
func TestPutIntoDirectoryPrunedByAnotherGatewayWithRecordFiles(t *testing.T) {
	a, st := newRecordFileLayer(t)
	testPutIntoPrunedDirectory(t, a, recordFileStore{st}, st)
}

func TestPutIntoDirectoryPrunedByAnotherGatewayOnTernFS(t *testing.T) {
	a, st := newTernFSTestLayer(t)
	testPutIntoPrunedDirectory(t, a, st, st)
}

func testPutIntoPrunedDirectory(t *testing.T, a *Layer, view store.Store, st store.Store) {
	ctx := t.Context()
	b := anotherGateway(t, view, st)
	bid, err := a.bucketID(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	dirID := func() store.ID {
		t.Helper()
		e, err := st.Lookup(ctx, bid, "d")
		if err != nil {
			t.Fatalf("look up d: %v", err)
		}
		return e.ID
	}
	// pruneAndRemake has b delete d's objects, which prunes d, and put
	// another, which makes d again under a new ID.
	pruneAndRemake := func(next string, objects ...string) {
		t.Helper()
		before := dirID()
		for _, key := range objects {
			mustDelete(t, b, key)
		}
		if _, err := st.Lookup(ctx, bid, "d"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("d after its objects were deleted: %v, want it pruned", err)
		}
		mustPut(t, b, next, "from b")
		if dirID() == before {
			t.Fatal("d was made again under its old ID: the test proves nothing")
		}
	}
	put := func(key string, body []byte) {
		t.Helper()
		if _, err := a.Put(ctx, PutInput{Bucket: testBucket, Key: key, Body: bytes.NewReader(body), Size: int64(len(body))}); err != nil {
			t.Fatalf("put %q (%d bytes) into a directory pruned and made again: %v", key, len(body), err)
		}
	}
	small := bytes.Repeat([]byte("s"), 4<<10)
	large := bytes.Repeat([]byte("L"), replayableBodySize+1)

	mustPut(t, a, "d/first", "from a") // a caches d
	pruneAndRemake("d/b1", "d/first")
	put("d/small", small)
	mustGet(t, b, "d/small", string(small))
	if got, want := listAll(t, b), []string{"d/b1", "d/small"}; !slices.Equal(got, want) {
		t.Fatalf("b lists %q, want %q", got, want)
	}

	pruneAndRemake("d/b2", "d/b1", "d/small")
	put("d/large", large)
	mustGet(t, b, "d/large", string(large))
	if got, want := listAll(t, b), []string{"d/b2", "d/large"}; !slices.Equal(got, want) {
		t.Fatalf("b lists %q, want %q", got, want)
	}
}

// TestListFollowsBucketMadeAgainByAnotherGateway: a listing takes the
// bucket's directory from the cache HeadBucket fills; when another gateway
// has deleted the bucket and made it again, the listing must show the new
// bucket's keys, not an empty page from the removed directory.
func TestListFollowsBucketMadeAgainByAnotherGateway(t *testing.T) {
	a, st := newTestLayer(t)
	testListFollowsBucketMadeAgain(t, a, hashOrderStore{st}, st)
}

func TestListFollowsBucketMadeAgainByAnotherGatewayOnTernFS(t *testing.T) {
	a, st := newTernFSTestLayer(t)
	testListFollowsBucketMadeAgain(t, a, st, st)
}

func testListFollowsBucketMadeAgain(t *testing.T, a *Layer, view store.Store, st store.Store) {
	ctx := t.Context()
	b := anotherGateway(t, view, st)
	mustPut(t, a, "old", "x")
	// HeadBucket, which every request makes first, caches the directory.
	if _, err := a.HeadBucket(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if _, fromCache, err := a.cachedBucketID(ctx, testBucket); err != nil || !fromCache {
		t.Fatalf("HeadBucket left the bucket's directory uncached (cached %v, %v)", fromCache, err)
	}
	if got := listAll(t, a); !slices.Equal(got, []string{"old"}) {
		t.Fatalf("a lists %q, want [old]", got)
	}
	mustDelete(t, b, "old")
	if err := b.DeleteBucket(ctx, testBucket); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateBucket(ctx, testBucket, "owner"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, "new", "y")
	if got := listAll(t, a); !slices.Equal(got, []string{"new"}) {
		t.Fatalf("a lists %q after b made the bucket again, want [new]", got)
	}
}

// anotherGateway is a second layer over st (seen through view), as another
// gateway over the same store: it shares no cache with the first.
func anotherGateway(t *testing.T, view, st store.Store) *Layer {
	t.Helper()
	l, err := New(t.Context(), view, st.Root(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}
