package ternfsbench

import (
	"fmt"
	"io"
	"strings"

	"github.com/terngate/terngate/bench/s3bench"
)

// PrintSummary writes the ratios and the figures behind them as Markdown
// tables (ready for docs/performance.md), then the goal checks.
func (r *Report) PrintSummary(w io.Writer) {
	interrupted := ""
	if r.Interrupted {
		interrupted = "; INTERRUPTED, partial results"
	}
	policy := "terngate's default span policy"
	if r.Settings.SpanPolicy != "" {
		policy = "span policy " + r.Settings.SpanPolicy
	}
	fmt.Fprintf(w, "\n%d CPUs (%s), kernel %s, %s; TernFS %s under %s, %s; concurrency %d, %d round(s), phases of %gs%s\n\n",
		r.Machine.CPUs, r.Machine.CPUModel, r.Machine.Kernel, r.Machine.GoVersion, r.Registry, r.Root, policy,
		r.Settings.Concurrency, r.Settings.Rounds, r.Settings.DurationSeconds, interrupted)
	fmt.Fprintln(w, "| comparison | MiB/s | yardstick MiB/s | ratio: median (per round) | pooled | goal |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, c := range r.Comparisons {
		subject, yardstick := r.figures(c.Subject, c.Op, c.Size), r.figures(c.Yardstick, c.Op, c.Size)
		fmt.Fprintf(w, "| %s | %.1f | %.1f | **%.2f** (%s) | %.2f | ≥ %.2f %s |\n",
			c.Name, subject.MiBPerSecond, yardstick.MiBPerSecond, c.Median, joinRatios(c.PerRound), c.Pooled, c.Goal, metWord(c.Met))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | does | size | MiB/s (per round) | copies | p50 s | server CPU-s/GiB | tool CPU-s/GiB | machine CPU-s/GiB | machine busy |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, f := range r.Targets {
		fmt.Fprintf(w, "| %s | %s | %s | %.1f (%s) | %d | %.2f | %s | %s | %s | %.0f%% |\n",
			f.Target, f.Does, s3bench.FormatSize(f.Size), f.MiBPerSecond, joinRates(f.MiBPerSecondPerRound), f.Ops,
			f.Latency.P50/1000, cpuCell(f.ServerCPUSecondsPerGiB), cpuCell(f.ToolCPUSecondsPerGiB),
			cpuCell(f.MachineCPUSecondsPerGiB), 100*f.MachineBusy)
	}
	if len(r.Comparisons) > 0 {
		fmt.Fprintln(w, "\nGoals (median of rounds):")
		for _, c := range r.Comparisons {
			mark := "MET   "
			if !c.Met {
				mark = "MISSED"
			}
			fmt.Fprintf(w, "  %s %-52s %5.2f (goal >= %.2f)\n", mark, c.Name, c.Median, c.Goal)
		}
	}
	fmt.Fprintf(w, "\nWrote %.1f GiB onto the cluster under %s (before parity).\n", float64(r.WrittenBytes)/(1<<30), r.Root)
}

// figures returns the pooled figures of target's op at size (zero if it
// did not run).
func (r *Report) figures(target string, o Op, size int64) Figures {
	for _, f := range r.Targets {
		if f.Target == target && f.Op == o && f.Size == size {
			return f
		}
	}
	return Figures{}
}

func metWord(met bool) string {
	if met {
		return "met"
	}
	return "**missed**"
}

func joinRatios(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(parts, ", ")
}

func joinRates(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(parts, ", ")
}

func cpuCell(x float64) string {
	if x == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", x)
}
