package e2e

import (
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestReadinessFollowsRedis: with --redis-url, /readyz answers 503 naming
// Redis while it is down and 200 again once it is back; /healthz (the
// process) stays 200 throughout.
func TestReadinessFollowsRedis(t *testing.T) {
	addr := freeAddr(t)
	redis := startReadinessRedis(t, addr)
	g := startGateway(t, newDataDir(t), "--redis-url", "redis://"+addr+"/0")
	admin := "http://" + g.adminAddr
	expectAdminGET(t, admin+"/readyz", http.StatusOK, "ready")

	redis.Process.Kill()
	redis.Wait()
	body := expectAdminGET(t, admin+"/readyz", http.StatusServiceUnavailable, "not ready")
	if !strings.Contains(body, "redis:") || strings.Contains(body, "store:") {
		t.Errorf("/readyz with Redis down should name redis alone: %q", body)
	}
	expectAdminGET(t, admin+"/healthz", http.StatusOK, "ok")
	if m := scrapeMetrics(t, admin); m["terngate_redis_errors_total"] < 1 {
		t.Errorf("terngate_redis_errors_total = %v with Redis down, want at least 1", m["terngate_redis_errors_total"])
	}

	startReadinessRedis(t, addr)
	waitFor(t, 10*time.Second, "/readyz to recover", func() bool {
		resp, err := http.Get(admin + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// startReadinessRedis runs a throw-away redis-server on addr.
func startReadinessRedis(t *testing.T, addr string) *exec.Cmd {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is needed: %v", err)
	}
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("redis-server", "--bind", host, "--port", port, "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	mustNoErr(t, cmd.Start(), "start redis-server")
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitFor(t, 10*time.Second, "redis-server to listen", func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return cmd
}
