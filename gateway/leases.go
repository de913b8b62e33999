package main

import (
	"context"
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
func leasesFor(cfg Config, tracker multipart.Tracker) (objects.NameLeases, error) {
	rt, ok := tracker.(*multipart.RedisTracker)
	if cfg.Store != storeTernFS || !ok {
		return nil, nil
	}
	ttl, err := time.ParseDuration(cfg.LeaseTTL)
	if err != nil {
		return nil, err
	}
	return nameLeases{lease.New(rt.Client(), lease.Options{TTL: ttl})}, nil
}
