package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/terngate/terngate/metrics"
	"github.com/terngate/terngate/multipart"
)

// adminTimeouts bound the admin listener's connections; its answers are
// small.
const (
	adminReadTimeout  = 10 * time.Second
	adminWriteTimeout = 30 * time.Second
)

// adminServer is the admin HTTP listener: metrics, probes and upload
// administration, on a port of its own so that S3 clients never reach it.
type adminServer struct {
	srv  *http.Server
	done chan error
}

// adminHandler routes the admin endpoints.
func adminHandler(m *metrics.Metrics, ready *readiness, mpu *multipart.Manager, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /readyz", ready)
	uploads := loopbackOnly(&uploadsAdmin{mpu: mpu})
	mux.Handle("GET /admin/uploads", uploads)
	mux.Handle("DELETE /admin/uploads", uploads)
	// Profiles of the live process, for operators chasing its CPU or
	// memory: as private as the upload administration. A CPU profile must
	// end within the listener's write timeout (?seconds=20).
	mux.Handle("GET /debug/pprof/", loopbackOnly(http.HandlerFunc(pprof.Index)))
	mux.Handle("GET /debug/pprof/cmdline", loopbackOnly(http.HandlerFunc(pprof.Cmdline)))
	mux.Handle("GET /debug/pprof/profile", loopbackOnly(http.HandlerFunc(pprof.Profile)))
	mux.Handle("GET /debug/pprof/symbol", loopbackOnly(http.HandlerFunc(pprof.Symbol)))
	mux.Handle("GET /debug/pprof/trace", loopbackOnly(http.HandlerFunc(pprof.Trace)))
	return mux
}

// startAdmin serves h on addr until shutdown.
func startAdmin(addr string, h http.Handler, logger *slog.Logger) (*adminServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	a := &adminServer{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: adminReadTimeout,
			ReadTimeout:       adminReadTimeout,
			WriteTimeout:      adminWriteTimeout,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		done: make(chan error, 1),
	}
	logger.Info("terngate admin listener", "endpoint", "http://"+ln.Addr().String(),
		"paths", "/metrics /healthz /readyz /admin/uploads /debug/pprof/")
	go func() { a.done <- a.srv.Serve(ln) }()
	return a, nil
}

// shutdown stops the admin listener, letting a scrape in progress finish.
func (a *adminServer) shutdown(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("admin listener shutdown: %w", err)
	}
	if err := <-a.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("admin listener: %w", err)
	}
	return nil
}

// loopbackOnly refuses requests that do not come from this host: the
// admin endpoints that change state have no authentication of their own,
// so they are as private as the machine (or pod) the gateway runs on.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			http.Error(w, "admin endpoints answer loopback clients only", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
