package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/syncbuf"
)

const (
	testAccessKey = "E2EACCESSKEY00000000"
	testSecretKey = "e2e/secret/key/0000000000000000000000000"
	testRegion    = "us-east-1"
	readyTimeout  = 30 * time.Second
	stopTimeout   = 40 * time.Second
	// failStopTimeout bounds the SIGTERM of a failed test's gateway
	// (stopForLog) before it is killed.
	failStopTimeout = 5 * time.Second
	// logWait is how long a test waits for a log line to be written: far
	// more than the gateway's default --log-flush-interval.
	logWait = 5 * time.Second
)

// launchSpec says exactly how to run the binary: the caller controls flags
// and environment, and tells the harness where the gateway will listen.
type launchSpec struct {
	args []string
	env  []string // added to a scrubbed copy of the test's environment
	addr string   // host:port the gateway is expected to listen on
	// caFile, when set, means the gateway serves HTTPS with the
	// certificate in this file (which it may create at start).
	caFile string
	// stderr, when set, is the gateway's stderr instead of a buffer the
	// harness keeps.
	stderr *os.File
}

// gateway is one running terngate process.
type gateway struct {
	t         testing.TB
	addr      string
	dataDir   string
	caFile    string // the CA bundle of an HTTPS gateway; empty for HTTP
	accessKey string
	secretKey string
	adminAddr string // host:port of the admin listener
	cmd       *exec.Cmd
	stdout    *syncbuf.Buffer
	stderr    *syncbuf.Buffer
	exited    chan struct{}
	exitErr   error
}

// startGateway runs terngate on dataDir with the test key pair on a fresh
// port and waits until it serves.
func startGateway(t testing.TB, dataDir string, extraArgs ...string) *gateway {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{
		"--listen", addr,
		"--data-dir", dataDir,
		"--access-key", testAccessKey,
		"--secret-key", testSecretKey,
	}, extraArgs...)
	g := launch(t, launchSpec{args: args, addr: addr})
	g.dataDir = dataDir
	g.accessKey, g.secretKey = testAccessKey, testSecretKey
	return g
}

// launch starts the binary as spec says and waits for readiness.
func launch(t testing.TB, spec launchSpec) *gateway {
	t.Helper()
	g := &gateway{
		t:      t,
		addr:   spec.addr,
		caFile: spec.caFile,
		stdout: &syncbuf.Buffer{},
		stderr: &syncbuf.Buffer{},
		exited: make(chan struct{}),
	}
	// Each gateway gets an admin port of its own: the default one
	// (127.0.0.1:9001) would be shared by gateways running side by side.
	args := spec.args
	if i := slices.Index(args, "--admin-listen"); i >= 0 && i+1 < len(args) {
		g.adminAddr = args[i+1]
	} else {
		g.adminAddr = freeAddr(t)
		args = slices.Concat(args, []string{"--admin-listen", g.adminAddr})
	}
	args = withTernFSStore(args)
	g.cmd = exec.Command(terngateBinary, args...)
	g.cmd.Env = append(scrubbedEnv(), spec.env...)
	g.cmd.Stdout, g.cmd.Stderr = g.stdout, g.stderr
	if spec.stderr != nil {
		g.cmd.Stderr = spec.stderr
	}
	if err := g.cmd.Start(); err != nil {
		t.Fatalf("start terngate: %v", err)
	}
	go func() {
		g.exitErr = g.cmd.Wait()
		close(g.exited)
	}()
	t.Cleanup(func() {
		switch {
		case g.hasExited():
		case t.Failed():
			g.stopForLog()
		default:
			g.kill()
		}
		if t.Failed() {
			t.Logf("terngate %s stdout:\n%s\nstderr (tail):\n%s", g.addr, g.stdout.String(), syncbuf.Tail(g.stderr.String(), 6000))
		}
	})
	g.waitReady()
	return g
}

