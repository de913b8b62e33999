package objects

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/redistest"
)

// BenchmarkLeasedPut measures what a conditional PUT costs over an
// unconditional one with leases on (both take the key's lease; the
// conditional one also checks), and both over no leases. Keys are fresh so
// every If-None-Match PUT succeeds. Compare ns/op:
//
//	go test ./store/objects -run '^$' -bench LeasedPut
func BenchmarkLeasedPut(b *testing.B) {
	r := redistest.Start(b)
	body := strings.Repeat("x", 4096)
	for _, tc := range []struct {
		name        string
		leases      bool
		ifNoneMatch bool
	}{
		{"no-leases/unconditional", false, false},
		{"leases/unconditional", true, false},
		{"leases/if-none-match", true, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := r
			if !tc.leases {
				srv = nil
			}
			reps, _ := newReplicas(b, srv, 1, 300*time.Millisecond)
			l := reps[0].layer
			// Each of the lease groups' epochs starts (one TTL of waiting)
			// on its first use in a Redis: warm (almost surely) all of them
			// in parallel, untimed.
			var wg sync.WaitGroup
			for w := range 64 {
				wg.Go(func() {
					for i := w; i < 2048; i += 64 {
						if err := putIfNoneMatch(b.Context(), l, fmt.Sprintf("warm/%d", i), body); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				in := PutInput{Bucket: testBucket, Key: fmt.Sprintf("k/%d", i), Body: strings.NewReader(body), Size: int64(len(body)), IfNoneMatchStar: tc.ifNoneMatch}
				if _, err := l.Put(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
