package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Source: terngate issue 13 ("A newcomer's first hour").
func TestByteSizeUnits(t *testing.T) {
	for in, want := range map[string]int64{
		"5368709120": 5 << 30,
		"5GiB":       5 << 30,
		"5GB":        5_000_000_000,
		"5 GiB":      5 << 30,
		"256MiB":     256 << 20,
		"256mib":     256 << 20,
		"64k":        64_000,
		"1.5GiB":     3 << 29,
	} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "five", "-1", "5XB", "99999999999EiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, b)
		}
	}
	for n, want := range map[int64]string{5 << 30: "5GiB", 256 << 20: "256MiB", 1000: "1000", 3 << 29: "1536MiB", 0: "0"} {
		b := byteSize(n)
		if got := b.String(); got != want {
			t.Errorf("String(%d) = %q, want %q", n, got, want)
		}
	}
}

// Size settings take units from flags, the environment and the config file
// alike (issue 13: `--max-put-size 5GiB` used to be "invalid value").
func TestSizeSettingsTakeUnits(t *testing.T) {
	cfg, err := loadConfig([]string{"--max-put-size", "1GiB"}, envOf(map[string]string{"TERNGATE_TERNFS_BUFFER_MEMORY": "64MiB"}), &bytes.Buffer{})
	if err != nil || cfg.MaxPutSize != 1<<30 || cfg.TernFSBufferMemory != 64<<20 {
		t.Fatalf("flag and environment: %d, %d, %v", cfg.MaxPutSize, cfg.TernFSBufferMemory, err)
	}
	file := filepath.Join(t.TempDir(), "terngate.yaml")
	if err := os.WriteFile(file, []byte("max-put-size: 5GB\nternfs-buffer-memory: 134217728\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err = loadConfig([]string{"--config", file}, envOf(nil), &bytes.Buffer{})
	if err != nil || cfg.MaxPutSize != 5_000_000_000 || cfg.TernFSBufferMemory != 128<<20 {
		t.Fatalf("config file: %d, %d, %v", cfg.MaxPutSize, cfg.TernFSBufferMemory, err)
	}
	_, err = loadConfig([]string{"--max-put-size", "6GiB"}, envOf(nil), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "max-put-size") {
		t.Errorf("6GiB is over S3's limit: %v", err)
	}
	var help bytes.Buffer
	loadConfig([]string{"--help"}, envOf(nil), &help)
	if !strings.Contains(help.String(), `(default "5GiB")`) {
		t.Errorf("help does not show the size default with its unit:\n%s", help.String())
	}
}