// scrubbedEnv is the test's environment without anything that could
// configure terngate or an AWS client behind the test's back.
func scrubbedEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TERNGATE_") || strings.HasPrefix(kv, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// waitReady polls until a TCP connect succeeds and an unauthenticated GET /
// answers 403 AccessDenied, or the process dies.
func (g *gateway) waitReady() {
	g.t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if g.hasExited() {
			g.t.Fatalf("terngate exited before serving (%v); stderr:\n%s", g.exitErr, syncbuf.Tail(g.stderr.String(), 6000))
		}
		conn, err := net.DialTimeout("tcp", g.addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			resp, err := g.httpClient(2 * time.Second).Get(g.endpoint() + "/")
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusForbidden && bytes.Contains(body, []byte("<Code>AccessDenied</Code>")) {
					return
				}
				g.t.Fatalf("readiness probe GET / answered %d, want 403 AccessDenied; body: %s", resp.StatusCode, body)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.t.Fatalf("terngate not ready on %s after %v; stderr:\n%s", g.addr, readyTimeout, syncbuf.Tail(g.stderr.String(), 6000))
}

func (g *gateway) endpoint() string {
	if g.caFile != "" {
		return "https://" + g.addr
	}
	return "http://" + g.addr
}

func (g *gateway) port() string {
	_, port, _ := net.SplitHostPort(g.addr)
	return port
}

func (g *gateway) hasExited() bool {
	select {
	case <-g.exited:
		return true
	default:
		return false
	}
}

// logWhen returns the gateway's log (stderr) once cond holds of it, or as
// it is after logWait: the gateway writes its log in batches
// (--log-flush-interval, 100ms by default), so the line of a request the
// client already has its answer to may not be written yet.
func (g *gateway) logWhen(cond func(log string) bool) string {
	deadline := time.Now().Add(logWait)
	for {
		log := g.stderr.String()
		if cond(log) || time.Now().After(deadline) {
			return log
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and expects a clean exit.
func (g *gateway) stop() {
	g.t.Helper()
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		g.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-g.exited:
	case <-time.After(stopTimeout):
		g.kill()
		g.t.Fatalf("terngate did not exit within %v of SIGTERM", stopTimeout)
	}
	if g.exitErr != nil {
		g.t.Errorf("terngate exited uncleanly after SIGTERM: %v; stderr:\n%s", g.exitErr, syncbuf.Tail(g.stderr.String(), 4000))
	}
}

// stopForLog ends the gateway of a failed test before its log is printed:
// SIGTERM, so that it writes out the lines it holds in memory
// (--log-flush-interval), and SIGKILL if it has not exited within
// failStopTimeout. A SIGKILL alone loses the last interval's lines, often
// the ones explaining the failure.
func (g *gateway) stopForLog() {
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		g.kill()
		return
	}
	select {
	case <-g.exited:
	case <-time.After(failStopTimeout):
		g.kill()
	}
}

// kill sends SIGKILL (a crash) and waits for the process to be gone.
func (g *gateway) kill() {
	_ = g.cmd.Process.Signal(syscall.SIGKILL)
	<-g.exited
}

// restart starts a new gateway process with the test key pair on the same
// data dir, on a fresh port, after this one is gone.
func (g *gateway) restart(t testing.TB, extraArgs ...string) *gateway {
	t.Helper()
	if !g.hasExited() {
		t.Fatal("restart of a gateway that is still running")
	}
	return startGateway(t, g.dataDir, extraArgs...)
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		addr := ln.Addr().String()
		ln.Close()
		// The kernel may hand the port just closed out again, so two calls
		// in a row (a gateway's S3 and admin listeners) could get the same
		// one: never give an address out twice in this test binary.
		if _, taken := handedOutAddrs.LoadOrStore(addr, true); !taken {
			return addr
		}
	}
}

// handedOutAddrs are the addresses freeAddr has returned.
var handedOutAddrs sync.Map

// newDataDir returns a data dir path inside a fresh temp dir, so the test can
// watch the data dir's parent for anything written outside it.
func newDataDir(t testing.TB) string {
	return filepath.Join(t.TempDir(), "data")
}

// testContext is a context that times out after d and ends with the test.
func testContext(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func mustNoErr(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

// ternfsRegistry names the TernFS cluster the suite runs against
// (TERNFS_REGISTRY), or is empty: the suite then runs on the
// local store.
func ternfsRegistry() string { return os.Getenv("TERNFS_REGISTRY") }

// ternfsRootOf is the bucket root on the cluster of the gateways run on
// dataDir: each data dir gets one of its own, so a gateway restarted on the
// same data dir finds its objects again.
func ternfsRootOf(dataDir string) string {
	sum := sha256.Sum256([]byte(dataDir))
	return "/terngate-e2e/" + hex.EncodeToString(sum[:8])
}

// withTernFSStore points a gateway (or a command that opens its store) at
// the TernFS cluster instead of the local store when the suite runs
// against one.
func withTernFSStore(args []string) []string {
	registry := ternfsRegistry()
	if registry == "" || slices.Contains(args, "--store") {
		return args
	}
	dataDir := ""
	if i := slices.Index(args, "--data-dir"); i >= 0 && i+1 < len(args) {
		dataDir = args[i+1]
	}
	args = slices.Concat(args, []string{"--store", "ternfs", "--ternfs-registry", registry, "--ternfs-root", ternfsRootOf(dataDir)})
	if !slices.Contains(args, "--redis-url") {
		// Each data dir gets its own root, served by one gateway at a time.
		args = append(args, "--single-replica")
	}
	return args
}
