package main

import (
	"os"
	"strings"
	"testing"
)

// The README's configuration table is the users' reference: every setting
// the program has must be in it, with its environment variable.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	for _, o := range cfg.options() {
		row := "| `--" + o.name + "` | `" + envName(o.name) + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no configuration row %q", row)
		}
	}
}
