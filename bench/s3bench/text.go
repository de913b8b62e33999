package s3bench

import (
	"fmt"
	"io"
	"strings"
)

// PrintSummary writes the comparison as a Markdown table (ready for
// docs/performance.md) and the goal checks.
func (r *Report) PrintSummary(w io.Writer) {
	fmt.Fprintf(w, "\n%d CPUs (%s), kernel %s, %s; concurrency %d, %d round(s) of %.0fs per phase%s\n\n",
		r.Machine.CPUs, r.Machine.CPUModel, r.Machine.Kernel, r.Machine.GoVersion,
		r.Settings.Concurrency, r.Settings.Rounds, r.Settings.DurationSeconds, interruptedNote(r.Interrupted))
	fmt.Fprintln(w, "| workload | target | MiB/s | ops/s | p50 ms | p99 ms | server CPU-s/GiB | server CPU µs/op | × reference (per round) | × raw disk |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range r.Workloads {
		name := string(c.Workload)
		if c.Size > 0 {
			name += " " + FormatSize(c.Size)
		}
		if len(c.SSE) > 0 {
			name += " plaintext" // the encrypted modes follow, against it
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, figuresRow(&c.Target), ratioCell(c.VsReference), ratioCell(c.VsRawDisk))
		for _, y := range []*Figures{c.Reference, c.RawDisk} {
			if y != nil {
				fmt.Fprintf(w, "| ↳ %s | %s | | |\n", y.Op, figuresRow(y))
			}
		}
		for _, m := range c.SSE {
			fmt.Fprintf(w, "| ↳ %s | %s | × plaintext %s | |\n", m.Op, figuresRow(&m.Figures), ratioCell(m.VsPlaintext))
		}
	}
	for i, c := range r.Workloads {
		if c.VsList == nil {
			continue
		}
		if i == 0 || r.Workloads[i-1].VsList == nil {
			fmt.Fprintln(w, "\nBig listings against a page of list's keys in the same run (issue #15: throughput >= 0.5):")
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "- %s × list: %s\n", c.Workload, ratioCell(c.VsList))
	}
	if len(r.PeakRSS) > 0 {
		fmt.Fprintf(w, "\nPeak RSS, %d PUTs of %s at once, each made once:\n\n", r.Settings.PeakRSS.Concurrency, FormatSize(r.Settings.PeakRSS.Size))
		fmt.Fprintln(w, "| target | MiB/s | server CPU-s/GiB | server peak RSS |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, b := range r.PeakRSS {
			fmt.Fprintf(w, "| %s | %.1f | %.2f | %s |\n", b.Target, b.MiBPerSecond, b.ServerCPUSecondsPerGiB, rssCell(b.ServerPeakRSSBytes))
		}
	}
	if len(r.Goals) > 0 {
		fmt.Fprintln(w, "\nGoals:")
		for _, g := range r.Goals {
			mark := "MET   "
			if !g.Met {
				mark = "MISSED"
			}
			fmt.Fprintf(w, "  %s %-40s %6.2f (goal %s)\n", mark, g.Name, g.Measured, g.Goal)
		}
	}
}

func interruptedNote(interrupted bool) string {
	if interrupted {
		return "; INTERRUPTED, partial results"
	}
	return ""
}

func figuresRow(f *Figures) string {
	cpuGiB, cpuOp := "", ""
	if f.ServerCPUSeconds > 0 {
		cpuOp = fmt.Sprintf("%.0f", f.ServerCPUMicrosPerOp)
		if f.Bytes > 0 {
			cpuGiB = fmt.Sprintf("%.2f", f.ServerCPUSecondsPerGiB)
		}
	}
	return fmt.Sprintf("%s | %.1f | %.1f | %.2f | %.2f | %s | %s",
		f.Name, f.MiBPerSecond, f.OpsPerSecond, f.Latency.P50, f.Latency.P99, cpuGiB, cpuOp)
}

// ratioCell shows throughput ratio (per round), then latency and CPU
// ratios.
func ratioCell(r *Ratios) string {
	if r == nil {
		return "—"
	}
	var rounds []string
	for _, x := range r.PerRound {
		rounds = append(rounds, fmt.Sprintf("%.2f", x))
	}
	cell := fmt.Sprintf("**%.2f**", r.Throughput)
	if len(rounds) > 1 {
		cell += " (" + strings.Join(rounds, ", ") + ")"
	}
	cell += fmt.Sprintf("; p50 %.2f, p99 %.2f", r.LatencyP50, r.LatencyP99)
	if r.ServerCPU > 0 {
		cell += fmt.Sprintf("; CPU %.2f", r.ServerCPU)
	}
	return cell
}

// rssCell is a peak RSS, or a dash when the server was not ours to watch.
func rssCell(b int64) string {
	if b == 0 {
		return "—"
	}
	return formatMiB(b)
}
