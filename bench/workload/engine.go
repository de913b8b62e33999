// Package workload runs one operation over and over from a number of
// concurrent workers for a fixed time and reports what it achieved:
// operations and bytes per second and the latency distribution. It knows
// nothing of S3: callers hand it the operation.
package workload

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Op performs one operation. worker is the caller's index in [0,
// concurrency) and seq counts that worker's operations from 0, so an
// operation can pick its key without shared state. It returns the payload
// bytes it moved.
type Op func(ctx context.Context, worker, seq int) (bytes int64, err error)

// Config says how long and how wide to run.
type Config struct {
	Concurrency int
	Duration    time.Duration
	// Progress, if not nil, is called every ProgressEvery (default 1s)
	// from a single goroutine while the run lasts.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// Progress is a running count.
type Progress struct {
	Elapsed time.Duration
	Ops     int64
	Bytes   int64
}

// Run starts Concurrency workers that each issue operations back to back
// until Duration has passed, every worker at least one: a duration shorter
// than one operation times exactly one per worker, which is how copies of
// very large objects are measured. Operations in flight at the deadline
// are allowed to finish and counted, and the elapsed time runs to the last
// of them: cutting them off would drop work already done and understate
// throughput, most for large objects.
//
// If ctx ends (Ctrl-C), operations in flight are cancelled, not counted,
// and Run returns what completed with Interrupted set and no error. The
// first failing operation stops the run and is returned.
func Run(ctx context.Context, cfg Config, op Op) (Result, error) {
	if cfg.Concurrency < 1 {
		return Result{}, fmt.Errorf("workload: concurrency must be at least 1, got %d", cfg.Concurrency)
	}
	if cfg.Duration <= 0 {
		return Result{}, fmt.Errorf("workload: duration must be positive, got %v", cfg.Duration)
	}
	failCtx, fail := context.WithCancelCause(ctx)
	defer fail(nil)

	var ops, bytes atomic.Int64
	samples := make([][]time.Duration, cfg.Concurrency)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		wg.Go(func() {
			for seq := 0; (seq == 0 || time.Now().Before(deadline)) && failCtx.Err() == nil; seq++ {
				opStart := time.Now()
				n, err := op(failCtx, w, seq)
				took := time.Since(opStart)
				if err != nil {
					if failCtx.Err() == nil {
						fail(fmt.Errorf("worker %d op %d: %w", w, seq, err))
					}
					return
				}
				samples[w] = append(samples[w], took)
				ops.Add(1)
				bytes.Add(n)
			}
		})
	}
	stopProgress := reportProgress(cfg, start, &ops, &bytes)
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()

	res := newResult(ops.Load(), bytes.Load(), elapsed, merge(samples))
	if cause := context.Cause(failCtx); cause != nil && ctx.Err() == nil {
		return res, cause
	}
	if ctx.Err() != nil {
		res.Interrupted = true
	}
	return res, nil
}

// reportProgress calls cfg.Progress on a ticker until the returned stop is
// called.
func reportProgress(cfg Config, start time.Time, ops, bytes *atomic.Int64) (stop func()) {
	if cfg.Progress == nil {
		return func() {}
	}
	every := cfg.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				cfg.Progress(Progress{Elapsed: time.Since(start), Ops: ops.Load(), Bytes: bytes.Load()})
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func merge(perWorker [][]time.Duration) []time.Duration {
	var all []time.Duration
	for _, s := range perWorker {
		all = append(all, s...)
	}
	return all
}
