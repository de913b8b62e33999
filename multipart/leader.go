package multipart

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// leads reports whether this gateway does the background work named by key
// this round of interval: always with the embedded tracker, with Redis only
// if it takes the lock (SET NX PX), which lapses by itself if its holder
// dies.
func (m *Manager) leads(ctx context.Context, key string, interval time.Duration) bool {
	rt, ok := m.tracker.(*RedisTracker)
	if !ok {
		return true
	}
	won, err := rt.Client().SetNX(ctx, key, "1", interval*9/10).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		m.log.Warn("multipart: background work lock", "key", key, "err", err)
		return false
	}
	return won
}
