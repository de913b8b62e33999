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

// TestBenchSSE runs sse-put and sse-get on small objects: the started
// terngate gets key rings, every round measures SSE-S3 and SSE-KMS beside
// plaintext on the same server, and each mode gets its ratio and goal.
func TestBenchSSE(t *testing.T) {
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
		"--workloads", "sse-put,sse-get", "--size", "1MiB",
		"--duration", "300ms", "--rounds", "1", "--concurrency", "2",
		"--reference=false", "--raw-disk=false", "--work-dir", filepath.Join(dir, "work"),
		"--json", jsonPath, "--png", filepath.Join(dir, "bench.png"),
	}, os.Getenv, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Workloads []struct {
			Workload string `json:"workload"`
			Target   struct {
				Op  string `json:"op"`
				Ops int64  `json:"ops"`
			} `json:"target"`
			SSE []struct {
				Mode        string `json:"mode"`
				Op          string `json:"op"`
				Ops         int64  `json:"ops"`
				VsPlaintext *struct {
					Throughput float64 `json:"throughput"`
				} `json:"vs_plaintext"`
			} `json:"sse"`
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
			t.Errorf("%s: no plaintext operations", w.Workload)
		}
		var modes []string
		for _, m := range w.SSE {
			modes = append(modes, m.Mode+": "+m.Op)
			if m.Ops == 0 || m.VsPlaintext == nil || m.VsPlaintext.Throughput <= 0 {
				t.Errorf("%s %s: %+v", w.Workload, m.Mode, m)
			}
		}
		verb := map[string]string{"sse-put": "put", "sse-get": "get"}[w.Workload]
		if want := []string{"SSE-S3: " + verb + " 1MiB SSE-S3", "SSE-KMS: " + verb + " 1MiB SSE-KMS"}; !slices.Equal(modes, want) || w.Target.Op != verb+" 1MiB" {
			t.Errorf("%s: plaintext %q, modes %q, want %q", w.Workload, w.Target.Op, modes, want)
		}
	}
	for _, g := range rep.Goals {
		goals = append(goals, g.Name)
	}
	if want := []string{"sse-put", "sse-get"}; !slices.Equal(names, want) {
		t.Errorf("workloads %q, want %q", names, want)
	}
	if want := []string{"sse-put 1MiB SSE-S3 vs plaintext", "sse-put 1MiB SSE-KMS vs plaintext", "sse-get 1MiB SSE-S3 vs plaintext", "sse-get 1MiB SSE-KMS vs plaintext"}; !slices.Equal(goals, want) {
		t.Errorf("goals %q, want %q", goals, want)
	}
}
