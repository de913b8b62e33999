package chart

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/terngate/terngate/bench/ternfsbench"
	"github.com/terngate/terngate/bench/workload"
)

func TestWriteTernFSPNGDrawsThroughputAndRatios(t *testing.T) {
	figures := func(target string, o ternfsbench.Op, mib float64) ternfsbench.Figures {
		return ternfsbench.Figures{Target: target, Op: o, Size: 64 << 20, Result: workload.Result{MiBPerSecond: mib}}
	}
	rep := &ternfsbench.Report{
		Settings: ternfsbench.ReportSettings{Concurrency: 1, Rounds: 3},
		Targets: []ternfsbench.Figures{
			figures("terngate", ternfsbench.Put, 40), figures("terncli", ternfsbench.Put, 50), figures("aws-cli", ternfsbench.Put, 20),
			figures("terngate", ternfsbench.Get, 60), figures("terncli", ternfsbench.Get, 55),
		},
		Comparisons: []ternfsbench.Comparison{
			{Op: ternfsbench.Put, Size: 64 << 20, Subject: "terngate", Yardstick: "terncli", PerRound: []float64{0.7, 0.8, 0.9}, Median: 0.8, Goal: 0.8},
			{Op: ternfsbench.Get, Size: 64 << 20, Subject: "terngate", Yardstick: "terncli", PerRound: []float64{1.1}, Median: 1.1, Goal: 0.8},
		},
	}
	path := filepath.Join(t.TempDir(), "ternfs.png")
	if err := WriteTernFSPNG(rep, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 500 {
		t.Errorf("PNG is only %v", b)
	}
	if err := WriteTernFSPNG(&ternfsbench.Report{}, path); err == nil {
		t.Error("an empty report was drawn")
	}
}
