package ternfs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/store"
)

// BenchmarkCompleteCost measures, on a real cluster, what a multipart
// Complete costs: moving parts' spans onto the object's file and linking
// it. Complete moves metadata only, so its time must follow the number of
// spans, not the bytes: 10 parts of 16 MiB against 10 parts of 5 MiB (one
// span each, goal ≤ 1.2×), and 100 parts against 10 of the same size
// (≈ 10×, the shard round trips). Rounds are interleaved and the ratios
// are medians over rounds, measured in one run because the machines are
// shared and noisy. It also counts the block writes issued during the
// Completes: there must be none.
//
//	TERNFS_REGISTRY=127.0.0.1:10001 go test ./store/ternfs -run '^$' -bench CompleteCost -benchtime 3x
func BenchmarkCompleteCost(b *testing.B) {
	regs := os.Getenv("TERNFS_REGISTRY")
	if regs == "" {
		b.Skip("TERNFS_REGISTRY not set (host:port[,...]): this benchmark needs a running TernFS cluster")
	}
	ctx := context.Background()
	s, err := Open(ctx, Options{
		Registry: strings.Split(regs, ","),
		Root:     fmt.Sprintf("/terngate-bench/complete-%d", time.Now().UnixNano()),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if s.spanSize < 16<<20 {
		b.Fatalf("span size %d: a 16 MiB part would not be one span", s.spanSize)
	}
	bodies := map[int][]byte{5 << 20: storeTestBytes(5<<20, 1), 16 << 20: storeTestBytes(16<<20, 2)}
	writeParts := func(n, size int) []store.Transient {
		parts := make([]store.Transient, n)
		for i := range parts {
			t, err := s.CreateTransient(ctx, s.Root(), "mpu:bench")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Append(ctx, t, bytes.NewReader(bodies[size])); err != nil {
				b.Fatal(err)
			}
			parts[i] = t
		}
		return parts
	}
	var name int
	complete := func(parts []store.Transient) (time.Duration, uint64) {
		writesBefore := s.client.BlockWrites()
		start := time.Now()
		whole, err := s.CreateTransient(ctx, s.Root(), "mpu:bench")
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range parts {
			if err := s.MoveData(ctx, whole, p); err != nil {
				b.Fatal(err)
			}
		}
		name++
		if _, err := s.LinkFile(ctx, whole, s.Root(), fmt.Sprintf("object-%d", name)); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		writes := s.client.BlockWrites() - writesBefore
		for _, p := range parts {
			_ = s.ScrapTransient(ctx, p)
		}
		return took, writes
	}
	var big, small, hundred []float64
	var writesDuringComplete uint64
	round := 0
	for b.Loop() {
		// All parts first, then a pause, so that no Complete is timed
		// while the cluster still digests the writes; the order of the
		// three Completes rotates from round to round.
		sets := [][]store.Transient{writeParts(10, 16<<20), writeParts(10, 5<<20), writeParts(100, 5<<20)}
		time.Sleep(3 * time.Second)
		took := make([]time.Duration, len(sets))
		for k := range sets {
			i := (k + round) % len(sets)
			var w uint64
			took[i], w = complete(sets[i])
			writesDuringComplete += w
		}
		round++
		big = append(big, took[0].Seconds()/took[1].Seconds())
		hundred = append(hundred, took[2].Seconds()/took[1].Seconds())
		small = append(small, took[1].Seconds())
	}
	b.ReportMetric(median(big), "16MiB/5MiB-parts-ratio")
	b.ReportMetric(median(hundred), "100/10-parts-ratio")
	b.ReportMetric(median(small)*1000, "ms/10-part-complete")
	b.ReportMetric(float64(writesDuringComplete), "block-writes-during-complete")
	if writesDuringComplete != 0 {
		b.Errorf("Completes issued %d block writes: they must move metadata only", writesDuringComplete)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
