package s3bench

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/terngate/terngate/bench/procstat"
	"github.com/terngate/terngate/bench/workload"
)

// Names of the yardstick targets.
const (
	referenceName = "reference"
	rawDiskName   = "raw-disk"
)

// The targets for PUT and GET against the reference server: at
// least 0.8 of its throughput, at most 1.25 times its CPU per byte.
const (
	goalThroughputRatio = 0.8
	goalCPURatio        = 1.25
	// goalBigListRatio: a page of a big bucket, or over many prefixes, at
	// least half as fast as a page of a 1,000-key bucket.
	goalBigListRatio = 0.5
)

// Report is everything a run produced; it is written as JSON.
type Report struct {
	Started     time.Time        `json:"started"`
	Machine     procstat.Machine `json:"machine"`
	Endpoint    string           `json:"endpoint"`
	Target      string           `json:"target"` // "terngate" when started by the run, else "endpoint"
	Settings    ReportSettings   `json:"settings"`
	Interrupted bool             `json:"interrupted,omitempty"`
	Phases      []Phase          `json:"phases"`
	Workloads   []Comparison     `json:"workloads"`
	PeakRSS     []BurstResult    `json:"peak_rss,omitempty"` // measured endpoint first, then the reference
	Goals       []Goal           `json:"goals,omitempty"`
}

// ReportSettings records the knobs of the run.
type ReportSettings struct {
	Workloads       []Kind  `json:"workloads"`
	Concurrency     int     `json:"concurrency"`
	Size            int64   `json:"size"`
	PartSize        int64   `json:"part_size"`
	SmallSize       int64   `json:"small_size"`
	MixedSize       int64   `json:"mixed_size"`
	ListObjects     int     `json:"list_objects"`
	DurationSeconds float64 `json:"duration_seconds"`
	Rounds          int     `json:"rounds"`
	Reference       bool    `json:"reference"`
	RawDisk         bool    `json:"raw_disk"`
	PeakRSS         *Burst  `json:"peak_rss,omitempty"`
}

// Phase is one timed run of one operation on one target in one round.
type Phase struct {
	Round    int    `json:"round"`
	Target   string `json:"target"`
	Workload Kind   `json:"workload,omitempty"` // set on the measured endpoint's phases
	Op       string `json:"op"`                 // e.g. "put 64MiB"
	workload.Result
	ServerCPUSeconds   float64 `json:"server_cpu_seconds"`
	ClientCPUSeconds   float64 `json:"client_cpu_seconds"`
	ServerPeakRSSBytes int64   `json:"server_peak_rss_bytes,omitempty"`
}

// Comparison is one workload on the measured endpoint over all rounds,
// beside its yardsticks.
type Comparison struct {
	Workload    Kind     `json:"workload"`
	Size        int64    `json:"size,omitempty"`
	Concurrency int      `json:"concurrency"`
	Headline    string   `json:"headline"` // which rate the ratios' throughput compares
	Target      Figures  `json:"target"`
	Reference   *Figures `json:"reference,omitempty"`
	RawDisk     *Figures `json:"raw_disk,omitempty"`
	VsReference *Ratios  `json:"vs_reference,omitempty"`
	VsRawDisk   *Ratios  `json:"vs_raw_disk,omitempty"`
	// VsList is list-large's or list-prefixes' figures over the 1,000-key
	// page of list in the same run (issue #15: within 2x).
	VsList *Ratios `json:"vs_list,omitempty"`
	// SSE is sse-put's or sse-get's encrypted figures, each over Target,
	// the plaintext op of the same server in the same rounds.
	SSE []SSEFigures `json:"sse,omitempty"`
}

// Headlines.
const (
	headlineMiB = "mib_per_second"
	headlineOps = "ops_per_second"
)

// Figures is one target's side of a comparison: its phases combined.
type Figures struct {
	Name string `json:"name"`
	Op   string `json:"op"`
	workload.Result
	ServerCPUSeconds       float64 `json:"server_cpu_seconds"`
	ServerCPUSecondsPerGiB float64 `json:"server_cpu_seconds_per_gib,omitempty"`
	ServerCPUMicrosPerOp   float64 `json:"server_cpu_us_per_op,omitempty"`
	ClientCPUSeconds       float64 `json:"client_cpu_seconds"`
	ServerPeakRSSBytes     int64   `json:"server_peak_rss_bytes,omitempty"`
	// HeadlinePerRound is the headline rate of each round, in order.
	HeadlinePerRound []float64 `json:"headline_per_round"`
}

// Ratios are the measured endpoint's figures over a yardstick's: above 1
// is faster for throughput, slower for latency, costlier for CPU.
type Ratios struct {
	Throughput float64   `json:"throughput"`
	PerRound   []float64 `json:"throughput_per_round,omitempty"`
	LatencyP50 float64   `json:"latency_p50"`
	LatencyP99 float64   `json:"latency_p99"`
	ServerCPU  float64   `json:"server_cpu_per_op,omitempty"`
}

// Goal is one of the targets and whether this run met it.
type Goal struct {
	Name     string  `json:"name"`
	Measured float64 `json:"measured"`
	Goal     string  `json:"goal"`
	Met      bool    `json:"met"`
}

