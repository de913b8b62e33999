package compat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// terngateBinary is the gateway under test: built once here, or taken from
// $TERNGATE_E2E_BINARY to test a given build (the same switch as e2e/).
var terngateBinary string

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if prebuilt := os.Getenv("TERNGATE_E2E_BINARY"); prebuilt != "" {
		terngateBinary = prebuilt
	} else {
		dir, err := os.MkdirTemp("", "terngate-compat-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "compat: temp dir:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		terngateBinary = filepath.Join(dir, "terngate")
		build := exec.Command("go", "build", "-o", terngateBinary, "github.com/terngate/terngate/gateway")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "compat: building the terngate binary failed:", err)
			return 1
		}
	}
	code := m.Run()
	// The table goes to stdout: `go test -v ./compat/` shows it always,
	// plain `go test` shows it when something failed. CI, whose plain
	// `go test ./...` hides a passing package's output, names a file in
	// TERNGATE_COMPAT_TABLE to get it either way.
	printReport(os.Stdout)
	if path := os.Getenv("TERNGATE_COMPAT_TABLE"); path != "" {
		if err := writeReportFile(path); err != nil {
			fmt.Fprintln(os.Stderr, "compat: writing the table:", err)
			return 1
		}
	}
	return code
}

func writeReportFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	printReport(f)
	return f.Close()
}
