package workload

import (
	"errors"
	"slices"
	"time"
)

// Result is what one run achieved.
type Result struct {
	Ops          int64   `json:"ops"`
	Bytes        int64   `json:"bytes"`
	Seconds      float64 `json:"seconds"`
	OpsPerSecond float64 `json:"ops_per_second"`
	MiBPerSecond float64 `json:"mib_per_second"`
	Latency      Latency `json:"latency_ms"`
	Interrupted  bool    `json:"interrupted,omitempty"`

	// latencies are the raw samples, kept so results of several rounds
	// can be combined into true percentiles, not averages of them.
	latencies []time.Duration
}

func newResult(ops, bytes int64, elapsed time.Duration, latencies []time.Duration) Result {
	secs := elapsed.Seconds()
	return Result{
		Ops:          ops,
		Bytes:        bytes,
		Seconds:      secs,
		OpsPerSecond: Rate(float64(ops), secs),
		MiBPerSecond: Rate(float64(bytes)/(1<<20), secs),
		Latency:      Summarize(latencies),
		latencies:    latencies,
	}
}

// Rate is amount per second, or 0 for no time (JSON has no infinity).
func Rate(amount, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return amount / seconds
}

// ErrNoOps is returned by Combine when given nothing to combine.
var ErrNoOps = errors.New("workload: no results to combine")

// Combine sums runs of the same workload (rounds): rates are total amount
// over total time, so every round weighs by its length, and percentiles are
// taken over every sample.
func Combine(results ...Result) (Result, error) {
	if len(results) == 0 {
		return Result{}, ErrNoOps
	}
	var ops, bytes int64
	var secs float64
	var all []time.Duration
	interrupted := false
	for _, r := range results {
		ops += r.Ops
		bytes += r.Bytes
		secs += r.Seconds
		all = append(all, r.latencies...)
		interrupted = interrupted || r.Interrupted
	}
	c := newResult(ops, bytes, time.Duration(secs*float64(time.Second)), all)
	c.Seconds = secs // exact, not rounded through a Duration
	c.Interrupted = interrupted
	return c, nil
}

// Latency summarises a distribution, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Summarize computes the percentiles of samples (nearest rank) and their
// mean, in milliseconds; all zero for no samples.
func Summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	var sum time.Duration
	for _, d := range sorted {
		sum += d
	}
	return Latency{
		P50:  ms(Percentile(sorted, 50)),
		P90:  ms(Percentile(sorted, 90)),
		P99:  ms(Percentile(sorted, 99)),
		Max:  ms(sorted[len(sorted)-1]),
		Mean: ms(sum / time.Duration(len(sorted))),
	}
}

// Percentile is the nearest-rank p-th percentile of sorted samples: the
// smallest sample with at least p% of samples at or below it. It is always
// a latency that was observed.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999999) // ceil without float noise
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
