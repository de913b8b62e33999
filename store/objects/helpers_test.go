package objects

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

const testBucket = "bucket"

// fastTempDir is a temporary directory on tmpfs when there is one: the local
// store syncs every write, which costs milliseconds on a disk and nothing in
// memory, and these tests are about the mapping, not durability.
func fastTempDir(t testing.TB) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "objects-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// newTestLayer opens a local store in a temporary directory and a layer over
// it with one bucket, testBucket.
func newTestLayer(t *testing.T) (*Layer, *local.Store) {
	t.Helper()
	st, err := local.Open(fastTempDir(t), local.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	l, err := New(t.Context(), st, st.Root(), Options{})
	if err != nil {
		t.Fatalf("new layer: %v", err)
	}
	if err := l.CreateBucket(t.Context(), testBucket, "owner"); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return l, st
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func mustPut(t *testing.T, l *Layer, key, body string) ObjectInfo {
	t.Helper()
	info, err := l.Put(t.Context(), PutInput{Bucket: testBucket, Key: key, Body: strings.NewReader(body), Size: int64(len(body))})
	if err != nil {
		t.Fatalf("put %q: %v", key, err)
	}
	if info.ETag != md5hex(body) || info.Size != int64(len(body)) {
		t.Fatalf("put %q: info %+v", key, info)
	}
	return info
}

// get reads a whole object.
func get(ctx context.Context, l *Layer, key string) (string, ObjectInfo, error) {
	obj, err := l.Open(ctx, testBucket, key)
	if err != nil {
		return "", ObjectInfo{}, err
	}
	defer obj.Close()
	r, err := obj.File.NewReader(0, obj.File.Size())
	if err != nil {
		return "", ObjectInfo{}, err
	}
	b, err := io.ReadAll(r)
	return string(b), obj.Info, err
}

func mustGet(t *testing.T, l *Layer, key, want string) {
	t.Helper()
	got, info, err := get(t.Context(), l, key)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	if got != want || info.Key != key || info.Size != int64(len(want)) {
		t.Fatalf("get %q: body %q info %+v, want %q", key, got, info, want)
	}
	if !info.Foreign && info.ETag != md5hex(want) {
		t.Fatalf("get %q: etag %s, want md5 %s", key, info.ETag, md5hex(want))
	}
	st, err := l.Stat(t.Context(), testBucket, key)
	if err != nil || st.ETag != info.ETag || st.Size != info.Size {
		t.Fatalf("stat %q: %+v %v, open said %+v", key, st, err, info)
	}
}

func mustBeMissing(t *testing.T, l *Layer, key string) {
	t.Helper()
	if _, err := l.Stat(t.Context(), testBucket, key); !errors.Is(err, s3err.NoSuchKey) {
		t.Fatalf("stat %q: %v, want NoSuchKey", key, err)
	}
	if _, err := l.Open(t.Context(), testBucket, key); !errors.Is(err, s3err.NoSuchKey) {
		t.Fatalf("open %q: %v, want NoSuchKey", key, err)
	}
}

func mustDelete(t *testing.T, l *Layer, key string) {
	t.Helper()
	if err := l.Delete(t.Context(), testBucket, key); err != nil {
		t.Fatalf("delete %q: %v", key, err)
	}
}

// listAll lists every key of the bucket in one go.
func listAll(t *testing.T, l *Layer) []string {
	t.Helper()
	out, err := l.List(t.Context(), ListInput{Bucket: testBucket, MaxKeys: 1 << 30})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	keys := make([]string, len(out.Objects))
	for i, o := range out.Objects {
		keys[i] = o.Key
	}
	return keys
}

// bucketDirCount counts the directories below the bucket, internal ones
// excluded, to check that pruning leaves nothing behind.
func bucketDirCount(t *testing.T, l *Layer, st store.Store) int {
	t.Helper()
	bid, err := l.bucketID(t.Context(), testBucket)
	if err != nil {
		t.Fatal(err)
	}
	var count func(store.ID) int
	count = func(dir store.ID) int {
		n := 0
		entries, err := readAll(t.Context(), st, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Dir && e.Name != metaDirName {
				n += 1 + count(e.ID)
			}
		}
		return n
	}
	return count(bid)
}

func hexDecode(s string) ([]byte, error) { return hex.DecodeString(s) }
