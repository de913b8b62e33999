package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/terngate/terngate/metrics"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/local"
)

// unreachableStore is a store whose every call fails as a remote store's
// would when it cannot be reached.
type unreachableStore struct{ store.Store }

func (unreachableStore) Root() store.ID { return 1 }

func (unreachableStore) StatDirectory(context.Context, store.ID) (store.DirInfo, error) {
	return store.DirInfo{}, errors.New("dial shard 0: connection refused")
}

func serveAdmin(t *testing.T, h http.Handler, path, remote string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestReadiness(t *testing.T) {
	st, err := local.Open(t.TempDir(), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ready := &readiness{checks: []readinessCheck{storeCheck(st)}}
	h := adminHandler(metrics.New(), ready, nil, slog.New(slog.DiscardHandler))

	if code, body := serveAdmin(t, h, "/readyz", "127.0.0.1:1"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz with a working store: %d %q", code, body)
	}
	ready.drain()
	if code, body := serveAdmin(t, h, "/readyz", "127.0.0.1:1"); code != http.StatusServiceUnavailable || !strings.Contains(body, "shutdown:") {
		t.Errorf("/readyz while draining: %d %q", code, body)
	}
	if code, body := serveAdmin(t, h, "/healthz", "127.0.0.1:1"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz while draining: %d %q", code, body)
	}

	down := &readiness{checks: []readinessCheck{storeCheck(unreachableStore{})}}
	code, body := serveAdmin(t, adminHandler(metrics.New(), down, nil, slog.New(slog.DiscardHandler)), "/readyz", "127.0.0.1:1")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store: dial shard 0: connection refused") {
		t.Errorf("/readyz with an unreachable store: %d %q", code, body)
	}
}

func TestAdminUploadsLoopbackOnly(t *testing.T) {
	h := adminHandler(metrics.New(), &readiness{}, nil, slog.New(slog.DiscardHandler))
	for _, remote := range []string{"10.0.0.7:5555", "[2001:db8::1]:5555", "192.168.1.2:80"} {
		if code, _ := serveAdmin(t, h, "/admin/uploads", remote); code != http.StatusForbidden {
			t.Errorf("/admin/uploads from %s: %d, want 403", remote, code)
		}
	}
	for _, path := range []string{"/debug/pprof/heap?debug=1", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		if code, _ := serveAdmin(t, h, path, "10.0.0.7:5555"); code != http.StatusForbidden {
			t.Errorf("%s from another host: %d, want 403", path, code)
		}
	}
	if code, body := serveAdmin(t, h, "/debug/pprof/heap?debug=1", "127.0.0.1:5555"); code != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Errorf("/debug/pprof/heap from loopback: %d %.80q", code, body)
	}
	// Metrics and probes answer anyone who reaches the port.
	if code, body := serveAdmin(t, h, "/metrics", "10.0.0.7:5555"); code != http.StatusOK || !strings.Contains(body, "terngate_requests_inflight") {
		t.Errorf("/metrics from another host: %d", code)
	}
}

func TestAdminBaseURL(t *testing.T) {
	for listen, want := range map[string]string{
		"127.0.0.1:9001":  "http://127.0.0.1:9001",
		"0.0.0.0:9001":    "http://127.0.0.1:9001",
		":9001":           "http://127.0.0.1:9001",
		"[::]:9001":       "http://[::1]:9001",
		"10.1.2.3:9001":   "http://10.1.2.3:9001",
		"localhost:19001": "http://localhost:19001",
	} {
		if got, err := adminBaseURL(listen); err != nil || got != want {
			t.Errorf("adminBaseURL(%q) = %q, %v; want %q", listen, got, err, want)
		}
	}
}

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := run(context.Background(), []string{"check", "--data-dir", dir}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("check of a fresh data dir: %v\n%s", err, out.String())
	}
	st, err := local.Open(dir, local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out.Reset()
	err = run(context.Background(), []string{"check", "--data-dir", dir, "--users-file", dir + "/missing.yaml"}, func(string) string { return "" }, &out, io.Discard)
	if !errors.Is(err, errCheckFailed) {
		t.Fatalf("check with the data dir locked and a missing users file: %v", err)
	}
	for _, want := range []string{"ok    data-dir:", fmt.Sprintf("FAIL  store: data dir %s is in use by pid %d", dir, os.Getpid()), "FAIL  users-file:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
}
