package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// pathWithFakeTerncli puts a do-nothing terncli alone on PATH, so the
// defaults find it and nothing else (no terns3, no aws).
func pathWithFakeTerncli(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "terncli")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return bin
}

func TestBenchTernFSFlags(t *testing.T) {
	terncli := pathWithFakeTerncli(t)
	var stderr bytes.Buffer
	plan, out, err := parseBenchFlags([]string{"--ternfs-registry", "127.0.0.1:10001", "--sizes", "64MiB, 1GiB", "--json", "r.json"}, os.Getenv, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	s := plan.ternfs
	if s == nil {
		t.Fatal("--ternfs-registry did not select the TernFS run")
	}
	if s.Registry != "127.0.0.1:10001" || !slices.Equal(s.Sizes, []int64{64 << 20, 1 << 30}) || out.json != "r.json" {
		t.Errorf("settings %+v, outputs %+v", s, out)
	}
	if s.Concurrency != 1 || s.Duration != 2*time.Second || s.Rounds != 3 {
		t.Errorf("TernFS defaults: concurrency %d, duration %v, rounds %d; want 1, 2s, 3", s.Concurrency, s.Duration, s.Rounds)
	}
	if !strings.HasPrefix(s.Root, "/terngate-bench/") || s.Terncli != terncli || s.Terns3 != "" || s.AWS != "" || s.TerngateBin == "" {
		t.Errorf("root %q, terncli %q, terns3 %q, aws %q, terngate %q", s.Root, s.Terncli, s.Terns3, s.AWS, s.TerngateBin)
	}
	if !strings.Contains(stderr.String(), "terns3 not found") || !strings.Contains(stderr.String(), "aws not found") {
		t.Errorf("skipped tools not mentioned: %s", stderr.String())
	}

	plan, _, err = parseBenchFlags([]string{"--ternfs-registry", "r:1", "--rounds", "5", "--concurrency", "2", "--duration", "1ns", "--ternfs-root", "/b/1", "--keep",
		"--ternfs-span-policy", "27484160:10+4"}, os.Getenv, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if s := plan.ternfs; s.Rounds != 5 || s.Concurrency != 2 || s.Duration != 1 || s.Root != "/b/1" || !s.Keep || s.SpanPolicy != "27484160:10+4" {
		t.Errorf("explicit flags not kept: %+v", s)
	}

	for _, args := range [][]string{
		{"--ternfs-registry", "r:1", "--workloads", "put"},       // local-store flags do not apply
		{"--ternfs-registry", "r:1", "--endpoint", "http://x:1"}, // nor does another endpoint
		{"--ternfs-registry", "r:1", "--peak-rss", "1GiBx8"},     // nor the peak-RSS burst
		{"--terns3", "/opt/terns3"},                              // TernFS flags need a registry
		{"--ternfs-registry", "r:1", "--terns3", "/nonexistent/terns3"},
		{"--ternfs-registry", "r:1", "--terncli", "/nonexistent/terncli"},
		{"--ternfs-registry", "r:1", "--sizes", "64MB"},
		{"--ternfs-registry", "r:1", "--ternfs-root", "relative"},
		{"--ternfs-registry", "r:1", "--ternfs-span-policy", "1000:10+4"}, // spans must hold more than inline data
		{"--ternfs-span-policy", "27484160:10+4"},                         // needs a registry
	} {
		if _, _, err := parseBenchFlags(args, os.Getenv, &stderr); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// TestBenchTernFSEndToEnd runs a tiny TernFS benchmark against the cluster
// TERNFS_REGISTRY names, with terncli (and terns3, aws) from PATH or
// TERNFS_TERNCLI and TERNFS_TERNS3, and checks the JSON and the chart. No
// figure is asserted: only that every comparison was measured.
func TestBenchTernFSEndToEnd(t *testing.T) {
	registry := os.Getenv("TERNFS_REGISTRY")
	if registry == "" {
		t.Skip("TERNFS_REGISTRY is not set: no TernFS cluster to benchmark on (e.g. TERNFS_REGISTRY=127.0.0.1:10001)")
	}
	terncli := toolFromEnv("TERNFS_TERNCLI", "terncli")
	if terncli == "" {
		t.Skip("no terncli on PATH and TERNFS_TERNCLI is not set")
	}
	const policy = "27484160:10+4"
	args := []string{"--ternfs-registry", registry, "--terncli", terncli, "--sizes", "6MiB", "--rounds", "2", "--duration", "1ns",
		"--ternfs-span-policy", policy}
	want := []string{"terngate S3 PUT 6MiB ÷ terncli cp-into", "terngate S3 GET 6MiB ÷ terncli cp-outof"}
	if terns3 := toolFromEnv("TERNFS_TERNS3", "terns3"); terns3 != "" {
		args = append(args, "--terns3", terns3)
		want = append(want, "terngate S3 PUT 6MiB ÷ terns3 S3 PUT", "terngate S3 GET 6MiB ÷ terns3 S3 GET")
	} else {
		args = append(args, "--terns3=")
	}
	if aws, err := exec.LookPath("aws"); err == nil {
		args = append(args, "--aws", aws)
		want = append(want, "aws s3 cp to terngate 6MiB ÷ terncli cp-into",
			"aws s3 cp to terngate 6MiB ÷ aws s3 cp to terngate on local disk")
	} else {
		args = append(args, "--aws=")
	}
	t.Setenv(asBinaryEnv, "1")
	dir := t.TempDir()
	jsonPath, pngPath := filepath.Join(dir, "bench.json"), filepath.Join(dir, "bench.png")
	args = append(args, "--work-dir", filepath.Join(dir, "work"), "--json", jsonPath, "--png", pngPath)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := runBench(ctx, args, os.Getenv, &stdout, &stderr); err != nil {
		t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}

	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Root     string `json:"ternfs_root"`
		Settings struct {
			SpanPolicy string `json:"ternfs_span_policy"`
		} `json:"settings"`
		Targets []struct {
			Target     string  `json:"target"`
			MachineCPU float64 `json:"machine_cpu_seconds_per_gib"`
			Busy       float64 `json:"machine_busy"`
		} `json:"targets"`
		Comparisons []struct {
			Name     string    `json:"name"`
			PerRound []float64 `json:"ratio_per_round"`
			Median   float64   `json:"ratio_median"`
		} `json:"comparisons"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, raw)
	}
	var got []string
	for _, c := range rep.Comparisons {
		got = append(got, c.Name)
		if len(c.PerRound) != 2 || c.Median <= 0 {
			t.Errorf("%s: ratios %v, median %v", c.Name, c.PerRound, c.Median)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("comparisons %q, want %q", got, want)
	}
	if !strings.HasPrefix(rep.Root, "/terngate-bench/") {
		t.Errorf("run directory %q", rep.Root)
	}
	if rep.Settings.SpanPolicy != policy {
		t.Errorf("span policy recorded as %q, want %q", rep.Settings.SpanPolicy, policy)
	}
	for _, f := range rep.Targets {
		// Every copy keeps some CPU busy; tick rounding can overshoot 1.
		if f.MachineCPU <= 0 || f.Busy <= 0 || f.Busy > 1.5 {
			t.Errorf("%s: machine CPU %v s/GiB, busy %v", f.Target, f.MachineCPU, f.Busy)
		}
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("PNG: %v", err)
	}
}

// toolFromEnv is $env, else name found on PATH, else "".
func toolFromEnv(env, name string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}
