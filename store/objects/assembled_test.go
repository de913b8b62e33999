package objects

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// assembleKey writes parts as transient files in key's PartDir and moves
// them onto one transient file, as a multipart Complete does.
func assembleKey(t *testing.T, l *Layer, st store.Store, key string, parts ...string) (store.Transient, []AssembledPart) {
	t.Helper()
	ctx := t.Context()
	dir, err := l.PartDir(ctx, testBucket, key)
	if err != nil {
		t.Fatalf("PartDir(%q): %v", key, err)
	}
	whole, err := st.CreateTransient(ctx, dir, "mpu:test")
	if err != nil {
		t.Fatal(err)
	}
	var sizes []AssembledPart
	for i, p := range parts {
		pt, err := st.CreateTransient(ctx, dir, "mpu:test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Append(ctx, pt, strings.NewReader(p)); err != nil {
			t.Fatal(err)
		}
		if err := st.MoveData(ctx, whole, pt); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, AssembledPart{Size: int64(len(p)), Checksum: "sum" + strconv.Itoa(i+1)})
	}
	return whole, sizes
}

func readObject(t *testing.T, l *Layer, key string) (ObjectInfo, string) {
	t.Helper()
	obj, err := l.Open(t.Context(), testBucket, key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer obj.Close()
	r, err := obj.File.NewReader(0, obj.File.Size())
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return obj.Info, string(b)
}

func TestLinkAssembled(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	for _, key := range []string{"plain", "deep/er/key", "a", "a/b"} {
		whole, sizes := assembleKey(t, l, st, key, "one,", "two,", "three")
		md := Metadata{ContentType: "text/plain", User: map[string]string{"k": "v"}}
		info, err := l.LinkAssembled(ctx, testBucket, key, whole, md, "abc-3", sizes, Conditions{})
		if err != nil {
			t.Fatalf("LinkAssembled(%q): %v", key, err)
		}
		if info.Size != 13 || info.ETag != "abc-3" {
			t.Fatalf("info %+v", info)
		}
		if hasRecordFile(t, l, info.FileID) {
			// The local store keeps the record as the file's attribute,
			// set by the link itself.
			t.Errorf("%q: Complete wrote a record file", key)
		}
		got, body := readObject(t, l, key)
		if body != "one,two,three" || got.ETag != "abc-3" || !slices.Equal(got.PartSizes, []int64{4, 4, 5}) ||
			!slices.Equal(got.PartChecksums, []string{"sum1", "sum2", "sum3"}) ||
			got.Metadata.ContentType != "text/plain" || got.Metadata.User["k"] != "v" {
			t.Fatalf("%q read back %+v %q", key, got, body)
		}
	}
	// "a" became a prefix of "a/b" and must still be listed and readable.
	page, err := l.List(ctx, ListInput{Bucket: testBucket, MaxKeys: 10})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range page.Objects {
		keys = append(keys, o.Key)
	}
	if !slices.Equal(keys, []string{"a", "a/b", "deep/er/key", "plain"}) {
		t.Fatalf("listing %v", keys)
	}
}

func TestLinkAssembledReplacesAndChecksConditions(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	old := mustPut(t, l, "k", "old")

	whole, sizes := assembleKey(t, l, st, "k", "new")
	_, err := l.LinkAssembled(ctx, testBucket, "k", whole, Metadata{}, "e-1", sizes, Conditions{IfNoneMatchStar: true})
	if !errors.Is(err, s3err.PreconditionFailed) {
		t.Fatalf("If-None-Match * over an existing key = %v", err)
	}
	_, err = l.LinkAssembled(ctx, testBucket, "k", whole, Metadata{}, "e-1", sizes, Conditions{IfMatch: "nope"})
	if !errors.Is(err, s3err.PreconditionFailed) {
		t.Fatalf("If-Match with a wrong ETag = %v", err)
	}
	if _, body := readObject(t, l, "k"); body != "old" {
		t.Fatalf("failed conditional write changed the object: %q", body)
	}
	if _, err := l.LinkAssembled(ctx, testBucket, "k", whole, Metadata{}, "e-1", sizes, Conditions{IfMatch: old.ETag}); err != nil {
		t.Fatal(err)
	}
	if info, body := readObject(t, l, "k"); body != "new" || info.ETag != "e-1" {
		t.Fatalf("after replace: %+v %q", info, body)
	}
}

func TestBucketLifecycleStorage(t *testing.T) {
	l, _ := newTestLayer(t)
	ctx := t.Context()
	if _, err := l.BucketLifecycle(ctx, testBucket); !errors.Is(err, s3err.NoSuchLifecycleConfiguration) {
		t.Fatalf("before set: %v", err)
	}
	if err := l.SetBucketLifecycle(ctx, testBucket, []byte("<doc/>")); err != nil {
		t.Fatal(err)
	}
	if doc, err := l.BucketLifecycle(ctx, testBucket); err != nil || string(doc) != "<doc/>" {
		t.Fatalf("read back %q, %v", doc, err)
	}
	if err := l.SetBucketLifecycle(ctx, testBucket, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := l.BucketLifecycle(ctx, testBucket); !errors.Is(err, s3err.NoSuchLifecycleConfiguration) {
		t.Fatalf("after delete: %v", err)
	}
	// The configuration does not keep an empty bucket from being deleted.
	if err := l.SetBucketLifecycle(ctx, testBucket, []byte("<doc/>")); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteBucket(ctx, testBucket); err != nil {
		t.Fatalf("DeleteBucket with a lifecycle: %v", err)
	}
}
