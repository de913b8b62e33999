package s3bench

import "testing"

func TestParseBurst(t *testing.T) {
	for text, want := range map[string]Burst{
		"1GiBx8": {1 << 30, 8},
		"1GiB":   {1 << 30, 1},
		"3KiBx2": {3 << 10, 2},
		"6MiBx1": {6 << 20, 1},
	} {
		got, err := ParseBurst(text)
		if err != nil || got != want {
			t.Errorf("%q: got %+v, %v; want %+v", text, got, err, want)
		}
	}
	if s := (Burst{1 << 30, 8}).String(); s != "1GiBx8" {
		t.Errorf("1 GiB x 8 is named %q", s)
	}
	if s := (Burst{64 << 20, 1}).String(); s != "64MiB" {
		t.Errorf("one 64 MiB PUT is named %q", s)
	}
	for _, bad := range []string{"", "1GB", "0MiB", "1GiBx0", "1GiBx-1", "x8", "1GiBx", "1.5GiB"} {
		if b, err := ParseBurst(bad); err == nil {
			t.Errorf("%q accepted as %+v", bad, b)
		}
	}
}

func TestGoalsCoverCPUAndPeakRSS(t *testing.T) {
	comps := []Comparison{
		{Workload: Put, Size: 1 << 30, VsReference: &Ratios{Throughput: 1.2, ServerCPU: 0.8}},
		{Workload: Get, Size: 1 << 30, VsReference: &Ratios{Throughput: 0.7, ServerCPU: 1.3}},
		{Workload: SmallPut, Size: 4 << 10, VsReference: &Ratios{Throughput: 0.1, ServerCPU: 9}}, // no goal
		{Workload: Put, Size: 64 << 20, VsReference: &Ratios{Throughput: 1}},                     // CPU not measured
	}
	burst := &Burst{1 << 30, 8}
	bursts := []BurstResult{{Target: "terngate", ServerPeakRSSBytes: 25 << 20}, {Target: "reference", ServerPeakRSSBytes: 300 << 20}}
	goals := checkGoals(comps, burst, bursts)
	want := []Goal{
		{Name: "put 1GiB throughput vs reference", Measured: 1.2, Goal: ">= 0.80", Met: true},
		{Name: "put 1GiB server CPU vs reference", Measured: 0.8, Goal: "<= 1.25", Met: true},
		{Name: "get 1GiB throughput vs reference", Measured: 0.7, Goal: ">= 0.80", Met: false},
		{Name: "get 1GiB server CPU vs reference", Measured: 1.3, Goal: "<= 1.25", Met: false},
		{Name: "put 64MiB throughput vs reference", Measured: 1, Goal: ">= 0.80", Met: true},
		{Name: "peak RSS, 8 PUTs of 1GiB at once (MiB)", Measured: 25, Goal: "<= 200", Met: true},
	}
	if len(goals) != len(want) {
		t.Fatalf("goals %+v, want %+v", goals, want)
	}
	for i := range want {
		if goals[i] != want[i] {
			t.Errorf("goal %d: %+v, want %+v", i, goals[i], want[i])
		}
	}

	// Over the ceiling, and unmeasured (an endpoint without --server-pid).
	bursts[0].ServerPeakRSSBytes = 201 << 20
	if g := checkGoals(nil, burst, bursts); len(g) != 1 || g[0].Met {
		t.Errorf("201 MiB: %+v", g)
	}
	bursts[0].ServerPeakRSSBytes = 0
	if g := checkGoals(nil, burst, bursts); len(g) != 0 {
		t.Errorf("unmeasured RSS got a goal: %+v", g)
	}
}
