package ternfstest

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// UDPPeer is a shard or CDC replica on 127.0.0.1. Handle returns the
// response datagram, or nil to drop the request.
type UDPPeer struct {
	conn     *net.UDPConn
	reqMagic uint32
	Handle   func(p *UDPPeer, reqID uint64, kind uint8, body []byte) []byte

	Mu   sync.Mutex
	Seen map[uint64][]netip.AddrPort // request id -> sources, one per attempt
	At   map[uint64][]time.Time
}

func NewUDPPeer(t *testing.T, reqMagic uint32, handle func(*UDPPeer, uint64, uint8, []byte) []byte) *UDPPeer {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := &UDPPeer{conn: conn, reqMagic: reqMagic, Handle: handle, Seen: map[uint64][]netip.AddrPort{}, At: map[uint64][]time.Time{}}
	t.Cleanup(func() { conn.Close() })
	go p.serve()
	return p
}

func (p *UDPPeer) ipPort() wire.IPPort {
	a := p.conn.LocalAddr().(*net.UDPAddr).AddrPort()
	return wire.IPPort{IP: a.Addr().As4(), Port: a.Port()}
}

func (p *UDPPeer) serve() {
	buf := make([]byte, maxFakeDatagram)
	for {
		n, from, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		d, err := wire.ParseDatagram(buf[:n], p.reqMagic)
		if err != nil {
			continue
		}
		p.Mu.Lock()
		p.Seen[d.RequestID] = append(p.Seen[d.RequestID], from)
		p.At[d.RequestID] = append(p.At[d.RequestID], time.Now())
		p.Mu.Unlock()
		body := append([]byte(nil), d.Body...)
		go func(id uint64, kind uint8) {
			if out := p.Handle(p, id, kind, body); out != nil {
				p.conn.WriteToUDPAddrPort(out, from)
			}
		}(d.RequestID, d.Kind)
	}
}

func (p *UDPPeer) Attempts(id uint64) int {
	p.Mu.Lock()
	defer p.Mu.Unlock()
	return len(p.Seen[id])
}

func (p *UDPPeer) RequestIDs() []uint64 {
	p.Mu.Lock()
	defer p.Mu.Unlock()
	var ids []uint64
	for id := range p.Seen {
		ids = append(ids, id)
	}
	return ids
}

func ShardReply(t *testing.T, id uint64, resp wire.ShardResponse) []byte {
	b, err := wire.AppendShardResponse(nil, id, resp)
	if err != nil {
		t.Error(err)
	}
	return b
}

// Cluster is a registry whose shard table points every shard at the
// same addresses (changeable, to simulate a leader move) and a CDC.
type Cluster struct {
	t        *testing.T
	Mu       sync.Mutex
	shard    wire.AddrsInfo
	cdc      wire.AddrsInfo
	services []wire.BlockService
	Registry *Registry
}

func NewCluster(t *testing.T, shard, cdc wire.AddrsInfo) *Cluster {
	fc := &Cluster{t: t, shard: shard, cdc: cdc}
	fc.Registry = NewRegistry(t, true, fc.Handle)
	return fc
}

func (fc *Cluster) SetShard(a wire.AddrsInfo) {
	fc.Mu.Lock()
	defer fc.Mu.Unlock()
	fc.shard = a
}

func (fc *Cluster) Handle(kind wire.RegistryKind, body []byte) []byte {
	fc.Mu.Lock()
	defer fc.Mu.Unlock()
	switch kind {
	case wire.KindLocalShards:
		shards := make([]wire.ShardInfo, 256)
		for i := range shards {
			shards[i].Addrs = fc.shard
		}
		return MustRegistryResponse(fc.t, &wire.LocalShardsResp{Shards: shards})
	case wire.KindLocalCDC:
		return MustRegistryResponse(fc.t, &wire.LocalCDCResp{Addrs: fc.cdc})
	case wire.KindLocalChangedBlockServices:
		return MustRegistryResponse(fc.t, &wire.LocalChangedBlockServicesResp{LastChange: 1, BlockServices: fc.services})
	}
	return wire.AppendRegistryError(nil, wire.ErrUnrecognizedRequest)
}

func Addrs(peers ...*UDPPeer) wire.AddrsInfo {
	var a wire.AddrsInfo
	a.Addr1 = peers[0].ipPort()
	if len(peers) > 1 {
		a.Addr2 = peers[1].ipPort()
	}
	return a
}

// maxFakeDatagram is the largest datagram a fake reads, as the client's
// transport does.
const maxFakeDatagram = 16 << 10
