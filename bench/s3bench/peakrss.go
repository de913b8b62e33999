package s3bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terngate/terngate/bench/procstat"
	"github.com/terngate/terngate/bench/workload"
)

// goalPeakRSS is the ceiling on the measured server's resident
// memory while the burst's PUTs are in flight: a server that streams
// bodies stays far below it whatever the object size, one that buffers
// them does not.
const goalPeakRSS = 200 << 20

// Burst is the peak-RSS workload: Concurrency PUTs of Size at once, each
// made exactly once, on the measured endpoint and on the reference server.
// Unlike the timed workloads it is about memory, so it runs once, after
// the rounds.
type Burst struct {
	Size        int64 `json:"size"`
	Concurrency int   `json:"concurrency"`
}

// ParseBurst reads "1GiB" (one PUT) or "1GiBx8" (eight at once).
func ParseBurst(s string) (Burst, error) {
	sizeText, countText, hasCount := strings.Cut(s, "x")
	b := Burst{Concurrency: 1}
	if hasCount {
		n, err := strconv.Atoi(countText)
		if err != nil || n < 1 {
			return b, fmt.Errorf("burst %q: want SIZExCONCURRENCY with a positive integer concurrency", s)
		}
		b.Concurrency = n
	}
	size, err := ParseSize(sizeText)
	if err != nil {
		return b, fmt.Errorf("burst %q: %w", s, err)
	}
	b.Size = size
	return b, nil
}

func (b Burst) String() string {
	if b.Concurrency == 1 {
		return FormatSize(b.Size)
	}
	return fmt.Sprintf("%sx%d", FormatSize(b.Size), b.Concurrency)
}

// BurstResult is one target's burst.
type BurstResult struct {
	Target string `json:"target"`
	Op     string `json:"op"` // e.g. "put 1GiBx8"
	workload.Result
	ServerCPUSeconds       float64 `json:"server_cpu_seconds"`
	ServerCPUSecondsPerGiB float64 `json:"server_cpu_seconds_per_gib,omitempty"`
	ClientCPUSeconds       float64 `json:"client_cpu_seconds"`
	ServerPeakRSSBytes     int64   `json:"server_peak_rss_bytes,omitempty"`
	ServerPeakRSSSource    string  `json:"server_peak_rss_source,omitempty"`
}

// onceEach is a duration shorter than any operation: workload.Run then has
// every worker make exactly one.
const onceEach = time.Nanosecond

// burst runs b on t and removes its objects afterwards (they are large,
// and the reference server cannot list, so they go by name). ok is false
// when the run was interrupted.
func (r *runner) burst(ctx context.Context, t *s3Target, b Burst) (res BurstResult, ok bool, err error) {
	if err := t.bodies.Warm(b.Concurrency, b.Size); err != nil {
		return res, false, err
	}
	key := func(w int) string { return t.key("peak-rss", b.Size, w) }
	defer func() {
		if delErr := t.deleteKeys(context.WithoutCancel(ctx), b.Concurrency, key); delErr != nil && err == nil {
			err = delErr
		}
	}()
	put := func(ctx context.Context, w, _ int) (int64, error) {
		return b.Size, t.put(ctx, key(w), int64(w), b.Size)
	}
	label := fmt.Sprintf("peak RSS    %-10s put %-12s", t.name(), b)
	progress := NewProgressLine(r.out.Progress, label, onceEach)
	var wr workload.Result
	u, err := procstat.Measure(ctx, r.proc, t.serverPid(), func(ctx context.Context) error {
		var runErr error
		wr, runErr = workload.Run(ctx, workload.Config{Concurrency: b.Concurrency, Duration: onceEach, Progress: progress.Update}, put)
		return runErr
	})
	progress.Clear()
	if err != nil {
		return res, false, fmt.Errorf("%s peak RSS put %s: %w", t.name(), b, errors.Join(err, ctx.Err()))
	}
	if wr.Interrupted {
		return res, false, nil
	}
	res = BurstResult{
		Target: t.name(), Op: "put " + b.String(), Result: wr,
		ServerCPUSeconds: u.ServerCPU.Seconds(), ClientCPUSeconds: u.ClientCPU.Seconds(),
		ServerPeakRSSBytes: u.PeakRSS, ServerPeakRSSSource: u.PeakRSSFrom,
	}
	if wr.Bytes > 0 {
		res.ServerCPUSecondsPerGiB = res.ServerCPUSeconds / (float64(wr.Bytes) / (1 << 30))
	}
	fmt.Fprintf(r.out.Log, "  %s %8.1f MiB/s  server %.2f cpu-s  client %.2f cpu-s  peak RSS %s\n",
		label, wr.MiBPerSecond, res.ServerCPUSeconds, res.ClientCPUSeconds, formatMiB(res.ServerPeakRSSBytes))
	return res, true, nil
}

// deleteKeys removes the objects key(0) … key(n-1).
func (t *s3Target) deleteKeys(ctx context.Context, n int, key func(int) string) error {
	for i := range n {
		if _, err := t.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.bucket), Key: aws.String(key(i))}); err != nil {
			return fmt.Errorf("%s: DELETE %s: %w", t.label, key(i), err)
		}
	}
	return nil
}

// bursts runs the burst on every S3 target (the raw disk holds no
// memory of interest).
func (r *runner) bursts(ctx context.Context, targets []target, b Burst) ([]BurstResult, error) {
	var out []BurstResult
	for _, tg := range targets {
		t, isS3 := tg.(*s3Target)
		if !isS3 {
			continue
		}
		res, ok, err := r.burst(ctx, t, b)
		if err != nil || !ok {
			return out, stopped(ctx, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// peakRSSGoal checks the measured endpoint's burst against goalPeakRSS;
// ok is false when its memory was not measured (an endpoint without
// --server-pid).
func peakRSSGoal(b Burst, res BurstResult) (Goal, bool) {
	if res.ServerPeakRSSBytes == 0 {
		return Goal{}, false
	}
	return Goal{
		Name:     fmt.Sprintf("peak RSS, %d PUTs of %s at once (MiB)", b.Concurrency, FormatSize(b.Size)),
		Measured: float64(res.ServerPeakRSSBytes) / (1 << 20),
		Goal:     fmt.Sprintf("<= %d", goalPeakRSS>>20),
		Met:      res.ServerPeakRSSBytes <= goalPeakRSS,
	}, true
}

func formatMiB(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
