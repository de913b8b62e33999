package client

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// Refresh cadence: upstream polls the registry every minute; a timeout
// against a shard or the CDC asks for an early refresh (a leader may have
// moved) but no more often than MinRefreshInterval.
const (
	DefaultRefreshInterval    = time.Minute
	DefaultMinRefreshInterval = time.Second
)

// ClusterView caches what the registry says about shard and CDC leaders and
// block services.
type ClusterView struct {
	reg             *RegistryClient
	refreshInterval time.Duration
	minInterval     time.Duration

	refreshMu sync.Mutex // one refresh at a time

	mu            sync.RWMutex
	loaded        bool
	refreshedAt   time.Time
	shards        [256]wire.AddrsInfo
	cdc           wire.AddrsInfo
	blockServices map[wire.BlockServiceID]wire.BlockService
	lastChange    wire.TernTime

	kick chan struct{}
}

// NewClusterView returns an empty view; call Refresh before use.
func NewClusterView(reg *RegistryClient, refreshInterval, minInterval time.Duration) *ClusterView {
	if refreshInterval <= 0 {
		refreshInterval = DefaultRefreshInterval
	}
	if minInterval <= 0 {
		minInterval = DefaultMinRefreshInterval
	}
	return &ClusterView{
		reg:             reg,
		refreshInterval: refreshInterval,
		minInterval:     minInterval,
		blockServices:   map[wire.BlockServiceID]wire.BlockService{},
		kick:            make(chan struct{}, 1),
	}
}

// Refresh reloads shard and CDC leaders and the block services that changed
// since the last refresh.
func (v *ClusterView) Refresh(ctx context.Context) error {
	v.refreshMu.Lock()
	defer v.refreshMu.Unlock()
	return v.refreshLocked(ctx)
}

func (v *ClusterView) refreshLocked(ctx context.Context) error {
	shards, err := v.reg.LocalShards(ctx)
	if err != nil {
		return fmt.Errorf("refresh cluster view: %w", err)
	}
	cdc, err := v.reg.LocalCDC(ctx)
	if err != nil {
		return fmt.Errorf("refresh cluster view: %w", err)
	}
	v.mu.RLock()
	since := v.lastChange
	v.mu.RUnlock()
	changed, err := v.reg.ChangedBlockServices(ctx, since)
	if err != nil {
		return fmt.Errorf("refresh cluster view: %w", err)
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	for i, s := range shards {
		// A shard the registry has not heard of keeps its last known
		// address rather than becoming unreachable.
		if len(s.Addrs.List()) > 0 {
			v.shards[i] = s.Addrs
		}
	}
	if len(cdc.Addrs.List()) > 0 {
		v.cdc = cdc.Addrs
	}
	for _, bs := range changed.BlockServices {
		v.blockServices[bs.ID] = bs
	}
	if changed.LastChange > v.lastChange {
		v.lastChange = changed.LastChange
	}
	v.loaded = true
	v.refreshedAt = time.Now()
	return nil
}

// RefreshSoon asks Run for an early refresh (after a timeout: the leader
// may have moved). It never blocks.
func (v *ClusterView) RefreshSoon() {
	select {
	case v.kick <- struct{}{}:
	default:
	}
}

// Run refreshes the view every refresh interval and on RefreshSoon, at most
// once per minimum interval, until ctx ends. Refresh errors are reported
// through onError (may be nil) and retried at the next tick.
func (v *ClusterView) Run(ctx context.Context, onError func(error)) {
	tick := time.NewTicker(v.refreshInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-v.kick:
			v.mu.RLock()
			wait := v.minInterval - time.Since(v.refreshedAt)
			v.mu.RUnlock()
			if wait > 0 && sleepCtx(ctx, wait) != nil {
				return
			}
		}
		if err := v.Refresh(ctx); err != nil && onError != nil && ctx.Err() == nil {
			onError(err)
		}
	}
}

// ShardAddrs returns the leader addresses of a shard.
func (v *ClusterView) ShardAddrs(shard wire.ShardID) (wire.AddrsInfo, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	a := v.shards[shard]
	if len(a.List()) == 0 {
		return a, fmt.Errorf("ternfs: no address known for shard %d", shard)
	}
	return a, nil
}

// CDCAddrs returns the CDC leader's addresses.
func (v *ClusterView) CDCAddrs() (wire.AddrsInfo, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if len(v.cdc.List()) == 0 {
		return v.cdc, fmt.Errorf("ternfs: no address known for the CDC")
	}
	return v.cdc, nil
}

// BlockService returns what the view knows about a block service.
func (v *ClusterView) BlockService(id wire.BlockServiceID) (wire.BlockService, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	bs, ok := v.blockServices[id]
	return bs, ok
}

// RefreshedAt is when the view was last loaded (zero if never).
func (v *ClusterView) RefreshedAt() time.Time {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.refreshedAt
}
