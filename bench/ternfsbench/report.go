package ternfsbench

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/terngate/terngate/bench/procstat"
	"github.com/terngate/terngate/bench/s3bench"
	"github.com/terngate/terngate/bench/workload"
)

// Report is everything a run produced; it is written as JSON.
type Report struct {
	Started  time.Time        `json:"started"`
	Machine  procstat.Machine `json:"machine"`
	Registry string           `json:"ternfs_registry"`
	Root     string           `json:"ternfs_root"`
	// Tools are the programs compared, by target name.
	Tools       map[string]string `json:"tools"`
	Settings    ReportSettings    `json:"settings"`
	Interrupted bool              `json:"interrupted,omitempty"`
	// WrittenBytes is what the run wrote onto the cluster (before
	// parity): the space it holds until the garbage collector frees it.
	WrittenBytes int64        `json:"written_bytes"`
	Phases       []Phase      `json:"phases"`
	Targets      []Figures    `json:"targets"`
	Comparisons  []Comparison `json:"comparisons"`
}

// ReportSettings records the knobs of the run.
type ReportSettings struct {
	Sizes           []int64 `json:"sizes"`
	Concurrency     int     `json:"concurrency"`
	DurationSeconds float64 `json:"duration_seconds"`
	Rounds          int     `json:"rounds"`
	// SpanPolicy is the terngate's --ternfs-span-policy; empty for its
	// default.
	SpanPolicy string `json:"ternfs_span_policy,omitempty"`
}

// Phase is one timed run of one op at one size by one target in one
// round.
type Phase struct {
	Round  int    `json:"round"`
	Target string `json:"target"`
	Does   string `json:"does"`
	Op     Op     `json:"op"`
	Size   int64  `json:"size"`
	workload.Result
	// ServerCPUSeconds is the gateway process's (terngate, terns3).
	ServerCPUSeconds float64 `json:"server_cpu_seconds,omitempty"`
	// ToolCPUSeconds is the processes' the target ran (terncli, aws).
	ToolCPUSeconds float64 `json:"tool_cpu_seconds,omitempty"`
	// ClientCPUSeconds is this process's (the S3 client).
	ClientCPUSeconds float64 `json:"client_cpu_seconds"`
	// MachineCPUSeconds is what the whole machine was busy for, over all
	// its CPUs: the target, the cluster, everything else. Beside
	// MachineCPUs and the phase's time it tells a copy that waited from
	// one that ran out of CPU.
	MachineCPUSeconds float64 `json:"machine_cpu_seconds"`
	MachineCPUs       int     `json:"machine_cpus"`
}

// Figures is one target's op at one size over all rounds.
type Figures struct {
	Target string `json:"target"`
	Does   string `json:"does"`
	Op     Op     `json:"op"`
	Size   int64  `json:"size"`
	// Result pools the rounds: total bytes over total time.
	workload.Result
	// MiBPerSecondPerRound is each round's rate, indexed by round - 1 (0
	// where the round did not run).
	MiBPerSecondPerRound   []float64 `json:"mib_per_second_per_round"`
	ServerCPUSecondsPerGiB float64   `json:"server_cpu_seconds_per_gib,omitempty"`
	ToolCPUSecondsPerGiB   float64   `json:"tool_cpu_seconds_per_gib,omitempty"`
	// MachineCPUSecondsPerGiB is the whole machine's busy time per GiB
	// copied, and MachineBusy that time over all CPUs' time while the
	// phases ran (1 = every CPU busy throughout).
	MachineCPUSecondsPerGiB float64 `json:"machine_cpu_seconds_per_gib"`
	MachineBusy             float64 `json:"machine_busy"`
}

// Comparison is one ratio the run exists for: Subject's throughput over
// Yardstick's, doing the same op at the same size.
type Comparison struct {
	Name      string `json:"name"`
	Op        Op     `json:"op"`
	Size      int64  `json:"size"`
	Subject   string `json:"subject"`
	Yardstick string `json:"yardstick"`
	// PerRound is the ratio in each round both ran, in round order.
	PerRound []float64 `json:"ratio_per_round"`
	// Median of PerRound: the headline, robust to one disturbed round.
	Median float64 `json:"ratio_median"`
	// Pooled is the ratio of the pooled rates (total bytes over total time).
	Pooled float64 `json:"ratio_pooled"`
	Goal   float64 `json:"goal"`
	Met    bool    `json:"met"`
}

