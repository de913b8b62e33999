package client

import (
	"math/rand/v2"
	"time"
)

// Timeouts is a retry schedule: the first attempt waits Initial, each later
// one waits Growth times longer (±Jitter/2 of that growth, so clients that
// timed out together do not retry in lockstep), never more than Max, and the
// call gives up once Overall has passed since it started.
type Timeouts struct {
	Initial time.Duration
	Max     time.Duration
	Overall time.Duration
	Growth  float64
	Jitter  float64
}

// Upstream's defaults: shards answer from memory and are retried quickly;
// the CDC runs multi-shard transactions and can be slow; block services are
// only retried on connection-level failures.
var (
	DefaultShardTimeouts = Timeouts{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Overall: 10 * time.Second, Growth: 1.5, Jitter: 0.1}
	DefaultCDCTimeouts   = Timeouts{Initial: time.Second, Max: 10 * time.Second, Overall: time.Minute, Growth: 1.5, Jitter: 0.1}
	DefaultBlockTimeouts = Timeouts{Initial: time.Second, Max: 10 * time.Second, Overall: 5 * time.Minute, Growth: 1.5, Jitter: 0.1}
	// DefaultRegistryReconnect paces reconnection attempts to the registry.
	DefaultRegistryReconnect = Timeouts{Initial: 100 * time.Millisecond, Max: time.Second, Overall: 10 * time.Second, Growth: 1.5, Jitter: 0.1}
)

// backoff walks a Timeouts schedule for one logical call.
type backoff struct {
	t       Timeouts
	started time.Time
	next    time.Duration
}

func newBackoff(t Timeouts, now time.Time) *backoff {
	return &backoff{t: t, started: now, next: t.Initial}
}

// Next returns how long the coming attempt may take (or how long to pause
// before it), trimmed so the call ends at its overall deadline; false once
// that deadline has passed.
func (b *backoff) Next(now time.Time) (time.Duration, bool) {
	left := b.t.Overall - now.Sub(b.started)
	if b.t.Overall > 0 && left <= 0 {
		return 0, false
	}
	d := b.next
	growth := b.t.Growth * (1 + b.t.Jitter*(rand.Float64()-0.5))
	b.next = time.Duration(float64(b.next) * growth)
	if b.t.Max > 0 && b.next > b.t.Max {
		b.next = b.t.Max
	}
	if b.t.Overall > 0 && d > left {
		d = left
	}
	return d, true
}
