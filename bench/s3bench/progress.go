package s3bench

import (
	"fmt"
	"io"
	"time"

	"github.com/terngate/terngate/bench/workload"
)

// ProgressLine rewrites one terminal line with a phase's running figures.
type ProgressLine struct {
	w        io.Writer // nil: no live line
	label    string
	duration time.Duration
}

// NewProgressLine returns the line of one phase; with a nil w it draws
// nothing.
func NewProgressLine(w io.Writer, label string, duration time.Duration) ProgressLine {
	return ProgressLine{w: w, label: label, duration: duration}
}

// Update draws the running figures; it is a workload.Config.Progress.
func (p ProgressLine) Update(pr workload.Progress) {
	if p.w == nil {
		return
	}
	secs := pr.Elapsed.Seconds()
	fmt.Fprintf(p.w, "\r\033[K  %s %5.1f/%.0fs %8d ops %9.1f ops/s %8.1f MiB/s",
		p.label, secs, p.duration.Seconds(), pr.Ops, workload.Rate(float64(pr.Ops), secs), workload.Rate(float64(pr.Bytes)/(1<<20), secs))
}

// Clear erases the line.
func (p ProgressLine) Clear() {
	if p.w != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// phaseSummary is the log line of a finished phase.
func phaseSummary(p Phase) string {
	line := fmt.Sprintf("%8.1f MiB/s %9.1f ops/s  p50 %7.2f ms  p99 %7.2f ms", p.MiBPerSecond, p.OpsPerSecond, p.Latency.P50, p.Latency.P99)
	if p.ServerCPUSeconds > 0 {
		line += fmt.Sprintf("  server %.2f cpu-s", p.ServerCPUSeconds)
	}
	return line + fmt.Sprintf("  client %.2f cpu-s", p.ClientCPUSeconds)
}
