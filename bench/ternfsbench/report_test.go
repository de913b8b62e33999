package ternfsbench

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/terngate/terngate/bench/workload"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{0.9}, 0.9},
		{[]float64{1.2, 0.8}, 1.0},
		{[]float64{3, 0.5, 1}, 1},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := slices.Clone(tc.in)
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("median reordered its input: %v", tc.in)
		}
	}
}

// phase is a phase that moved mib MiB in secs seconds, on a two-CPU
// machine that was half busy.
func phase(round int, target, does string, o Op, size int64, mib, secs float64) Phase {
	bytes := int64(mib * (1 << 20))
	return Phase{Round: round, Target: target, Does: does, Op: o, Size: size,
		Result: workload.Result{Ops: 1, Bytes: bytes, Seconds: secs, MiBPerSecond: mib / secs}, ServerCPUSeconds: 1,
		MachineCPUSeconds: secs, MachineCPUs: 2}
}

// TestComparisonsFromRounds checks the ratio math: per-round ratios pair
// rounds, the headline is their median (a disturbed round does not move
// it), pooled divides total bytes over total time, and a round one side
// missed (interrupted) is left out.
func TestComparisonsFromRounds(t *testing.T) {
	const size = 64 << 20
	phases := []Phase{
		phase(1, terngateName, "terngate S3 PUT", Put, size, 64, 1),   // 64 MiB/s
		phase(1, terncliName, "terncli cp-into", Put, size, 64, 0.8),  // 80
		phase(2, terncliName, "terncli cp-into", Put, size, 64, 0.5),  // 128
		phase(2, terngateName, "terngate S3 PUT", Put, size, 64, 4),   // 16: a disturbed round
		phase(3, terngateName, "terngate S3 PUT", Put, size, 64, 0.8), // 80
		phase(3, terncliName, "terncli cp-into", Put, size, 64, 1),    // 64
		phase(1, terngateName, "terngate S3 GET", Get, size, 64, 1),
		phase(1, terns3Name, "terns3 S3 GET", Get, size, 64, 2),
		phase(2, terngateName, "terngate S3 GET", Get, size, 64, 1), // terns3's round 2 was interrupted
	}
	figures, err := targetFigures(phases)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, f := range figures {
		order = append(order, f.Target+" "+string(f.Op))
	}
	if want := []string{"terngate put", "terncli put", "terngate get", "terns3 get"}; !slices.Equal(order, want) {
		t.Errorf("figures in order %v, want %v", order, want)
	}
	if f := figures[0]; f.Ops != 3 || !slices.Equal(f.MiBPerSecondPerRound, []float64{64, 16, 80}) || !near(f.ServerCPUSecondsPerGiB, 3/0.1875) ||
		!near(f.MachineCPUSecondsPerGiB, 5.8/0.1875) || !near(f.MachineBusy, 0.5) {
		t.Errorf("terngate PUT figures %+v", f)
	}

	comps := compare([]int64{size}, figures)
	if len(comps) != 2 {
		t.Fatalf("%d comparisons, want PUT vs terncli and GET vs terns3: %+v", len(comps), comps)
	}
	put := comps[0]
	if put.Name != "terngate S3 PUT 64MiB ÷ terncli cp-into" || put.Subject != terngateName || put.Yardstick != terncliName {
		t.Errorf("PUT comparison named %q (%s ÷ %s)", put.Name, put.Subject, put.Yardstick)
	}
	if !slices.Equal(put.PerRound, []float64{0.8, 0.125, 1.25}) || put.Median != 0.8 || !put.Met {
		t.Errorf("PUT ratios %v, median %v, met %v; want 0.8, 0.125, 1.25, median 0.8, met", put.PerRound, put.Median, put.Met)
	}
	// Pooled: 192 MiB in 5.8 s against 192 MiB in 2.3 s.
	if !near(put.Pooled, 2.3/5.8) {
		t.Errorf("pooled %v, want %v", put.Pooled, 2.3/5.8)
	}
	get := comps[1]
	if !slices.Equal(get.PerRound, []float64{2}) || get.Median != 2 || get.Goal != 1 || !get.Met {
		t.Errorf("GET comparison %+v", get)
	}

	rep := &Report{Targets: figures, Comparisons: comps, Settings: ReportSettings{Rounds: 3}}
	var out bytes.Buffer
	rep.PrintSummary(&out)
	for _, want := range []string{
		"| terngate S3 PUT 64MiB ÷ terncli cp-into | 33.1 | 83.5 | **0.80** (0.80, 0.12, 1.25) | 0.40 | ≥ 0.80 met |",
		"MET    terngate S3 GET 64MiB ÷ terns3 S3 GET",
		"| terngate | terngate S3 PUT | 64MiB | 33.1 (64, 16, 80) | 3 | ",
		" | 30.93 | 50% |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

// TestAWSCLIComparedWithItsOwnSpeed: the AWS CLI through terngate on the
// cluster is compared with terncli and with the same CLI through a
// terngate on the local store.
func TestAWSCLIComparedWithItsOwnSpeed(t *testing.T) {
	const size = 64 << 20
	figures, err := targetFigures([]Phase{
		phase(1, terncliName, "terncli cp-into", Put, size, 64, 0.5),
		phase(1, awsName, "aws s3 cp to terngate", Put, size, 64, 2),
		phase(1, awsLocalName, "aws s3 cp to terngate on local disk", Put, size, 64, 1.6),
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range compare([]int64{size}, figures) {
		names = append(names, fmt.Sprintf("%s %.2f %v", c.Name, c.Median, c.Met))
	}
	want := []string{
		"aws s3 cp to terngate 64MiB ÷ terncli cp-into 0.25 false",
		"aws s3 cp to terngate 64MiB ÷ aws s3 cp to terngate on local disk 0.80 true",
	}
	if !slices.Equal(names, want) {
		t.Errorf("comparisons %q, want %q", names, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestRotateStartsEachRoundOneFurther(t *testing.T) {
	ts := []string{"a", "b", "c"}
	for shift, want := range [][]string{{"a", "b", "c"}, {"b", "c", "a"}, {"c", "a", "b"}, {"a", "b", "c"}} {
		if got := rotate(ts, shift); !slices.Equal(got, want) {
			t.Errorf("rotate by %d = %v, want %v", shift, got, want)
		}
	}
	if !slices.Equal(ts, []string{"a", "b", "c"}) {
		t.Errorf("rotate changed its input: %v", ts)
	}
}

func TestSettingsValidate(t *testing.T) {
	good := Settings{Registry: "127.0.0.1:10001", Root: "/terngate-bench/1", TerngateBin: "/bin/true", Terncli: "/bin/true",
		Sizes: []int64{1 << 20}, Concurrency: 1, Duration: 1, Rounds: 1}
	if err := good.Validate(); err != nil {
		t.Fatalf("good settings refused: %v", err)
	}
	for name, change := range map[string]func(*Settings){
		"no registry":   func(s *Settings) { s.Registry = "" },
		"relative root": func(s *Settings) { s.Root = "terngate-bench" },
		"root itself":   func(s *Settings) { s.Root = "/" },
		"unclean root":  func(s *Settings) { s.Root = "/a/../b" },
		"no terncli":    func(s *Settings) { s.Terncli = "" },
		"no sizes":      func(s *Settings) { s.Sizes = nil },
		"zero size":     func(s *Settings) { s.Sizes = []int64{0} },
		"no rounds":     func(s *Settings) { s.Rounds = 0 },
	} {
		s := good
		change(&s)
		if s.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
