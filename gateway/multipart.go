package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/terngate/terngate/metrics"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
	"github.com/terngate/terngate/store/ternfs"
)

// sweepInterval is how often the multipart sweeper runs (on one gateway).
const sweepInterval = 10 * time.Minute

// openTracker opens the upload tracker: Redis when --redis-url is set,
// the embedded one in the data dir otherwise.
func openTracker(ctx context.Context, cfg Config, met *metrics.Metrics) (multipart.Tracker, error) {
	if cfg.RedisURL == "" {
		return multipart.OpenEmbedded(cfg.DataDir)
	}
	rt, err := multipart.OpenRedis(ctx, cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	// Before anything uses it: hooks must not change under use.
	rt.Client().AddHook(metrics.RedisHook{M: met})
	return rt, nil
}

// trackerJournal is where the TernFS store keeps parts' span records: with
// the uploads, so that every gateway sharing them can complete any part.
func trackerJournal(tracker multipart.Tracker) ternfs.Journal {
	switch tr := tracker.(type) {
	case *multipart.RedisTracker:
		return tr.Journal()
	case *multipart.EmbeddedTracker:
		return tr.Journal()
	}
	return nil
}

// startMultipart builds the manager over tracker and starts its sweeper and
// the lifecycle expirer (which leads through the tracker too). stop ends
// both and closes the tracker.
func startMultipart(ctx context.Context, cfg Config, tracker multipart.Tracker, st store.Store, layer *objects.Layer, logger *slog.Logger, met *metrics.Metrics) (*multipart.Manager, func(), error) {
	expiry, err := time.ParseDuration(cfg.MultipartExpiry)
	if err != nil {
		return nil, nil, fmt.Errorf("multipart-expiry: %w", err)
	}
	m := multipart.NewManager(st, layer, tracker, multipart.Options{
		Expiry:  expiry,
		Logger:  logger,
		OnSweep: func(action string) { met.SweeperActions.WithLabelValues(action).Inc() },
	})
	expireEvery, err := time.ParseDuration(cfg.LifecycleInterval)
	if err != nil {
		return nil, nil, fmt.Errorf("lifecycle-interval: %w", err)
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// Both read each bucket's lifecycle rules themselves.
	wg.Go(func() { multipart.NewSweeper(m, nil).Run(sweepCtx, sweepInterval) })
	wg.Go(func() { multipart.NewExpirer(m).Run(sweepCtx, expireEvery) })
	return m, func() {
		stopSweep()
		wg.Wait()
		tracker.Close()
	}, nil
}
