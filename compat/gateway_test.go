package compat

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/syncbuf"
)

const (
	accessKey    = "COMPATACCESSKEY00000"
	secretKey    = "compat/secret/key/000000000000000000000000"
	region       = "us-east-1"
	readyTimeout = 30 * time.Second
)

// gateway is one running terngate process.
type gateway struct {
	addr   string
	caFile string // CA bundle of an HTTPS gateway; empty for plain HTTP
	cmd    *exec.Cmd
	output *syncbuf.Buffer
}

// startGateway runs terngate on a fresh port and data dir and waits until
// it answers; tls selects --tls-self-signed.
func startGateway(t *testing.T, tls bool) *gateway {
	t.Helper()
	dataDir := filepath.Join(t.TempDir(), "data")
	g := &gateway{addr: freeAddr(t), output: &syncbuf.Buffer{}}
	args := []string{
		"--listen", g.addr,
		"--admin-listen", freeAddr(t),
		"--data-dir", dataDir,
		"--access-key", accessKey,
		"--secret-key", secretKey,
		"--region", region,
		"--log-level", "warn",
	}
	if tls {
		args = append(args, "--tls-self-signed")
		g.caFile = filepath.Join(dataDir, "tls", "cert.pem")
	}
	g.cmd = exec.Command(terngateBinary, args...)
	g.cmd.Env = cleanEnv()
	g.cmd.Stdout, g.cmd.Stderr = g.output, g.output
	if err := g.cmd.Start(); err != nil {
		t.Fatalf("start terngate: %v", err)
	}
	exited := make(chan struct{})
	go func() { g.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		g.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			g.cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("terngate %s output (tail):\n%s", g.endpoint(), syncbuf.Tail(g.output.String(), 8000))
		}
	})
	g.waitReady(t, exited)
	return g
}

// waitReady polls until an anonymous GET / is refused with 403, the
// answer of a gateway that is up and enforcing authentication.
func (g *gateway) waitReady(t *testing.T, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("terngate exited before serving:\n%s", g.output.String())
		default:
		}
		resp, err := g.httpClient().Get(g.endpoint() + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusForbidden {
				return
			}
			t.Fatalf("readiness probe GET / answered %d, want 403", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("terngate not ready on %s after %v:\n%s", g.addr, readyTimeout, g.output.String())
}

func (g *gateway) tls() bool { return g.caFile != "" }

func (g *gateway) endpoint() string {
	if g.tls() {
		return "https://" + g.addr
	}
	return "http://" + g.addr
}

// transport names the gateway's scheme in subtest and table names.
func (g *gateway) transport() string {
	if g.tls() {
		return "https"
	}
	return "http"
}

// httpClient trusts only the gateway's own certificate when it serves
// HTTPS (read on each call: the gateway writes it at start).
func (g *gateway) httpClient() *http.Client {
	if !g.tls() {
		return &http.Client{Timeout: 10 * time.Minute}
	}
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(g.caFile); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	return &http.Client{
		Timeout:   10 * time.Minute,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
}

// cleanEnv is the test's environment without anything that would
// configure terngate or an AWS client behind the suite's back.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TERNGATE_") || strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "RCLONE_") || strings.HasPrefix(kv, "RESTIC_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
