package main

import "fmt"

const (
	referenceName = "reference"
	terngateName  = "terngate"

	goalThroughputRatio = 0.8
	goalCPURatio        = 1.25
	goalPeakRSS         = 200 << 20
)

// totals sums phases of one server, workload and operation over rounds.
type totals struct {
	bytes, seconds, serverCPU, clientCPU float64
	peakRSS                              int64
	rounds                               map[int]float64 // round → MiB/s
}

func (t *totals) add(p phaseResult) {
	gib := float64(p.Bytes) / (1 << 30)
	t.bytes += float64(p.Bytes)
	t.seconds += p.Seconds
	t.serverCPU += p.ServerCPUPerGiB * gib
	t.clientCPU += p.ClientCPUPerGiB * gib
	t.peakRSS = max(t.peakRSS, p.PeakRSSBytes)
	t.rounds[p.Round] = p.MiBPerSecond
}

func (t *totals) mibPerSecond() float64 { return t.bytes / (1 << 20) / t.seconds }
func (t *totals) cpuPerGiB() float64    { return t.serverCPU / (t.bytes / (1 << 30)) }
func (t *totals) clientPerGiB() float64 { return t.clientCPU / (t.bytes / (1 << 30)) }

// compare pairs terngate with the reference per workload and operation, in
// the order the phases first ran. Throughput over rounds is total bytes over
// total time, so every round weighs by its duration.
func compare(phases []phaseResult) []comparison {
	type pairKey struct{ workload, op string }
	var order []pairKey
	sums := map[pairKey]map[string]*totals{}
	for _, p := range phases {
		k := pairKey{p.Workload, p.Op}
		if sums[k] == nil {
			sums[k] = map[string]*totals{}
			order = append(order, k)
		}
		if sums[k][p.Server] == nil {
			sums[k][p.Server] = &totals{rounds: map[int]float64{}}
		}
		sums[k][p.Server].add(p)
	}
	var out []comparison
	for _, k := range order {
		ref, tern := sums[k][referenceName], sums[k][terngateName]
		if ref == nil || tern == nil {
			continue
		}
		c := comparison{
			Workload:           k.workload,
			Op:                 k.op,
			RefMiBPerSecond:    ref.mibPerSecond(),
			TernMiBPerSecond:   tern.mibPerSecond(),
			RefCPUPerGiB:       ref.cpuPerGiB(),
			TernCPUPerGiB:      tern.cpuPerGiB(),
			RefClientCPUPerGiB: ref.clientPerGiB(),
			TernClientCPUPerGB: tern.clientPerGiB(),
			RefPeakRSSBytes:    ref.peakRSS,
			TernPeakRSSBytes:   tern.peakRSS,
		}
		c.ThroughputRatio = ratio(c.TernMiBPerSecond, c.RefMiBPerSecond)
		c.CPURatio = ratio(c.TernCPUPerGiB, c.RefCPUPerGiB)
		for round := 1; ; round++ {
			r, ok1 := ref.rounds[round]
			t, ok2 := tern.rounds[round]
			if !ok1 || !ok2 {
				break
			}
			c.RoundRatios = append(c.RoundRatios, ratio(t, r))
		}
		out = append(out, c)
	}
	return out
}

// checkGoals applies the targets: throughput and CPU ratios for
// every timed comparison (the round-0 peak-RSS phase excluded), and peak
// RSS during the peak-RSS workload.
func checkGoals(comps []comparison, rssWorkload string) []goalCheck {
	var goals []goalCheck
	for _, c := range comps {
		name := c.Workload + " " + c.Op
		if c.Workload == rssWorkload && c.Op == "PUT" {
			goals = append(goals, goalCheck{
				Name:     "terngate peak RSS, " + name,
				Measured: float64(c.TernPeakRSSBytes) / (1 << 20),
				Goal:     fmt.Sprintf("<= %d MiB", goalPeakRSS>>20),
				Met:      c.TernPeakRSSBytes <= goalPeakRSS,
			})
			continue
		}
		goals = append(goals,
			goalCheck{Name: "throughput ratio, " + name, Measured: c.ThroughputRatio,
				Goal: fmt.Sprintf(">= %.2f", goalThroughputRatio), Met: c.ThroughputRatio >= goalThroughputRatio},
			goalCheck{Name: "CPU/GiB ratio, " + name, Measured: c.CPURatio,
				Goal: fmt.Sprintf("<= %.2f", goalCPURatio), Met: c.CPURatio <= goalCPURatio},
		)
	}
	return goals
}

// ratio is a/b, or 0 when b is 0 (JSON has no NaN or infinity).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
