package objects

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/terngate/terngate/store/local"
)

// Versioning benchmarks on the local store (issue #16): an overwrite in a
// versioned bucket against one in an unversioned bucket (the goal is a
// ratio of at least 0.9), for a body the store keeps inline (in its
// database) and one it keeps in a file, and a page of ListObjectVersions over 100,000
// versions (10,000 keys of 10 versions each), resumed from the middle.

func benchLayer(b *testing.B, versioned bool) *Layer {
	b.Helper()
	st, err := local.Open(fastTempDir(b), local.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	ctx := context.Background()
	l, err := New(ctx, st, st.Root(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := l.CreateBucket(ctx, benchBucket, "owner"); err != nil {
		b.Fatal(err)
	}
	if versioned {
		if err := l.setBucketVersioning(ctx, benchBucket, VersioningEnabled); err != nil {
			b.Fatal(err)
		}
	}
	return l
}

func BenchmarkVersionedOverwrite(b *testing.B) {
	for _, size := range []int{4 << 10, 256 << 10} {
		body := strings.Repeat("x", size)
		for _, versioned := range []bool{false, true} {
			name := fmt.Sprintf("%dKiB/%s", size>>10, map[bool]string{false: "unversioned", true: "versioned"}[versioned])
			b.Run(name, func(b *testing.B) {
				l := benchLayer(b, versioned)
				ctx := context.Background()
				b.SetBytes(int64(size))
				for b.Loop() {
					if _, err := l.Put(ctx, PutInput{Bucket: benchBucket, Key: "dir/key", Body: strings.NewReader(body), Size: int64(size)}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		// The fair baseline for a versioned overwrite: an unversioned
		// bucket whose store grows by one object per write too (a new
		// key each time), so its trees deepen as the versioned one's do.
		b.Run(fmt.Sprintf("%dKiB/unversioned-new-keys", size>>10), func(b *testing.B) {
			l := benchLayer(b, false)
			ctx := context.Background()
			b.SetBytes(int64(size))
			i := 0
			for b.Loop() {
				i++
				if _, err := l.Put(ctx, PutInput{Bucket: benchBucket, Key: fmt.Sprintf("dir/key%08d", i), Body: strings.NewReader(body), Size: int64(size)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListObjectVersions(b *testing.B) {
	const keys, versions = 10_000, 10
	l := benchLayer(b, true)
	ctx := context.Background()
	key := func(i int) string { return fmt.Sprintf("p%03d/key%05d", i%100, i) }
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, seedWorkers)
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < keys; i = int(next.Add(1) - 1) {
				for range versions {
					if _, err := l.Put(ctx, PutInput{Bucket: benchBucket, Key: key(i), Body: strings.NewReader("")}); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	in := ListVersionsInput{Bucket: benchBucket, KeyMarker: "p050/", MaxKeys: 1000}
	for b.Loop() {
		out, err := l.listObjectVersions(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Versions) != in.MaxKeys || !out.IsTruncated {
			b.Fatalf("page of %d versions, truncated %v", len(out.Versions), out.IsTruncated)
		}
	}
}
