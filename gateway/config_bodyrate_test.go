package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Source: terngate issue 13 (a body trickling below a minimum rate is cut off, with a setting).
func TestMinBodyRateSettings(t *testing.T) {
	cfg, err := loadConfig(nil, envOf(nil), &bytes.Buffer{})
	if err != nil || cfg.MinBodyRate != 1024 || cfg.MinBodyRateWindow != "30s" {
		t.Fatalf("defaults %d %q, %v", cfg.MinBodyRate, cfg.MinBodyRateWindow, err)
	}
	file := filepath.Join(t.TempDir(), "terngate.yaml")
	if err := os.WriteFile(file, []byte("min-body-rate: 10\nmin-body-rate-window: 5s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = loadConfig([]string{"--min-body-rate", "20"}, envOf(map[string]string{
		"TERNGATE_CONFIG": file, "TERNGATE_MIN_BODY_RATE_WINDOW": "7s",
	}), &bytes.Buffer{})
	if err != nil || cfg.MinBodyRate != 20 || cfg.MinBodyRateWindow != "7s" {
		t.Fatalf("flag, env, file: %d %q, %v", cfg.MinBodyRate, cfg.MinBodyRateWindow, err)
	}
	for _, args := range [][]string{{"--min-body-rate", "-1"}, {"--min-body-rate-window", "0s"}, {"--min-body-rate-window", "soon"}} {
		if _, err := loadConfig(args, envOf(nil), &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
