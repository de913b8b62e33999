package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// printReport writes the comparison table (Markdown, ready for the README)
// and the goal checks.
func printReport(w io.Writer, rep report) {
	fmt.Fprintf(w, "\n%d CPUs (%s), kernel %s, %s; %d interleaved rounds, %d passes per GET phase\n\n",
		rep.Machine.CPUs, rep.Machine.CPUModel, rep.Machine.Kernel, rep.Machine.GoVersion, rep.Rounds, rep.GetPasses)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "| workload\t op\t ref MiB/s\t terngate MiB/s\t ratio (per round)\t ref server cpu-s/GiB\t terngate server cpu-s/GiB\t ratio\t client cpu-s/GiB ref / tg\t peak RSS ref / tg\t")
	fmt.Fprintln(tw, "|---\t---\t---\t---\t---\t---\t---\t---\t---\t---\t")
	for _, c := range rep.Comparisons {
		perRound := make([]string, len(c.RoundRatios))
		for i, r := range c.RoundRatios {
			perRound[i] = fmt.Sprintf("%.2f", r)
		}
		ratio := fmt.Sprintf("%.2f", c.ThroughputRatio)
		if len(perRound) > 0 {
			ratio += " (" + strings.Join(perRound, ", ") + ")"
		}
		fmt.Fprintf(tw, "| %s\t %s\t %.0f\t %.0f\t %s\t %.2f\t %.2f\t %.2f\t %.2f / %.2f\t %s / %s\t\n",
			c.Workload, c.Op, c.RefMiBPerSecond, c.TernMiBPerSecond, ratio,
			c.RefCPUPerGiB, c.TernCPUPerGiB, c.CPURatio,
			c.RefClientCPUPerGiB, c.TernClientCPUPerGB,
			formatMiB(c.RefPeakRSSBytes), formatMiB(c.TernPeakRSSBytes))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nGoals:")
	for _, g := range rep.Goals {
		mark := "MET   "
		if !g.Met {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "  %s %-40s %8.2f (goal %s)\n", mark, g.Name, g.Measured, g.Goal)
	}
}

func formatMiB(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func writeJSON(path string, rep report) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
