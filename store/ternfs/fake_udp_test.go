package ternfs

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// fakeUDPPeer is a shard or CDC replica on 127.0.0.1. handle returns the
// response datagram, or nil to drop the request.
type fakeUDPPeer struct {
	conn     *net.UDPConn
	reqMagic uint32
	handle   func(p *fakeUDPPeer, reqID uint64, kind uint8, body []byte) []byte

	mu   sync.Mutex
	seen map[uint64][]netip.AddrPort // request id -> sources, one per attempt
	at   map[uint64][]time.Time
}

func newFakeUDPPeer(t *testing.T, reqMagic uint32, handle func(*fakeUDPPeer, uint64, uint8, []byte) []byte) *fakeUDPPeer {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeUDPPeer{conn: conn, reqMagic: reqMagic, handle: handle, seen: map[uint64][]netip.AddrPort{}, at: map[uint64][]time.Time{}}
	t.Cleanup(func() { conn.Close() })
	go p.serve()
	return p
}

func (p *fakeUDPPeer) ipPort() wire.IPPort {
	a := p.conn.LocalAddr().(*net.UDPAddr).AddrPort()
	return wire.IPPort{IP: a.Addr().As4(), Port: a.Port()}
}

func (p *fakeUDPPeer) serve() {
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		d, err := wire.ParseDatagram(buf[:n], p.reqMagic)
		if err != nil {
			continue
		}
		p.mu.Lock()
		p.seen[d.RequestID] = append(p.seen[d.RequestID], from)
		p.at[d.RequestID] = append(p.at[d.RequestID], time.Now())
		p.mu.Unlock()
		body := append([]byte(nil), d.Body...)
		go func(id uint64, kind uint8) {
			if out := p.handle(p, id, kind, body); out != nil {
				p.conn.WriteToUDPAddrPort(out, from)
			}
		}(d.RequestID, d.Kind)
	}
}

func (p *fakeUDPPeer) attempts(id uint64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.seen[id])
}

func (p *fakeUDPPeer) requestIDs() []uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []uint64
	for id := range p.seen {
		ids = append(ids, id)
	}
	return ids
}

func shardReply(t *testing.T, id uint64, resp wire.ShardResponse) []byte {
	b, err := wire.AppendShardResponse(nil, id, resp)
	if err != nil {
		t.Error(err)
	}
	return b
}

// fakeCluster is a registry whose shard table points every shard at the
// same addresses (changeable, to simulate a leader move) and a CDC.
type fakeCluster struct {
	t        *testing.T
	mu       sync.Mutex
	shard    wire.AddrsInfo
	cdc      wire.AddrsInfo
	services []wire.BlockService
	registry *fakeRegistry
}

func newFakeCluster(t *testing.T, shard, cdc wire.AddrsInfo) *fakeCluster {
	fc := &fakeCluster{t: t, shard: shard, cdc: cdc}
	fc.registry = newFakeRegistry(t, true, fc.handle)
	return fc
}

func (fc *fakeCluster) setShard(a wire.AddrsInfo) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.shard = a
}

func (fc *fakeCluster) handle(kind wire.RegistryKind, body []byte) []byte {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	switch kind {
	case wire.KindLocalShards:
		shards := make([]wire.ShardInfo, 256)
		for i := range shards {
			shards[i].Addrs = fc.shard
		}
		return mustRegistryResponse(fc.t, &wire.LocalShardsResp{Shards: shards})
	case wire.KindLocalCDC:
		return mustRegistryResponse(fc.t, &wire.LocalCDCResp{Addrs: fc.cdc})
	case wire.KindLocalChangedBlockServices:
		return mustRegistryResponse(fc.t, &wire.LocalChangedBlockServicesResp{LastChange: 1, BlockServices: fc.services})
	}
	return wire.AppendRegistryError(nil, wire.ErrUnrecognizedRequest)
}

// fastConfig shrinks upstream's timeouts so retry tests run in
// milliseconds, keeping their shape (×1.5 growth, jitter, overall cap).
func (fc *fakeCluster) fastConfig() Config {
	return Config{
		Registry:           fastRegistryConfig(fc.registry.addr()),
		ShardTimeouts:      Timeouts{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Overall: 600 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		CDCTimeouts:        Timeouts{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Overall: 600 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		BlockTimeouts:      Timeouts{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Overall: 500 * time.Millisecond, Growth: 1.5, Jitter: 0.1},
		MinRefreshInterval: 20 * time.Millisecond,
	}
}

func (fc *fakeCluster) client(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(context.Background(), fc.fastConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
