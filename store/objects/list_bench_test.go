package objects

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// Listing benchmarks for issue #15's shapes: a page of a 1,000-key bucket
// (the yardstick), a page from the middle of a 1,000,000-key bucket and a
// delimiter page over 10,000 prefixes, each as the first listing after the
// bucket changed (a cached whole-directory view does not help then).
//
// Seeding a million keys through PUTs takes most of an hour on a busy
// machine, so: TERNGATE_LIST_BENCH_KEYS sets the big bucket's size (default
// 1,000,000) and TERNGATE_LIST_BENCH_DIR, when set, keeps the seeded stores
// there and reuses them on later runs (and across code versions).

const seedWorkers = 128

func BenchmarkList(b *testing.B) {
	big := 1_000_000
	if v := os.Getenv("TERNGATE_LIST_BENCH_KEYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("TERNGATE_LIST_BENCH_KEYS: %v", err)
		}
		big = n
	}
	flat := func(i int) string { return fmt.Sprintf("key%08d", i) }
	prefixed := func(i int) string { return fmt.Sprintf("prefix%06d/key", i) }
	for _, s := range []struct {
		name  string
		keys  func(int) string
		n     int
		input ListInput
	}{
		{"page-of-1k", flat, 1000, ListInput{MaxKeys: 1000}},
		{fmt.Sprintf("page-of-%d", big), flat, big, ListInput{MaxKeys: 1000, After: flat(big / 2)}},
		{"delimiter-over-10k-prefixes", prefixed, 10_000, ListInput{MaxKeys: 1000, Delimiter: "/", After: prefixed(5000)}},
	} {
		b.Run(s.name, func(b *testing.B) {
			l := seededLayer(b, fmt.Sprintf("%s-%d", strings.SplitN(s.name, "-", 2)[0], s.n), s.keys, s.n)
			ctx := context.Background()
			in := s.input
			in.Bucket = benchBucket
			for b.Loop() {
				b.StopTimer()
				// Change the listed directory (the bucket's), as live
				// buckets do; the key sorts before every page's start.
				if _, err := l.Put(ctx, PutInput{Bucket: benchBucket, Key: "changed", Body: strings.NewReader("")}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				out, err := l.List(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				if got := len(out.Objects) + len(out.CommonPrefixes); got != in.MaxKeys {
					b.Fatalf("page of %d entries, want %d", got, in.MaxKeys)
				}
			}
		})
	}
}

const benchBucket = "bench"

// seededLayer opens (seeding on first use) a local store holding n keys in
// benchBucket.
func seededLayer(b *testing.B, name string, keys func(int) string, n int) *Layer {
	b.Helper()
	dir := filepath.Join(b.TempDir(), name)
	if root := os.Getenv("TERNGATE_LIST_BENCH_DIR"); root != "" {
		dir = filepath.Join(root, name)
	}
	ctx := context.Background()
	st, err := local.Open(dir, local.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	l, err := New(ctx, st, st.Root(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	// The marker file says an earlier run finished seeding.
	marker := filepath.Join(dir, "seeded")
	if _, err := os.Stat(marker); err == nil {
		return l
	}
	if err := l.CreateBucket(ctx, benchBucket, "owner"); err != nil && !errors.Is(err, s3err.BucketAlreadyOwnedByYou) {
		b.Fatal(err)
	}
	b.Logf("seeding %d keys in %s", n, dir)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, seedWorkers)
	for range seedWorkers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if _, err := l.Put(ctx, PutInput{Bucket: benchBucket, Key: keys(i), Body: strings.NewReader("")}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkListDescribe measures the per-key part of a page: reading the
// metadata records of a page of 1,000 objects, with the record cache cold
// (a page of a big bucket, read once) and warm.
func BenchmarkListDescribe(b *testing.B) {
	keys := func(i int) string { return fmt.Sprintf("key%08d", i) }
	l := seededLayer(b, "page-1000", keys, 1000)
	ctx := context.Background()
	bid, err := l.bucketID(ctx, benchBucket)
	if err != nil {
		b.Fatal(err)
	}
	out, err := l.List(ctx, ListInput{Bucket: benchBucket, MaxKeys: 1000})
	if err != nil {
		b.Fatal(err)
	}
	for _, cold := range []bool{true, false} {
		b.Run(fmt.Sprintf("page-of-1000/cold=%v", cold), func(b *testing.B) {
			for b.Loop() {
				if cold {
					b.StopTimer()
					l.records = newLRU[store.ID, record](defaultRecordCacheSize)
					b.StartTimer()
				}
				for _, o := range out.Objects {
					if _, err := l.readRecord(ctx, bid, o.FileID); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
