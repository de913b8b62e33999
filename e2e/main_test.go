package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// terngateBinary is the path of the gateway binary used by every test: built
// once by TestMain, or taken from $TERNGATE_E2E_BINARY to test a given build.
var terngateBinary string

func TestMain(m *testing.M) {
	if prebuilt := os.Getenv("TERNGATE_E2E_BINARY"); prebuilt != "" {
		terngateBinary = prebuilt
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "terngate-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		os.Exit(1)
	}
	terngateBinary = filepath.Join(dir, "terngate")
	build := exec.Command("go", "build", "-o", terngateBinary, "github.com/terngate/terngate/gateway")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the terngate binary failed:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
