package local

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkInlinePutWriters measures the store side of a 4 KiB PUT (one
// inline link, one transaction) with 1 to 16 writers at once: the writes
// per second the commit path allows, and how many writes share a commit.
func BenchmarkInlinePutWriters(b *testing.B) {
	body := make([]byte, 4096)
	for _, writers := range []int{1, 4, 8, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := newTestStore(b)
			ctx := context.Background()
			var started atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; started.Add(1) <= int64(b.N); i++ {
						name := fmt.Sprintf("w%d-%d", w, i%8)
						if _, err := s.LinkInlineFile(ctx, s.Root(), name, body, nil); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(s.writer.commits.Load())/float64(b.N), "commits/op")
		})
	}
}
