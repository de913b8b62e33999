package main

import (
	"io"
	"testing"
)

// The versioning workloads' flags: defaults measure 100,000 versions, and
// settings that cannot work are refused before anything starts.
func TestVersionsBenchFlags(t *testing.T) {
	noEnv := func(string) string { return "" }
	s, err := parseVersionsBenchFlags(nil, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.listVersions != 100000 || s.endpoint != "" || s.overwrites < 1 {
		t.Errorf("defaults: %+v", s)
	}
	for _, args := range [][]string{
		{"--list-versions", "10", "--list-keys", "20"},
		{"--concurrency", "0"},
		{"--endpoint", "http://127.0.0.1:1"},
	} {
		if _, err := parseVersionsBenchFlags(args, noEnv, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	env := map[string]string{"TERNGATE_ACCESS_KEY": "ak", "TERNGATE_SECRET_KEY": "sk"}
	if _, err := parseVersionsBenchFlags([]string{"--endpoint", "http://127.0.0.1:1"}, func(k string) string { return env[k] }, io.Discard); err != nil {
		t.Errorf("--endpoint with keys from the environment: %v", err)
	}
}
