package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/terngate/terngate/store"
)

// readinessTimeout bounds each dependency check of /readyz.
const readinessTimeout = 2 * time.Second

// readinessCheck is one dependency /readyz asks about.
type readinessCheck struct {
	name  string
	check func(ctx context.Context) error
}

// readiness answers /readyz: 200 while every dependency answers and the
// gateway is not shutting down, 503 naming what fails otherwise.
type readiness struct {
	checks   []readinessCheck
	draining atomic.Bool
}

// storeCheck asks the store for its root directory: cheap, and it needs
// the store to be open and reachable.
func storeCheck(st store.Store) readinessCheck {
	return readinessCheck{name: "store", check: func(ctx context.Context) error {
		_, err := st.StatDirectory(ctx, st.Root())
		return err
	}}
}

// redisCheck PINGs the Redis of the multipart tracker.
func redisCheck(rdb redis.UniversalClient) readinessCheck {
	return readinessCheck{name: "redis", check: func(ctx context.Context) error {
		return rdb.Ping(ctx).Err()
	}}
}

// drain makes /readyz fail from now on, so load balancers stop sending new
// requests while the in-flight ones finish.
func (rd *readiness) drain() { rd.draining.Store(true) }

// failures runs every check (each with its own timeout) and describes the
// failing ones.
func (rd *readiness) failures(ctx context.Context) []string {
	var failed []string
	if rd.draining.Load() {
		failed = append(failed, "shutdown: the gateway is shutting down")
	}
	for _, c := range rd.checks {
		cctx, cancel := context.WithTimeout(ctx, readinessTimeout)
		err := c.check(cctx)
		cancel()
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", c.name, err))
		}
	}
	return failed
}

func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if failed := rd.failures(r.Context()); len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready\n%s\n", strings.Join(failed, "\n"))
		return
	}
	fmt.Fprintln(w, "ready")
}
