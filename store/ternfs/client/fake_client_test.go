package client

import (
	"context"
	"testing"
	"time"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

// fastConfig shrinks upstream's timeouts so retry tests run in
// milliseconds, keeping their shape (×1.5 growth, jitter, overall cap).
func fastConfig(fc *ternfstest.Cluster) Config {
	return Config{
		Registry:           fastRegistryConfig(fc.Registry.Addr()),
		ShardTimeouts:      Timeouts{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Overall: 600 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		CDCTimeouts:        Timeouts{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Overall: 600 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		BlockTimeouts:      Timeouts{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Overall: 500 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		MinRefreshInterval: 20 * time.Millisecond,
	}
}

func fakeClient(t *testing.T, fc *ternfstest.Cluster) *Client {
	t.Helper()
	c, err := NewClient(context.Background(), fastConfig(fc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
