package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/terngate/terngate/metrics"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
)

// sweepInterval is how often the multipart sweeper runs (on one gateway).
const sweepInterval = 10 * time.Minute

// startMultipart opens the upload tracker (Redis when --redis-url is set,
// the embedded one in the data dir otherwise), builds the manager and starts
// its sweeper. stop ends the sweeper and closes the tracker.
func startMultipart(ctx context.Context, cfg Config, st store.Store, layer *objects.Layer, logger *slog.Logger, met *metrics.Metrics) (*multipart.Manager, func(), error) {
	expiry, err := time.ParseDuration(cfg.MultipartExpiry)
	if err != nil {
		return nil, nil, fmt.Errorf("multipart-expiry: %w", err)
	}
	var tracker multipart.Tracker
	if cfg.RedisURL != "" {
		var rt *multipart.RedisTracker
		rt, err = multipart.OpenRedis(ctx, cfg.RedisURL)
		if err == nil {
			// Before the sweeper starts: hooks must not change under use.
			rt.Client().AddHook(metrics.RedisHook{M: met})
			tracker = rt
		}
	} else {
		tracker, err = multipart.OpenEmbedded(cfg.DataDir)
	}
	if err != nil {
		return nil, nil, err
	}
	m := multipart.NewManager(st, layer, tracker, multipart.Options{
		Expiry:  expiry,
		Logger:  logger,
		OnSweep: func(action string) { met.SweeperActions.WithLabelValues(action).Inc() },
	})
	sweepCtx, stopSweep := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The sweeper reads each bucket's lifecycle rules itself.
		multipart.NewSweeper(m, nil).Run(sweepCtx, sweepInterval)
	}()
	return m, func() {
		stopSweep()
		<-done
		tracker.Close()
	}, nil
}
