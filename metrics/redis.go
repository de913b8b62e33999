package metrics

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisHook is a go-redis hook recording command latency and failures.
// Add it with client.AddHook(metrics.RedisHook{M: m}).
type RedisHook struct {
	M *Metrics
}

var _ redis.Hook = RedisHook{}

func (h RedisHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			h.M.RedisErrors.Inc()
		}
		return conn, err
	}
}

func (h RedisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		h.record(start, err)
		return err
	}
}

func (h RedisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		h.record(start, err)
		return err
	}
}

// record counts err as a failure unless it is a nil reply (a miss) or a
// Lua script's own error reply (how the tracker's scripts answer "no such
// upload" and similar: Redis itself worked).
func (h RedisHook) record(start time.Time, err error) {
	h.M.RedisDuration.Observe(time.Since(start).Seconds())
	var reply redis.Error
	if err != nil && !errors.Is(err, redis.Nil) && !errors.As(err, &reply) {
		h.M.RedisErrors.Inc()
	}
}
