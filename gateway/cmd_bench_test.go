package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// asBinaryEnv makes the test binary behave as the terngate binary: `terngate
// bench` re-executes itself (os.Executable) to start terngate and the
// reference server, which in a test is this binary.
const asBinaryEnv = "TERNGATE_TEST_AS_BINARY"

func TestMain(m *testing.M) {
	if os.Getenv(asBinaryEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestBenchEndToEnd runs every workload briefly against a terngate it
// starts, beside the reference server and the raw disk, and checks the JSON
// and the PNG.
func TestBenchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	t.Setenv(asBinaryEnv, "1")
	dir := t.TempDir()
	jsonPath, pngPath := filepath.Join(dir, "bench.json"), filepath.Join(dir, "bench.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := runBench(ctx, []string{
		"--duration", "500ms", "--rounds", "1", "--concurrency", "2",
		"--size", "6MiB", "--part-size", "5MiB", "--small-size", "1KiB", "--mixed-size", "16KiB", "--list-objects", "20",
		"--work-dir", filepath.Join(dir, "work"), "--json", jsonPath, "--png", pngPath,
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}

	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Target    string `json:"target"`
		Workloads []struct {
			Workload string `json:"workload"`
			Target   struct {
				Ops              int64   `json:"ops"`
				ServerCPUSeconds float64 `json:"server_cpu_seconds"`
				Latency          struct {
					P50, P99 float64
				} `json:"latency_ms"`
			} `json:"target"`
			Reference *struct {
				Ops int64 `json:"ops"`
			} `json:"reference"`
			RawDisk *struct {
				Ops int64 `json:"ops"`
			} `json:"raw_disk"`
			VsReference *struct {
				Throughput float64 `json:"throughput"`
			} `json:"vs_reference"`
		} `json:"workloads"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, raw)
	}
	if rep.Target != "terngate" {
		t.Errorf("target %q", rep.Target)
	}
	want := []string{"put", "get", "multipart", "list", "small-put", "small-get", "mixed"}
	if len(rep.Workloads) != len(want) {
		t.Fatalf("%d workloads in the JSON, want %d:\n%s", len(rep.Workloads), len(want), raw)
	}
	for i, w := range rep.Workloads {
		if w.Workload != want[i] {
			t.Errorf("workload %d is %q, want %q", i, w.Workload, want[i])
		}
		if w.Target.Ops == 0 || w.Target.ServerCPUSeconds <= 0 || w.Target.Latency.P50 <= 0 || w.Target.Latency.P99 < w.Target.Latency.P50 {
			t.Errorf("%s: terngate figures %+v", w.Workload, w.Target)
		}
		hasRef := w.Workload != "list"
		if hasRef != (w.Reference != nil && w.Reference.Ops > 0 && w.VsReference != nil && w.VsReference.Throughput > 0) {
			t.Errorf("%s: reference %+v ratio %+v", w.Workload, w.Reference, w.VsReference)
		}
		hasDisk := w.Workload != "list" && w.Workload != "mixed"
		if hasDisk != (w.RawDisk != nil && w.RawDisk.Ops > 0) {
			t.Errorf("%s: raw disk %+v", w.Workload, w.RawDisk)
		}
	}

	f, err := os.Open(pngPath)
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
}

func TestBenchFlagsNeedKeysForAnEndpoint(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	var stderr bytes.Buffer
	if _, _, err := parseBenchFlags([]string{"--endpoint", "http://127.0.0.1:1"}, &stderr); err == nil {
		t.Error("an endpoint without keys was accepted")
	}
	if _, _, err := parseBenchFlags([]string{"--part-size", "1MiB"}, &stderr); err == nil {
		t.Error("a part size below S3's 5 MiB minimum was accepted")
	}
	if _, _, err := parseBenchFlags([]string{"--workloads", "put,nope"}, &stderr); err == nil {
		t.Error("an unknown workload was accepted")
	}
}
