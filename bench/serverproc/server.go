package main

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
)

// server is one server process under test.
type server struct {
	name     string
	endpoint string // http://host:port
	cmd      *exec.Cmd
	exited   chan struct{}
	waitErr  error
	logPath  string
}

// serverSpec says how to start a server on a given address and data dir.
type serverSpec struct {
	name string
	argv func(addr, dataDir string) []string
}

func referenceSpec() (serverSpec, error) {
	self, err := os.Executable()
	if err != nil {
		return serverSpec{}, fmt.Errorf("find own binary: %w", err)
	}
	return serverSpec{name: "reference", argv: func(addr, dir string) []string {
		return []string{self, refserverCommand, "--listen", addr, "--dir", dir}
	}}, nil
}

func terngateSpec(bin string, creds credentials) (serverSpec, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return serverSpec{}, fmt.Errorf("terngate binary: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return serverSpec{}, fmt.Errorf("terngate binary: %w", err)
	}
	return serverSpec{name: "terngate", argv: func(addr, dir string) []string {
		return []string{abs, "--listen", addr, "--data-dir", dir,
			"--access-key", creds.accessKey, "--secret-key", creds.secretKey}
	}}, nil
}

// start launches the server on a free loopback port with a fresh data dir
// under workDir; its output goes to a log file there.
func start(spec serverSpec, workDir string) (*server, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(workDir, spec.name+"-data")
	if err := os.RemoveAll(dataDir); err != nil {
		return nil, fmt.Errorf("clear %s: %w", dataDir, err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dataDir, err)
	}
	logPath := filepath.Join(workDir, spec.name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create log: %w", err)
	}
	argv := spec.argv(addr, dataDir)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", spec.name, err)
	}
	s := &server{name: spec.name, endpoint: "http://" + addr, cmd: cmd, exited: make(chan struct{}), logPath: logPath}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// alive reports an error if the process has exited.
func (s *server) alive() error {
	select {
	case <-s.exited:
		return fmt.Errorf("%s exited (%v); see %s", s.name, s.waitErr, s.logPath)
	default:
		return nil
	}
}

// waitReady retries ready until it succeeds, the process dies or the
// timeout passes.
func (s *server) waitReady(ctx context.Context, timeout time.Duration, ready func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	for {
		if err := s.alive(); err != nil {
			return err
		}
		err := ready(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %w (log: %s)", s.name, timeout, err, s.logPath)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop asks the server to shut down and kills it if it does not.
func (s *server) stop() error {
	if s.alive() != nil {
		return nil
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %s: %w", s.name, err)
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("%s ignored SIGTERM for 15s; killed", s.name)
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