// figures combines phases of one target and op.
func figures(name string, phases []Phase, headline string) (*Figures, error) {
	if len(phases) == 0 {
		return nil, nil
	}
	results := make([]workload.Result, len(phases))
	f := &Figures{Name: name, Op: phases[0].Op}
	for i, p := range phases {
		results[i] = p.Result
		f.ServerCPUSeconds += p.ServerCPUSeconds
		f.ClientCPUSeconds += p.ClientCPUSeconds
		f.ServerPeakRSSBytes = max(f.ServerPeakRSSBytes, p.ServerPeakRSSBytes)
		f.HeadlinePerRound = append(f.HeadlinePerRound, headlineOf(p.Result, headline))
	}
	combined, err := workload.Combine(results...)
	if err != nil {
		return nil, err
	}
	f.Result = combined
	if combined.Bytes > 0 {
		f.ServerCPUSecondsPerGiB = f.ServerCPUSeconds / (float64(combined.Bytes) / (1 << 30))
	}
	if combined.Ops > 0 {
		f.ServerCPUMicrosPerOp = f.ServerCPUSeconds * 1e6 / float64(combined.Ops)
	}
	return f, nil
}

func headlineOf(r workload.Result, headline string) float64 {
	if headline == headlineMiB {
		return r.MiBPerSecond
	}
	return r.OpsPerSecond
}

// ratios compares target with yardstick y.
func ratios(target, y *Figures, headline string) *Ratios {
	if y == nil {
		return nil
	}
	r := &Ratios{
		Throughput: ratio(headlineOf(target.Result, headline), headlineOf(y.Result, headline)),
		LatencyP50: ratio(target.Latency.P50, y.Latency.P50),
		LatencyP99: ratio(target.Latency.P99, y.Latency.P99),
		ServerCPU:  ratio(target.ServerCPUMicrosPerOp, y.ServerCPUMicrosPerOp),
	}
	for i := range min(len(target.HeadlinePerRound), len(y.HeadlinePerRound)) {
		r.PerRound = append(r.PerRound, ratio(target.HeadlinePerRound[i], y.HeadlinePerRound[i]))
	}
	return r
}

// ratio is a/b, or 0 when b is 0 (JSON has no NaN or infinity).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// compare builds the per-workload comparisons from the phases.
func compare(s Settings, target string, phases []Phase) ([]Comparison, error) {
	var out []Comparison
	for _, k := range s.Workloads {
		if k.encrypted() {
			c, err := compareSSE(s, k, target, phases)
			if err != nil {
				return nil, err
			}
			if c != nil {
				out = append(out, *c)
			}
			continue
		}
		headline := headlineOps
		if k.bulk() {
			headline = headlineMiB
		}
		var mine, ref, disk []Phase
		refOp, hasRef := k.referenceOp(s)
		diskOp, hasDisk := k.diskOp(s)
		for _, p := range phases {
			switch {
			case p.Target == target && p.Workload == k:
				mine = append(mine, p)
			case hasRef && p.Target == referenceName && p.Op == refOp.String():
				ref = append(ref, p)
			case hasDisk && p.Target == rawDiskName && p.Op == diskOp.String():
				disk = append(disk, p)
			}
		}
		t, err := figures(target, mine, headline)
		if err != nil || t == nil {
			continue // the run was interrupted before this workload
		}
		c := Comparison{Workload: k, Size: k.size(s), Concurrency: s.Concurrency, Headline: headline, Target: *t}
		if c.Reference, err = figures(referenceName, ref, headline); err != nil {
			return nil, err
		}
		if c.RawDisk, err = figures(rawDiskName, disk, headline); err != nil {
			return nil, err
		}
		c.VsReference = ratios(t, c.Reference, headline)
		c.VsRawDisk = ratios(t, c.RawDisk, headline)
		if k.bigList() {
			var list []Phase
			for _, p := range phases {
				if p.Target == target && p.Workload == List {
					list = append(list, p)
				}
			}
			y, err := figures(target, list, headline)
			if err != nil {
				return nil, err
			}
			c.VsList = ratios(t, y, headline)
		}
		out = append(out, c)
	}
	return out, nil
}

// checkGoals applies the targets: PUT and GET throughput at least
// 0.8 of the reference server's and server CPU per byte at most 1.25 times
// its (when the endpoint's CPU was measured), and the measured endpoint's
// peak RSS during the burst (its result comes first in bursts).
func checkGoals(comps []Comparison, burst *Burst, bursts []BurstResult) []Goal {
	var goals []Goal
	for _, c := range comps {
		if (c.Workload != Put && c.Workload != Get) || c.VsReference == nil {
			continue
		}
		name := fmt.Sprintf("%s %s", c.Workload, FormatSize(c.Size))
		goals = append(goals, Goal{
			Name:     name + " throughput vs reference",
			Measured: c.VsReference.Throughput,
			Goal:     fmt.Sprintf(">= %.2f", goalThroughputRatio),
			Met:      c.VsReference.Throughput >= goalThroughputRatio,
		})
		if c.VsReference.ServerCPU > 0 {
			goals = append(goals, Goal{
				Name:     name + " server CPU vs reference",
				Measured: c.VsReference.ServerCPU,
				Goal:     fmt.Sprintf("<= %.2f", goalCPURatio),
				Met:      c.VsReference.ServerCPU <= goalCPURatio,
			})
		}
	}
	for _, c := range comps {
		if c.VsList != nil {
			goals = append(goals, Goal{
				Name:     fmt.Sprintf("%s throughput vs list", c.Workload),
				Measured: c.VsList.Throughput,
				Goal:     fmt.Sprintf(">= %.2f", goalBigListRatio),
				Met:      c.VsList.Throughput >= goalBigListRatio,
			})
		}
	}
	goals = append(goals, sseGoals(comps)...)
	if burst != nil && len(bursts) > 0 {
		if g, ok := peakRSSGoal(*burst, bursts[0]); ok {
			goals = append(goals, g)
		}
	}
	return goals
}

// WriteJSON writes the report to path.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
