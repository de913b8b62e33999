package multipart

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// BenchmarkCompletePartSize measures Complete of a 1,000-part upload on the
// embedded local store, with 1 MiB and with 10 MiB parts, in the same run,
// and reports both times and their ratio (goal: ≤ 1.2, since assembly only
// moves metadata). Every iteration writes 11 GiB of parts (untimed) and
// takes about a minute on a 300 MB/s disk: run it with -benchtime=1x.
func BenchmarkCompletePartSize(b *testing.B) {
	const parts = 1000
	sizes := []int64{1 << 20, 10 << 20}
	times := make([]time.Duration, len(sizes))
	for b.Loop() {
		for i, size := range sizes {
			b.StopTimer()
			m, l := benchManager(b)
			in := preparedUpload(b, m, parts, size)
			b.StartTimer()
			start := time.Now()
			if _, err := m.Complete(context.Background(), in); err != nil {
				b.Fatalf("Complete of %d × %d: %v", parts, size, err)
			}
			times[i] += time.Since(start)
			b.StopTimer()
			if err := l.Delete(context.Background(), "bkt", in.Key); err != nil {
				b.Fatalf("delete: %v", err)
			}
			b.StartTimer()
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(times[0].Milliseconds())/n, "ms-complete-1000x1MiB")
	b.ReportMetric(float64(times[1].Milliseconds())/n, "ms-complete-1000x10MiB")
	b.ReportMetric(float64(times[1])/float64(times[0]), "ratio-10MiB/1MiB")
}

func benchManager(b *testing.B) (*Manager, *objects.Layer) {
	b.Helper()
	st, err := local.Open(b.TempDir(), local.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	l, err := objects.New(context.Background(), st, st.Root(), objects.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := l.CreateBucket(context.Background(), "bkt", "me"); err != nil {
		b.Fatal(err)
	}
	tr, err := OpenEmbedded(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tr.Close() })
	return NewManager(st, l, tr, Options{MinPartSize: 1}), l // 1 MiB parts are below S3's minimum
}

// preparedUpload uploads parts parts of size bytes and returns the
// Complete that lists them all.
func preparedUpload(b *testing.B, m *Manager, parts int, size int64) CompleteInput {
	b.Helper()
	ctx := context.Background()
	key := fmt.Sprintf("dir/obj-%d", size)
	u, err := m.Create(ctx, CreateInput{Bucket: "bkt", Key: key, Owner: "me"})
	if err != nil {
		b.Fatal(err)
	}
	in := CompleteInput{Bucket: "bkt", Key: key, UploadID: u.ID, ObjectSize: -1}
	for n := 1; n <= parts; n++ {
		p, err := m.UploadPart(ctx, PartInput{Bucket: "bkt", Key: key, UploadID: u.ID, Number: n,
			Body: io.LimitReader(fill(byte(n)), size), Size: size})
		if err != nil {
			b.Fatalf("part %d: %v", n, err)
		}
		in.Parts = append(in.Parts, CompletePart{Number: n, ETag: p.ETag})
	}
	return in
}

// fill is an endless reader of one byte value.
type fill byte

func (f fill) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f)
	}
	return len(p), nil
}
