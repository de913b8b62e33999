package dirlock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Source: terngate issue 13 ("A newcomer's first hour").
func TestSecondAcquireNamesTheHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir)
	var inUse *InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, ErrInUse) {
		t.Fatalf("second Acquire: %v, want an InUseError", err)
	}
	if inUse.PID != os.Getpid() {
		t.Errorf("holder pid %d, want %d", inUse.PID, os.Getpid())
	}
	if want := "data dir " + dir + " is in use by pid " + strconv.Itoa(os.Getpid()); err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	again.Release()
}

// TestHolderInAnotherProcess: flock(1) holds the lock from another process
// (as a running gateway would) and leaves no pid: the error still says the
// dir is in use, without inventing a holder.
func TestHolderInAnotherProcess(t *testing.T) {
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Fatalf("flock(1) from util-linux is needed: %v", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(flock, "--exclusive", path, "sh", "-c", "echo locked; read x")
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	buf := make([]byte, 16)
	if n, _ := out.Read(buf); !strings.Contains(string(buf[:n]), "locked") {
		t.Fatalf("flock did not report holding the lock: %q", buf[:n])
	}
	_, err = Acquire(dir)
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.PID != 0 {
		t.Fatalf("Acquire: %v, want an InUseError without a pid", err)
	}
	if !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("error %q", err)
	}
}
