package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/terngate/terngate/lease"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
)

// nameLeases adapts package lease to the object layer's NameLeases.
type nameLeases struct{ *lease.Leases }

func (n nameLeases) Acquire(ctx context.Context, name string, holder store.Transient, fence func(context.Context, store.Transient) error) (objects.NameLease, error) {
	l, err := n.Leases.Acquire(ctx, name, holder, fence)
	if err != nil {
		return nil, err // not a nil *Lease in a non-nil interface
	}
	return l, nil
}

// leasesFor returns the leases that serialise writes between gateways
// sharing a TernFS root, over the upload tracker's Redis client; nil for the
// local store (one process by its data dir's lock) and for a
// --single-replica gateway without Redis.
func leasesFor(ctx context.Context, cfg Config, tracker multipart.Tracker, logger *slog.Logger) (objects.NameLeases, error) {
	rt, ok := tracker.(*multipart.RedisTracker)
	if cfg.Store != storeTernFS || !ok {
		return nil, nil
	}
	ttl, err := time.ParseDuration(cfg.LeaseTTL)
	if err != nil {
		return nil, err
	}
	leases := lease.New(rt.Client(), lease.Options{TTL: ttl})
	// A fresh or restarted Redis makes each group of names wait one TTL
	// before its first grant; start those waits now, while the gateway
	// starts, not on the first writes. A failure here only means the
	// first writes wait instead.
	go func() {
		if err := leases.Prime(ctx); err != nil {
			logger.Warn("lease: priming epochs", "err", err)
		}
	}()
	return nameLeases{leases}, nil
}
