package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// UploadCounter counts the multipart uploads in progress.
type UploadCounter func(ctx context.Context) (int, error)

// uploadCountTimeout bounds one count at scrape time.
const uploadCountTimeout = 2 * time.Second

// RegisterUploadsInflight adds terngate_multipart_uploads_inflight, counted
// by count at most once per maxAge (counting walks the tracker, so scrapes
// share a recent answer). With a shared tracker (Redis) every gateway
// reports the same, cluster-wide number.
func (m *Metrics) RegisterUploadsInflight(count UploadCounter, maxAge time.Duration) {
	c := &cachedCount{count: count, maxAge: maxAge}
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "terngate_multipart_uploads_inflight",
		Help: "Multipart uploads created and neither completed nor aborted (cluster-wide with Redis: aggregate with max, not sum).",
	}, c.valueNow))
}

// cachedCount keeps the last successful count; a failed count keeps
// reporting it (the failure shows in the Redis and store error counters).
type cachedCount struct {
	count  UploadCounter
	maxAge time.Duration

	mu    sync.Mutex
	value float64
	at    time.Time
}

func (c *cachedCount) valueNow() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.maxAge {
		return c.value
	}
	ctx, cancel := context.WithTimeout(context.Background(), uploadCountTimeout)
	defer cancel()
	if n, err := c.count(ctx); err == nil {
		c.value, c.at = float64(n), time.Now()
	}
	return c.value
}
