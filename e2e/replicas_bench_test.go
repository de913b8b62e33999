package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkReplicasConditionalPut measures what a cross-replica decision
// costs a conditional write: b.N PUTs of 4 KiB objects with If-None-Match:
// * and b.N without, each on fresh keys spread over three replicas, in
// the same run and interleaved in rounds (so a neighbour's load falls on
// both). It reports each rate and conditional ÷ unconditional.
//
//	TERNFS_REGISTRY=127.0.0.1:10001 go test ./e2e -run '^$' -bench ReplicasConditionalPut -benchtime 600x
func BenchmarkReplicasConditionalPut(b *testing.B) {
	rs := startReplicaSet(b, stormReplicas, nil)
	createBucketSDK(b, rs.gws[0].sdkClient(), "bench")
	ctx := testContext(b, 30*time.Minute)
	body := patternBytes(4, 4<<10)
	const rounds, inFlight = 4, 12
	var plain, conditional time.Duration
	b.ResetTimer()
	for round := range rounds {
		n := b.N / rounds
		if round == rounds-1 {
			n = b.N - n*(rounds-1)
		}
		plain += putBurst(ctx, b, rs.gws, fmt.Sprintf("plain/%d", round), n, inFlight, body, nil)
		conditional += putBurst(ctx, b, rs.gws, fmt.Sprintf("conditional/%d", round), n, inFlight, body, ifNoneMatchStar())
	}
	b.StopTimer()
	plainRate := float64(b.N) / plain.Seconds()
	conditionalRate := float64(b.N) / conditional.Seconds()
	b.ReportMetric(plainRate, "plain-PUT/s")
	b.ReportMetric(conditionalRate, "conditional-PUT/s")
	b.ReportMetric(conditionalRate/plainRate, "conditional/plain")
}

// putBurst PUTs n fresh keys under prefix, inFlight at a time, key i on
// replica i mod len(gws), and returns how long it took. Every PUT must
// succeed.
func putBurst(ctx context.Context, b *testing.B, gws []*gateway, prefix string, n, inFlight int, body []byte, header http.Header) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	started := time.Now()
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if a := putRaw(ctx, gws[i%len(gws)], "bench", fmt.Sprintf("%s/%06d", prefix, i), body, header); !a.ok() {
					b.Errorf("PUT %s/%06d: %s %.300s", prefix, i, a, a.body)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(started)
}
