package client

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// Config configures a Client. Zero fields take upstream's defaults.
type Config struct {
	Registry           RegistryConfig
	ShardTimeouts      Timeouts
	CDCTimeouts        Timeouts
	BlockTimeouts      Timeouts
	RefreshInterval    time.Duration
	MinRefreshInterval time.Duration
	// BlockConnsPerService caps pooled TCP connections per block service.
	BlockConnsPerService int
	// OnBackgroundError hears about failed background registry refreshes.
	OnBackgroundError func(error)
}

// Client speaks to a TernFS cluster: the registry for discovery, shards and
// the CDC over UDP, block services over TCP.
type Client struct {
	cfg    Config
	reg    *RegistryClient
	view   *ClusterView
	shards *udpTransport
	cdc    *udpTransport
	blocks *blockPool
	// parityBuffers, when set (by Store), holds the span buffers appends
	// are read into; span writes take their parity from the same
	// reservation.
	parityBuffers ParityBuffers

	stop context.CancelFunc
	wg   sync.WaitGroup
	// blockWrites counts block write requests sent (BlockWrites).
	blockWrites atomic.Uint64
	// requests counts every request sent, by service and kind.
	requests *RequestCounter
}

// NewClient loads the cluster view from the registry and starts refreshing
// it in the background until Close.
func NewClient(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.ShardTimeouts == (Timeouts{}) {
		cfg.ShardTimeouts = DefaultShardTimeouts
	}
	if cfg.CDCTimeouts == (Timeouts{}) {
		cfg.CDCTimeouts = DefaultCDCTimeouts
	}
	if cfg.BlockTimeouts == (Timeouts{}) {
		cfg.BlockTimeouts = DefaultBlockTimeouts
	}
	reg, err := NewRegistryClient(cfg.Registry)
	if err != nil {
		return nil, err
	}
	requests := &RequestCounter{}
	reg.requests = requests
	view := NewClusterView(reg, cfg.RefreshInterval, cfg.MinRefreshInterval)
	if err := view.Refresh(ctx); err != nil {
		return nil, err
	}
	shards, err := newUDPTransport(wire.ShardResponseMagic)
	if err != nil {
		return nil, err
	}
	cdc, err := newUDPTransport(wire.CDCResponseMagic)
	if err != nil {
		shards.close()
		return nil, err
	}
	c := &Client{
		cfg:      cfg,
		reg:      reg,
		view:     view,
		shards:   shards,
		cdc:      cdc,
		blocks:   newBlockPool(cfg.BlockConnsPerService),
		requests: requests,
	}
	bg, stop := context.WithCancel(context.Background())
	c.stop = stop
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		view.Run(bg, cfg.OnBackgroundError)
	}()
	return c, nil
}

// ParityBuffers lends span writes the memory for their parity, so that a
// span's parity can come out of the budget its data was read into.
type ParityBuffers interface {
	// Parity returns n bytes for the parity of the span whose bytes are
	// data, and done, which gives them back; ok is false when data is not
	// one of its buffers (the write then allocates).
	Parity(data []byte, n int) (parity []byte, done func(), ok bool)
}

// SetParityBuffers makes span writes draw their parity from b. Call it
// before writing spans.
func (c *Client) SetParityBuffers(b ParityBuffers) { c.parityBuffers = b }

// View is the client's cached cluster view.
func (c *Client) View() *ClusterView { return c.view }

// Registry is the client's registry client.
func (c *Client) Registry() *RegistryClient { return c.reg }

// BlockWrites is how many block writes this client has sent, failed ones
// included: what proves that an operation wrote no data.
func (c *Client) BlockWrites() uint64 { return c.blockWrites.Load() }

// DropBlockConns closes the pooled block service connections, so that the
// next block requests dial afresh (a refusing service is only noticed on
// dialling). Call it only while no block request is in flight.
func (c *Client) DropBlockConns() {
	c.blocks.close()
	c.blocks = newBlockPool(c.cfg.BlockConnsPerService)
}

// Close stops background work and closes sockets and connections.
func (c *Client) Close() error {
	c.stop()
	c.wg.Wait()
	c.blocks.close()
	err1 := c.shards.close()
	err2 := c.cdc.close()
	if err1 != nil {
		return fmt.Errorf("close shard socket: %w", err1)
	}
	if err2 != nil {
		return fmt.Errorf("close CDC socket: %w", err2)
	}
	return nil
}
