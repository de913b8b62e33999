package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// RegistryConfig tunes a RegistryClient.
type RegistryConfig struct {
	// Addrs are the registry replicas ("host:port"). Only the leader
	// answers; the others drop requests, so the client rotates through them.
	Addrs []string
	// AttemptTimeout bounds one request to one replica (dial, write, read).
	// A non-leader never answers, so this is also how long it takes to
	// give up on one.
	AttemptTimeout time.Duration
	// Pauses between rounds over all replicas; Overall ends the call.
	Reconnect Timeouts
}

// DefaultRegistryAttemptTimeout is short compared with upstream's 20 s per
// request because a silent non-leader costs one full attempt before we
// rotate; registry answers are small and fast.
const DefaultRegistryAttemptTimeout = 3 * time.Second

// RegistryClient talks to the registry over TCP, one request per connection
// (the server handles one request at a time per connection anyway, and
// requests are rare: a refresh a minute).
type RegistryClient struct {
	cfg    RegistryConfig
	dialer net.Dialer

	// requests, if set, counts every request (Client sets it).
	requests *RequestCounter

	mu     sync.Mutex
	leader int // index into cfg.Addrs of the replica that last answered
}

// NewRegistryClient returns a client of the given replicas.
func NewRegistryClient(cfg RegistryConfig) (*RegistryClient, error) {
	if len(cfg.Addrs) == 0 {
		return nil, errors.New("ternfs: no registry addresses")
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultRegistryAttemptTimeout
	}
	if cfg.Reconnect == (Timeouts{}) {
		cfg.Reconnect = DefaultRegistryReconnect
	}
	cfg.Addrs = append([]string(nil), cfg.Addrs...)
	return &RegistryClient{cfg: cfg}, nil
}

// Leader is the address that answered last (the first one before any
// answer).
func (r *RegistryClient) Leader() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cfg.Addrs[r.leader]
}

// Request sends req and decodes the answer into resp. It starts with the
// replica that answered last and moves to the next one on any failure
// (timeout, refused connection, closed stream, or an error a non-leader
// gives); a TernFS error that answers the request is returned as is.
func (r *RegistryClient) Request(ctx context.Context, req wire.RegistryRequest, resp wire.RegistryResponse) error {
	frame, err := wire.AppendRegistryRequest(nil, req)
	if err != nil {
		return fmt.Errorf("registry %T: %w", req, err)
	}
	r.requests.add(ServiceRegistry, req)
	r.mu.Lock()
	start := r.leader
	r.mu.Unlock()

	pauses := newBackoff(r.cfg.Reconnect, time.Now())
	var lastErr error
	for round := 0; ; round++ {
		for i := range r.cfg.Addrs {
			idx := (start + i) % len(r.cfg.Addrs)
			err := r.attempt(ctx, r.cfg.Addrs[idx], frame, resp)
			if err == nil || !rotateOnRegistryError(err) {
				if err == nil {
					r.mu.Lock()
					r.leader = idx
					r.mu.Unlock()
					return nil
				}
				return fmt.Errorf("registry %s %T: %w", r.cfg.Addrs[idx], req, err)
			}
			lastErr = fmt.Errorf("registry %s: %w", r.cfg.Addrs[idx], err)
			if ctx.Err() != nil {
				return fmt.Errorf("registry %T: %w (last failure: %v)", req, ctx.Err(), lastErr)
			}
		}
		pause, ok := pauses.Next(time.Now())
		if !ok {
			return fmt.Errorf("registry %T: no replica answered after %d rounds: %w", req, round+1, lastErr)
		}
		if err := sleepCtx(ctx, pause); err != nil {
			return fmt.Errorf("registry %T: %w (last failure: %v)", req, err, lastErr)
		}
	}
}

// rotateOnRegistryError: anything that is not a real answer from a leader
// sends us to the next replica.
func rotateOnRegistryError(err error) bool {
	code, ok := wire.AsError(err)
	if !ok {
		return true // network failure, timeout, closed connection, bad frame
	}
	switch code {
	case wire.ErrInternal, wire.ErrTimeout, wire.Error(72) /* INVALID_REPLICA */, wire.Error(74) /* LEADER_PREEMPTED */ :
		return true
	}
	return false
}

func (r *RegistryClient) attempt(ctx context.Context, addr string, frame []byte, resp wire.RegistryResponse) error {
	actx, cancel := context.WithTimeout(ctx, r.cfg.AttemptTimeout)
	defer cancel()
	conn, err := r.dialer.DialContext(actx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := actx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	// Closing the connection unblocks the read if ctx is cancelled first.
	stop := context.AfterFunc(actx, func() { conn.Close() })
	defer stop()
	if _, err := conn.Write(frame); err != nil {
		return fmt.Errorf("write request: %w", err)
	}
	f, err := wire.ReadRegistryFrame(conn, wire.RegistryResponseMagic)
	if err != nil {
		if actx.Err() != nil {
			return fmt.Errorf("%w: %v", actx.Err(), err)
		}
		return err
	}
	return f.Decode(resp)
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// --- typed calls

// LocalShards returns the leader addresses of the 256 shards, by shard id.
func (r *RegistryClient) LocalShards(ctx context.Context) ([]wire.ShardInfo, error) {
	var resp wire.LocalShardsResp
	if err := r.Request(ctx, &wire.LocalShardsReq{}, &resp); err != nil {
		return nil, err
	}
	if len(resp.Shards) != 256 {
		return nil, fmt.Errorf("registry LocalShards: %w: %d shards, want 256", wire.ErrMalformed, len(resp.Shards))
	}
	return resp.Shards, nil
}

// LocalCDC returns the CDC leader's addresses.
func (r *RegistryClient) LocalCDC(ctx context.Context) (wire.LocalCDCResp, error) {
	var resp wire.LocalCDCResp
	err := r.Request(ctx, &wire.LocalCDCReq{}, &resp)
	return resp, err
}

// ShardBlockServices lists the block services a shard currently writes to.
func (r *RegistryClient) ShardBlockServices(ctx context.Context, shard wire.ShardID) ([]wire.BlockServiceInfoShort, error) {
	var resp wire.ShardBlockServicesResp
	if err := r.Request(ctx, &wire.ShardBlockServicesReq{ShardID: shard}, &resp); err != nil {
		return nil, err
	}
	return resp.BlockServices, nil
}

// ChangedBlockServices lists block services changed since the given time
// (0: all of them).
func (r *RegistryClient) ChangedBlockServices(ctx context.Context, since wire.TernTime) (wire.LocalChangedBlockServicesResp, error) {
	var resp wire.LocalChangedBlockServicesResp
	err := r.Request(ctx, &wire.LocalChangedBlockServicesReq{ChangedSince: since}, &resp)
	return resp, err
}