// comparisons are the ratios a run reports, where both targets ran, and
// the goal of each.
var comparisons = []struct {
	subject, yardstick string
	op                 Op
	goal               float64
}{
	{terngateName, terncliName, Put, 0.8},
	{terngateName, terncliName, Get, 0.8},
	{terngateName, terns3Name, Put, 1.0},
	{terngateName, terns3Name, Get, 1.0},
	{awsName, terncliName, Put, 0.8},
	// What the cluster leaves of the CLI's own speed on this machine.
	{awsName, awsLocalName, Put, 0.8},
}

// targetFigures pools the phases of each target, op and size, in the
// order they first ran.
func targetFigures(phases []Phase) ([]Figures, error) {
	type key struct {
		target string
		op     Op
		size   int64
	}
	var order []key
	groups := map[key][]Phase{}
	for _, p := range phases {
		k := key{p.Target, p.Op, p.Size}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], p)
	}
	slices.SortStableFunc(order, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.size, b.size), cmp.Compare(opRank(a.op), opRank(b.op)))
	})
	out := make([]Figures, 0, len(order))
	for _, k := range order {
		f, err := pool(groups[k])
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func opRank(o Op) int {
	if o == Put {
		return 0
	}
	return 1
}

// pool combines phases of one target, op and size.
func pool(phases []Phase) (Figures, error) {
	results := make([]workload.Result, len(phases))
	f := Figures{Target: phases[0].Target, Does: phases[0].Does, Op: phases[0].Op, Size: phases[0].Size}
	var serverCPU, toolCPU, machineCPU, machineCapacity float64
	for i, p := range phases {
		results[i] = p.Result
		serverCPU += p.ServerCPUSeconds
		toolCPU += p.ToolCPUSeconds
		machineCPU += p.MachineCPUSeconds
		machineCapacity += float64(p.MachineCPUs) * p.Seconds
		for len(f.MiBPerSecondPerRound) < p.Round {
			f.MiBPerSecondPerRound = append(f.MiBPerSecondPerRound, 0)
		}
		f.MiBPerSecondPerRound[p.Round-1] = p.MiBPerSecond
	}
	combined, err := workload.Combine(results...)
	if err != nil {
		return Figures{}, err
	}
	f.Result = combined
	if gib := float64(combined.Bytes) / (1 << 30); gib > 0 {
		f.ServerCPUSecondsPerGiB = serverCPU / gib
		f.ToolCPUSecondsPerGiB = toolCPU / gib
		f.MachineCPUSecondsPerGiB = machineCPU / gib
	}
	if machineCapacity > 0 {
		f.MachineBusy = machineCPU / machineCapacity
	}
	return f, nil
}

// compare builds the comparisons for every size from the pooled figures.
func compare(sizes []int64, figures []Figures) []Comparison {
	find := func(target string, o Op, size int64) *Figures {
		for i := range figures {
			if f := &figures[i]; f.Target == target && f.Op == o && f.Size == size {
				return f
			}
		}
		return nil
	}
	var out []Comparison
	for _, size := range sizes {
		for _, want := range comparisons {
			subject, yardstick := find(want.subject, want.op, size), find(want.yardstick, want.op, size)
			if subject == nil || yardstick == nil {
				continue
			}
			c := Comparison{
				Name: fmt.Sprintf("%s %s ÷ %s", subject.Does, s3bench.FormatSize(size), yardstick.Does),
				Op:   want.op, Size: size, Subject: want.subject, Yardstick: want.yardstick,
				PerRound: roundRatios(subject.MiBPerSecondPerRound, yardstick.MiBPerSecondPerRound),
				Pooled:   ratio(subject.MiBPerSecond, yardstick.MiBPerSecond),
				Goal:     want.goal,
			}
			c.Median = median(c.PerRound)
			c.Met = c.Median >= want.goal
			out = append(out, c)
		}
	}
	return out
}

func opName(o Op) string {
	if o == Put {
		return "PUT"
	}
	return "GET"
}

// roundRatios divides round by round, skipping rounds either side missed.
func roundRatios(subject, yardstick []float64) []float64 {
	var out []float64
	for i := range min(len(subject), len(yardstick)) {
		if subject[i] > 0 && yardstick[i] > 0 {
			out = append(out, subject[i]/yardstick[i])
		}
	}
	return out
}

// median is the middle value, or the mean of the two middle ones; 0 for
// none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// ratio is a/b, or 0 when b is 0 (JSON has no NaN or infinity).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
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
