package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestBenchBigListings runs list-large and list-prefixes on small seeded
// sets: the data directory is seeded before terngate starts, list comes
// along as the yardstick, and each big listing gets its ratio and goal.
func TestBenchBigListings(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	t.Setenv(asBinaryEnv, "1")
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "bench.json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := runBench(ctx, []string{
		"--workloads", "list-large,list-prefixes", "--list-large-keys", "1100", "--list-prefixes", "1050",
		"--duration", "500ms", "--rounds", "1", "--concurrency", "2", "--list-objects", "20",
		"--reference=false", "--raw-disk=false", "--work-dir", filepath.Join(dir, "work"),
		"--json", jsonPath, "--png", filepath.Join(dir, "bench.png"),
	}, os.Getenv, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !bytes.Contains(stdout.Bytes(), []byte("listseed: 1100 keys under")) || !bytes.Contains(stdout.Bytes(), []byte("listseed: 1050 keys under")) {
		t.Errorf("the run did not report seeding the data directory:\n%s", stdout.String())
	}
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Workloads []struct {
			Workload string `json:"workload"`
			Target   struct {
				Ops int64 `json:"ops"`
			} `json:"target"`
			VsList *struct {
				Throughput float64 `json:"throughput"`
			} `json:"vs_list"`
		} `json:"workloads"`
		Goals []struct {
			Name string `json:"name"`
		} `json:"goals"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, raw)
	}
	var names, goals []string
	for _, w := range rep.Workloads {
		names = append(names, w.Workload)
		if w.Target.Ops == 0 {
			t.Errorf("%s: no operations", w.Workload)
		}
		if hasRatio := w.VsList != nil && w.VsList.Throughput > 0; hasRatio != (w.Workload != "list") {
			t.Errorf("%s: vs_list %+v", w.Workload, w.VsList)
		}
	}
	for _, g := range rep.Goals {
		goals = append(goals, g.Name)
	}
	if want := []string{"list", "list-large", "list-prefixes"}; !slices.Equal(names, want) {
		t.Errorf("workloads %q, want %q", names, want)
	}
	if want := []string{"list-large throughput vs list", "list-prefixes throughput vs list"}; !slices.Equal(goals, want) {
		t.Errorf("goals %q, want %q", goals, want)
	}
}
