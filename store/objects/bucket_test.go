package objects

import (
	"errors"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
)

func TestBucketNames(t *testing.T) {
	valid := []string{"abc", "my-bucket", "my.bucket.1", "123", strings.Repeat("a", 63)}
	invalid := []string{"", "ab", strings.Repeat("a", 64), "Abc", "a_b", "-abc", "abc-", ".abc", "abc.", "a..b",
		"192.168.1.1", "xn--abc", "sthree-abc", "abc-s3alias", "abc--ol-s3", "a b", "%_meta"}
	for _, n := range valid {
		if !validBucketName(n) {
			t.Errorf("%q rejected", n)
		}
	}
	for _, n := range invalid {
		if validBucketName(n) {
			t.Errorf("%q accepted", n)
		}
	}
}

func TestBucketLifecycle(t *testing.T) {
	l, st := newTestLayer(t)
	ctx := t.Context()
	if err := l.CreateBucket(ctx, "Bad_Name", "owner"); !errors.Is(err, s3err.InvalidBucketName) {
		t.Fatalf("bad name: %v", err)
	}
	if err := l.CreateBucket(ctx, testBucket, "owner"); !errors.Is(err, s3err.BucketAlreadyOwnedByYou) {
		t.Fatalf("recreate by owner: %v", err)
	}
	if err := l.CreateBucket(ctx, testBucket, "someone"); !errors.Is(err, s3err.BucketAlreadyExists) {
		t.Fatalf("recreate by other: %v", err)
	}
	if err := l.CreateBucket(ctx, "zeta", "other"); err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket(ctx, "alpha", "owner"); err != nil {
		t.Fatal(err)
	}
	// A directory made by another client is listed (not a bucket record) and
	// adopted by CreateBucket.
	if _, err := st.MakeDirectory(ctx, st.Root(), "foreign-dir"); err != nil {
		t.Fatal(err)
	}
	buckets, err := l.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range buckets {
		names = append(names, b.Name)
		if b.CreationTime.IsZero() {
			t.Errorf("bucket %q has no creation time", b.Name)
		}
	}
	if strings.Join(names, ",") != "alpha,bucket,foreign-dir,zeta" {
		t.Fatalf("buckets = %q", names)
	}
	if err := l.CreateBucket(ctx, "foreign-dir", "me"); err != nil {
		t.Fatalf("adopt: %v", err)
	}
	if info, err := l.HeadBucket(ctx, "foreign-dir"); err != nil || info.Owner != "me" {
		t.Fatalf("head adopted: %+v %v", info, err)
	}
	if info, err := l.HeadBucket(ctx, "zeta"); err != nil || info.Owner != "other" || info.Name != "zeta" {
		t.Fatalf("head: %+v %v", info, err)
	}
	if _, err := l.HeadBucket(ctx, "missing"); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("head missing: %v", err)
	}

	mustPut(t, l, "deep/key/here", "x")
	mustPut(t, l, "deep/key/", "")
	if err := l.DeleteBucket(ctx, testBucket); !errors.Is(err, s3err.BucketNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	mustDelete(t, l, "deep/key/here")
	if err := l.DeleteBucket(ctx, testBucket); !errors.Is(err, s3err.BucketNotEmpty) {
		t.Fatalf("delete bucket holding a marker: %v", err)
	}
	mustDelete(t, l, "deep/key/")
	addEmptyDirectories(t, l, st) // leftovers do not count
	if err := l.DeleteBucket(ctx, testBucket); err != nil {
		t.Fatalf("delete empty: %v", err)
	}
	if _, err := l.HeadBucket(ctx, testBucket); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("head deleted: %v", err)
	}
	if err := l.DeleteBucket(ctx, testBucket); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("delete deleted: %v", err)
	}
	if _, err := l.List(ctx, ListInput{Bucket: testBucket, MaxKeys: 1}); !errors.Is(err, s3err.NoSuchBucket) {
		t.Fatalf("list deleted: %v", err)
	}
	// Recreated, it is empty and usable.
	if err := l.CreateBucket(ctx, testBucket, "new-owner"); err != nil {
		t.Fatal(err)
	}
	mustBeMissing(t, l, "deep/key/")
	mustPut(t, l, "deep/key/here", "again")
	mustGet(t, l, "deep/key/here", "again")
}
