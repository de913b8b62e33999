package workload

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(s, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	few := []time.Duration{10, 20, 30}
	if got := Percentile(few, 50); got != 20 {
		t.Errorf("p50 of 3 = %v, want 20", got)
	}
	if got := Percentile(few, 99); got != 30 {
		t.Errorf("p99 of 3 = %v, want 30", got)
	}
	if Percentile(nil, 50) != 0 {
		t.Error("empty percentile not 0")
	}
}

func TestSummarizeUnsortedInput(t *testing.T) {
	in := []time.Duration{4 * time.Millisecond, time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	orig := slices.Clone(in)
	l := Summarize(in)
	if l.P50 != 2 || l.Max != 4 || l.Mean != 2.5 || l.P99 != 4 {
		t.Errorf("got %+v", l)
	}
	if !slices.Equal(in, orig) {
		t.Error("Summarize reordered its input")
	}
}

func TestRatesAndCombine(t *testing.T) {
	a := newResult(10, 20<<20, 2*time.Second, []time.Duration{time.Millisecond, 3 * time.Millisecond})
	if a.OpsPerSecond != 5 || a.MiBPerSecond != 10 {
		t.Fatalf("rates %+v", a)
	}
	b := newResult(30, 20<<20, 2*time.Second, []time.Duration{2 * time.Millisecond})
	c, err := Combine(a, b)
	if err != nil {
		t.Fatal(err)
	}
	// Total over total: (10+30) ops / 4 s, 40 MiB / 4 s.
	if c.OpsPerSecond != 10 || c.MiBPerSecond != 10 || c.Ops != 40 || c.Seconds != 4 {
		t.Errorf("combined %+v", c)
	}
	if c.Latency.P50 != 2 || c.Latency.Max != 3 {
		t.Errorf("combined latency %+v, want percentiles over all samples", c.Latency)
	}
	if _, err := Combine(); !errors.Is(err, ErrNoOps) {
		t.Errorf("Combine() = %v", err)
	}
	if Rate(5, 0) != 0 {
		t.Error("rate over zero time must be 0")
	}
}

func TestResultJSONShape(t *testing.T) {
	r := newResult(3, 3<<20, time.Second, []time.Duration{time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ops", "bytes", "seconds", "ops_per_second", "mib_per_second", "latency_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, raw)
		}
	}
	lat, _ := m["latency_ms"].(map[string]any)
	for _, k := range []string{"p50", "p90", "p99", "max", "mean"} {
		if _, ok := lat[k]; !ok {
			t.Errorf("latency_ms lacks %q: %s", k, raw)
		}
	}
	if _, ok := m["interrupted"]; ok {
		t.Errorf("interrupted present on a complete run: %s", raw)
	}
}

func TestRunDoesOneOpPerWorkerWhenTheDurationIsShorter(t *testing.T) {
	var started atomic.Int64
	op := func(ctx context.Context, worker, seq int) (int64, error) {
		started.Add(1)
		time.Sleep(5 * time.Millisecond)
		return 7, nil
	}
	res, err := Run(context.Background(), Config{Concurrency: 3, Duration: time.Nanosecond}, op)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != 3 || started.Load() != 3 || res.Bytes != 21 {
		t.Errorf("%d ops counted, %d started, %d bytes; want 3, 3, 21", res.Ops, started.Load(), res.Bytes)
	}
}

func TestRunCountsOpsAndLetsInFlightFinish(t *testing.T) {
	var started atomic.Int64
	op := func(ctx context.Context, worker, seq int) (int64, error) {
		started.Add(1)
		time.Sleep(20 * time.Millisecond)
		return 1024, nil
	}
	var progressCalls atomic.Int64
	res, err := Run(context.Background(), Config{
		Concurrency: 3, Duration: 150 * time.Millisecond,
		Progress: func(Progress) { progressCalls.Add(1) }, ProgressEvery: 20 * time.Millisecond,
	}, op)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != started.Load() {
		t.Errorf("%d ops counted, %d started: in-flight ops must finish and count", res.Ops, started.Load())
	}
	if res.Ops < 9 || res.Bytes != res.Ops*1024 {
		t.Errorf("result %+v", res)
	}
	if res.Seconds < 0.15 {
		t.Errorf("elapsed %v shorter than the duration", res.Seconds)
	}
	if math.Abs(res.OpsPerSecond-float64(res.Ops)/res.Seconds) > 1e-9 {
		t.Errorf("ops/s %v", res.OpsPerSecond)
	}
	if res.Latency.P50 < 19 {
		t.Errorf("p50 %v ms, want about 20", res.Latency.P50)
	}
	if progressCalls.Load() == 0 {
		t.Error("no progress reported")
	}
}

func TestRunStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	op := func(ctx context.Context, worker, seq int) (int64, error) {
		if seq == 2 {
			return 0, boom
		}
		return 1, nil
	}
	_, err := Run(context.Background(), Config{Concurrency: 2, Duration: 5 * time.Second}, op)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

func TestRunInterruptedReturnsPartialResult(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	op := func(ctx context.Context, worker, seq int) (int64, error) {
		if seq == 3 {
			cancel()
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Millisecond):
			return 1, nil
		}
	}
	res, err := Run(ctx, Config{Concurrency: 1, Duration: 5 * time.Second}, op)
	if err != nil {
		t.Fatalf("interrupt returned %v, want a partial result", err)
	}
	if !res.Interrupted || res.Ops != 3 {
		t.Errorf("result %+v, want 3 ops and interrupted", res)
	}
}
