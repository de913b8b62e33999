package main

import (
	"time"

	"github.com/terngate/terngate/bench/procstat"
)

// phaseResult is one timed phase: one operation of one workload on one
// server in one round.
type phaseResult struct {
	Server            string  `json:"server"`
	Round             int     `json:"round"` // 0 for the peak-RSS phase
	Workload          string  `json:"workload"`
	Op                string  `json:"op"`
	Bytes             int64   `json:"bytes"`
	Seconds           float64 `json:"seconds"`
	MiBPerSecond      float64 `json:"mib_per_second"`
	ServerCPUSeconds  float64 `json:"server_cpu_seconds"`
	ServerUserSeconds float64 `json:"server_user_seconds_coarse"`
	ServerSysSeconds  float64 `json:"server_sys_seconds_coarse"`
	ServerCPUPerGiB   float64 `json:"server_cpu_seconds_per_gib"`
	ClientCPUPerGiB   float64 `json:"client_cpu_seconds_per_gib"`
	// CoresBusy is server plus client CPU over wall time: near the core
	// count means the phase was CPU-bound, well below means it waited.
	CoresBusy     float64 `json:"cores_busy"`
	PeakRSSBytes  int64   `json:"server_peak_rss_bytes"`
	PeakRSSSource string  `json:"server_peak_rss_source"`
}

func newPhaseResult(server string, round int, w workload, op string, bytes int64, u procstat.Usage) phaseResult {
	gib := float64(bytes) / (1 << 30)
	serverCPU := u.ServerCPU.Seconds()
	return phaseResult{
		Server:            server,
		Round:             round,
		Workload:          w.String(),
		Op:                op,
		Bytes:             bytes,
		Seconds:           u.Wall.Seconds(),
		MiBPerSecond:      float64(bytes) / (1 << 20) / u.Wall.Seconds(),
		ServerCPUSeconds:  serverCPU,
		ServerUserSeconds: u.ServerUser.Seconds(),
		ServerSysSeconds:  u.ServerSys.Seconds(),
		ServerCPUPerGiB:   serverCPU / gib,
		ClientCPUPerGiB:   u.ClientCPU.Seconds() / gib,
		CoresBusy:         (u.ServerCPU + u.ClientCPU).Seconds() / u.Wall.Seconds(),
		PeakRSSBytes:      u.PeakRSS,
		PeakRSSSource:     u.PeakRSSFrom,
	}
}

// report is everything a run produced, as written to --out.
type report struct {
	Started     time.Time        `json:"started"`
	Machine     procstat.Machine `json:"machine"`
	Rounds      int              `json:"rounds"`
	GetPasses   int              `json:"get_passes"`
	Phases      []phaseResult    `json:"phases"`
	Comparisons []comparison     `json:"comparisons"`
	Goals       []goalCheck      `json:"goals"`
}

// comparison is terngate against the reference for one workload and
// operation, over all rounds.
type comparison struct {
	Workload           string    `json:"workload"`
	Op                 string    `json:"op"`
	RefMiBPerSecond    float64   `json:"reference_mib_per_second"`
	TernMiBPerSecond   float64   `json:"terngate_mib_per_second"`
	ThroughputRatio    float64   `json:"throughput_ratio"`
	RoundRatios        []float64 `json:"throughput_ratio_per_round,omitempty"`
	RefCPUPerGiB       float64   `json:"reference_cpu_seconds_per_gib"`
	TernCPUPerGiB      float64   `json:"terngate_cpu_seconds_per_gib"`
	CPURatio           float64   `json:"cpu_ratio"`
	RefClientCPUPerGiB float64   `json:"reference_client_cpu_seconds_per_gib"`
	TernClientCPUPerGB float64   `json:"terngate_client_cpu_seconds_per_gib"`
	RefPeakRSSBytes    int64     `json:"reference_peak_rss_bytes"`
	TernPeakRSSBytes   int64     `json:"terngate_peak_rss_bytes"`
}

// goalCheck is one of the targets and whether this run met it.
type goalCheck struct {
	Name     string  `json:"name"`
	Measured float64 `json:"measured"`
	Goal     string  `json:"goal"`
	Met      bool    `json:"met"`
}
