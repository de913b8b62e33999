package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
// starts, beside the reference server and the raw disk, then the peak-RSS
// burst, and checks the JSON and the PNG, written to --out and nowhere
// else.
func TestBenchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	t.Setenv(asBinaryEnv, "1")
	dir := t.TempDir()
	cwd := emptyWorkingDir(t)
	outDir := filepath.Join(dir, "reports")
	jsonPath, pngPath := filepath.Join(outDir, "bench.json"), filepath.Join(outDir, "bench.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := runBench(ctx, []string{
		"--duration", "500ms", "--rounds", "1", "--concurrency", "2",
		"--size", "6MiB", "--part-size", "5MiB", "--small-size", "1KiB", "--mixed-size", "16KiB", "--list-objects", "20",
		"--peak-rss", "6MiBx2", "--work-dir", filepath.Join(dir, "work"), "--out", outDir,
	}, os.Getenv, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	assertDirEmpty(t, cwd)
	for _, p := range []string{jsonPath, pngPath} {
		if !strings.Contains(stdout.String(), "bench: wrote "+p+"\n") {
			t.Errorf("the run did not say it wrote %s:\n%s", p, stdout.String())
		}
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
		PeakRSS []struct {
			Target      string  `json:"target"`
			Op          string  `json:"op"`
			Ops         int64   `json:"ops"`
			ServerPeak  int64   `json:"server_peak_rss_bytes"`
			ServerCPUPG float64 `json:"server_cpu_seconds_per_gib"`
		} `json:"peak_rss"`
		Goals []struct {
			Name string `json:"name"`
		} `json:"goals"`
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

	// Each of the burst's two workers PUTs once, on terngate and on the
	// reference, both watched.
	if len(rep.PeakRSS) != 2 {
		t.Fatalf("peak RSS results %+v, want terngate's and the reference's", rep.PeakRSS)
	}
	for i, name := range []string{"terngate", "reference"} {
		b := rep.PeakRSS[i]
		if b.Target != name || b.Op != "put 6MiBx2" || b.Ops != 2 || b.ServerPeak <= 0 || b.ServerCPUPG <= 0 {
			t.Errorf("peak RSS %d: %+v, want %s's two PUTs of 6 MiB with RSS and CPU", i, b, name)
		}
	}
	var goals []string
	for _, g := range rep.Goals {
		goals = append(goals, g.Name)
	}
	for _, want := range []string{"put 6MiB server CPU vs reference", "get 6MiB server CPU vs reference", "peak RSS, 2 PUTs of 6MiB at once (MiB)"} {
		if !slices.Contains(goals, want) {
			t.Errorf("no goal %q in %q", want, goals)
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
	noEnv := func(string) string { return "" }
	var stderr bytes.Buffer
	if _, _, err := parseBenchFlags([]string{"--endpoint", "http://127.0.0.1:1"}, noEnv, &stderr); err == nil {
		t.Error("an endpoint without keys was accepted")
	}
	if _, _, err := parseBenchFlags([]string{"--part-size", "1MiB"}, noEnv, &stderr); err == nil {
		t.Error("a part size below S3's 5 MiB minimum was accepted")
	}
	if _, _, err := parseBenchFlags([]string{"--workloads", "put,nope"}, noEnv, &stderr); err == nil {
		t.Error("an unknown workload was accepted")
	}
	for _, bad := range []string{"1GiBx0", "8x1GiB", "1GB"} {
		if _, _, err := parseBenchFlags([]string{"--peak-rss", bad}, noEnv, &stderr); err == nil {
			t.Errorf("--peak-rss %s accepted", bad)
		}
	}
	plan, _, err := parseBenchFlags([]string{"--peak-rss", "1GiBx8"}, noEnv, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if b := plan.local.PeakRSS; b == nil || b.Size != 1<<30 || b.Concurrency != 8 {
		t.Errorf("--peak-rss 1GiBx8: %+v", b)
	}
	if plan, _, _ := parseBenchFlags(nil, noEnv, &stderr); plan.local.PeakRSS != nil {
		t.Error("the peak-RSS burst runs without --peak-rss")
	}
}

// TestBenchHelpShowsNoSecret: the keys default to the AWS environment
// variables, but --help names the variables, never their values.
// Source: terngate issue 13 ("A newcomer's first hour").
func TestBenchHelpShowsNoSecret(t *testing.T) {
	const accessKey, secretKey = "AKIDBENCHHELPTEST", "bench-help-secret-wJalrXUtnFEMI"
	env := map[string]string{"AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey}
	getenv := func(k string) string { return env[k] }
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"bench", "--help"}, getenv, &stdout, &stderr)
	if !errors.Is(err, errHelp) {
		t.Fatalf("--help: %v", err)
	}
	help := stdout.String() + stderr.String()
	if strings.Contains(help, secretKey) || strings.Contains(help, accessKey) {
		t.Errorf("--help shows a key from the environment:\n%s", help)
	}
	for _, want := range []string{"$AWS_SECRET_ACCESS_KEY", "-out directory", "$TMPDIR"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help does not mention %q:\n%s", want, help)
		}
	}

	// The environment still supplies the keys.
	plan, _, err := parseBenchFlags([]string{"--endpoint", "http://127.0.0.1:1"}, getenv, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c := plan.local.Credentials; c.AccessKey != accessKey || c.SecretKey != secretKey {
		t.Errorf("credentials %+v, want the environment's", c)
	}
	plan, _, err = parseBenchFlags([]string{"--endpoint", "http://127.0.0.1:1", "--secret-key", "given"}, getenv, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if plan.local.Credentials.SecretKey != "given" {
		t.Errorf("--secret-key lost to the environment: %+v", plan.local.Credentials)
	}
}

// TestBenchOutputsNeverDefaultToTheWorkingDir: without --out the reports go
// to a new directory under $TMPDIR; --out is created; with both files
// named, no directory is made at all.
// Source: terngate issue 13 ("A newcomer's first hour").
func TestBenchOutputsNeverDefaultToTheWorkingDir(t *testing.T) {
	cwd := emptyWorkingDir(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	parse := func(args ...string) benchOutputs {
		t.Helper()
		var stderr bytes.Buffer
		_, out, err := parseBenchFlags(args, func(string) string { return "" }, &stderr)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if out, err = out.resolve(); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return out
	}

	out := parse()
	if filepath.Dir(out.dir) != tmp || out.json != filepath.Join(out.dir, "bench.json") || out.png != filepath.Join(out.dir, "bench.png") {
		t.Errorf("default outputs %+v, want bench.json and bench.png in a new directory under %s", out, tmp)
	}
	if info, err := os.Stat(out.dir); err != nil || !info.IsDir() {
		t.Errorf("report directory %s: %v", out.dir, err)
	}

	want := filepath.Join(tmp, "a", "b")
	out = parse("--out", want, "--png", filepath.Join(tmp, "chart.png"))
	if out.json != filepath.Join(want, "bench.json") || out.png != filepath.Join(tmp, "chart.png") {
		t.Errorf("--out %s --png: outputs %+v", want, out)
	}
	if _, err := os.Stat(want); err != nil {
		t.Errorf("--out not created: %v", err)
	}

	before, _ := os.ReadDir(tmp)
	out = parse("--json", filepath.Join(tmp, "r.json"), "--png", filepath.Join(tmp, "r.png"))
	if after, _ := os.ReadDir(tmp); len(after) != len(before) || out.dir != "" {
		t.Errorf("a directory was made though both files were named: %+v", out)
	}
	assertDirEmpty(t, cwd)
}

// emptyWorkingDir makes the test run in a new empty directory and returns it.
func emptyWorkingDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

func assertDirEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s was written in the working directory %s", e.Name(), dir)
	}
}
