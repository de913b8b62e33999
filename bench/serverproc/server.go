// Package serverproc starts the servers a benchmark measures as processes of
// their own (CPU time and RSS are per process), each on a free loopback port
// with a fresh data directory, and stops them.
package serverproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/terngate/terngate/bench/s3client"
)

// Server is one server process under test.
type Server struct {
	Name     string
	Endpoint string // http://host:port
	cmd      *exec.Cmd
	exited   chan struct{}
	waitErr  error
	logPath  string
}

// Spec says how to start a server on a given address and data dir.
type Spec struct {
	Name string
	Argv func(addr, dataDir string) []string
	// Prepare, if set, fills the fresh data dir before the server starts
	// (seeding a big bucket without going through the server).
	Prepare func(dataDir string) error
}

// ReferenceSpec starts the reference server (package refserver) by
// re-executing this binary with command, the hidden subcommand under which
// it calls refserver.RunCommand.
func ReferenceSpec(command ...string) (Spec, error) {
	self, err := os.Executable()
	if err != nil {
		return Spec{}, fmt.Errorf("find own binary: %w", err)
	}
	return Spec{Name: "reference", Argv: func(addr, dir string) []string {
		return append(append([]string{self}, command...), "--listen", addr, "--dir", dir)
	}}, nil
}

// TerngateSpec starts the terngate binary bin with the given key pair and
// no admin listener (its fixed default port could clash with a gateway
// already running on the machine), on the local store in its data dir
// unless storeArgs choose another (--store ternfs ...).
func TerngateSpec(bin string, creds s3client.Credentials, storeArgs ...string) (Spec, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return Spec{}, fmt.Errorf("terngate binary: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return Spec{}, fmt.Errorf("terngate binary: %w", err)
	}
	return Spec{Name: "terngate", Argv: func(addr, dir string) []string {
		return append([]string{abs, "--listen", addr, "--data-dir", dir, "--admin-listen=",
			"--access-key", creds.AccessKey, "--secret-key", creds.SecretKey}, storeArgs...)
	}}, nil
}

// Start launches the server on a free loopback port with a fresh data dir
// under workDir; its output goes to a log file there.
func Start(spec Spec, workDir string) (*Server, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(workDir, spec.Name+"-data")
	if err := os.RemoveAll(dataDir); err != nil {
		return nil, fmt.Errorf("clear %s: %w", dataDir, err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dataDir, err)
	}
	if spec.Prepare != nil {
		if err := spec.Prepare(dataDir); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", dataDir, err)
		}
	}
	logPath := filepath.Join(workDir, spec.Name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create log: %w", err)
	}
	argv := spec.Argv(addr, dataDir)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	s := &Server{Name: spec.Name, Endpoint: "http://" + addr, cmd: cmd, exited: make(chan struct{}), logPath: logPath}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	return s, nil
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Alive reports an error if the process has exited.
func (s *Server) Alive() error {
	select {
	case <-s.exited:
		return fmt.Errorf("%s exited (%v); see %s", s.Name, s.waitErr, s.logPath)
	default:
		return nil
	}
}

// WaitReady retries ready until it succeeds, the process dies or the
// timeout passes.
func (s *Server) WaitReady(ctx context.Context, timeout time.Duration, ready func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	for {
		if err := s.Alive(); err != nil {
			return err
		}
		err := ready(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %w (log: %s)", s.Name, timeout, err, s.logPath)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop asks the server to shut down and kills it if it does not.
func (s *Server) Stop() error {
	if s.Alive() != nil {
		return nil
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %s: %w", s.Name, err)
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("%s ignored SIGTERM for 15s; killed", s.Name)
	}
}

// freeLoopbackAddr picks a port the kernel says is free now; the server
// binds it a moment later (a benign race on a quiet loopback).
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// WorkDir returns dir, created if missing, or a new temporary directory
// that remove deletes: where started servers keep their data and logs.
func WorkDir(dir string) (path string, remove func(), err error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, fmt.Errorf("work dir: %w", err)
		}
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "terngate-bench-")
	if err != nil {
		return "", nil, fmt.Errorf("work dir: %w", err)
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}
