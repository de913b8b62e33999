package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSigV2Setting: SigV2 is on by default and turned off by the flag, the
// environment or the file, with the usual precedence.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html (on by default: issue 13).
func TestSigV2Setting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yaml")
	if err := os.WriteFile(file, []byte("sigv2: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"default", nil, nil, true},
		{"flag", []string{"--sigv2=false"}, nil, false},
		{"environment", nil, map[string]string{"TERNGATE_SIGV2": "false"}, false},
		{"file", []string{"--config", file}, nil, false},
		{"flag over environment", []string{"--sigv2=true"}, map[string]string{"TERNGATE_SIGV2": "false"}, true},
	}
	for _, tc := range cases {
		cfg, err := loadConfig(tc.args, envOf(tc.env), &bytes.Buffer{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if cfg.SigV2 != tc.want {
			t.Errorf("%s: SigV2 = %v, want %v", tc.name, cfg.SigV2, tc.want)
		}
	}
}
