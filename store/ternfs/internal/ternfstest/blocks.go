package ternfstest

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// FakeMAC stands in for the block services' keyed MACs: certificates and
// proofs only need to be checkable by the fakes.
func FakeMAC(svc wire.BlockServiceID, tag byte, block wire.BlockID, crc wire.Crc, size uint32) [8]byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(svc)*0x9E3779B97F4A7C15^uint64(block)^uint64(crc)<<17^uint64(size)<<3^uint64(tag))
	return b
}

// BlockService stores blocks in memory and speaks the block protocol.
type BlockService struct {
	ID wire.BlockServiceID
	ln net.Listener

	Refuse       atomic.Bool  // close every new connection at once
	DropConns    atomic.Int32 // close this many new connections after reading a request
	CorruptPages atomic.Bool
	Lie          atomic.Bool // serve altered pages with CRCs that match them
	Conns        atomic.Int32
	fetches      atomic.Int32
	FetchedBytes atomic.Int64

	Mu     sync.Mutex
	blocks map[wire.BlockID][]byte
}

func NewBlockService(t *testing.T, id wire.BlockServiceID) *BlockService {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &BlockService{ID: id, ln: ln, blocks: map[wire.BlockID][]byte{}}
	t.Cleanup(func() { ln.Close() })
	go s.serve()
	return s
}

func (s *BlockService) Addrs() wire.AddrsInfo {
	a := s.ln.Addr().(*net.TCPAddr).AddrPort()
	return wire.AddrsInfo{Addr1: wire.IPPort{IP: a.Addr().As4(), Port: a.Port()}}
}

func (s *BlockService) Info() wire.BlockService {
	return wire.BlockService{Addrs: s.Addrs(), ID: s.ID}
}

func (s *BlockService) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.Conns.Add(1)
		if s.Refuse.Load() {
			conn.Close()
			continue
		}
		go s.Handle(conn)
	}
}

func (s *BlockService) Handle(conn net.Conn) {
	defer conn.Close()
	drop := s.DropConns.Add(-1) >= 0
	r := bufio.NewReader(conn)
	for {
		svc, kind, err := wire.ReadBlocksRequestHeader(r)
		if err != nil {
			return
		}
		if drop {
			return
		}
		switch kind {
		case wire.KindWriteBlock:
			var req wire.WriteBlockReq
			if wire.ReadBlocksBody(r, &req) != nil {
				return
			}
			if svc != s.ID || req.Certificate != FakeMAC(s.ID, 'w', req.BlockID, req.Crc, req.Size) {
				// Answer before reading the body, then hang up, as the
				// real service may.
				conn.Write(wire.AppendBlocksError(nil, wire.ErrBadCertificate))
				return
			}
			data := make([]byte, req.Size)
			if _, err := io.ReadFull(r, data); err != nil {
				return
			}
			if span.CrcOf(data) != req.Crc {
				conn.Write(wire.AppendBlocksError(nil, wire.ErrBadBlockCrc))
				return
			}
			s.Mu.Lock()
			s.blocks[req.BlockID] = data
			s.Mu.Unlock()
			out, _ := wire.AppendBlocksResponse(nil, &wire.WriteBlockResp{Proof: FakeMAC(s.ID, 'W', req.BlockID, 0, 0)})
			conn.Write(out)
		case wire.KindFetchBlockWithCrc:
			var req wire.FetchBlockWithCrcReq
			if wire.ReadBlocksBody(r, &req) != nil {
				return
			}
			s.fetches.Add(1)
			s.FetchedBytes.Add(int64(req.Count))
			s.Mu.Lock()
			data, ok := s.blocks[req.BlockID]
			s.Mu.Unlock()
			if !ok {
				conn.Write(wire.AppendBlocksError(nil, wire.ErrBlockNotFound))
				continue // the connection survives BLOCK_NOT_FOUND
			}
			out, _ := wire.AppendBlocksResponse(nil, &wire.FetchBlockWithCrcResp{})
			for off := req.Offset; off < req.Offset+req.Count; off += span.PageSize {
				page := data[off : off+span.PageSize]
				if s.Lie.Load() {
					page = append([]byte{page[0] ^ 0xFF}, page[1:]...)
				}
				crc := span.CrcOf(page)
				if s.CorruptPages.Load() {
					crc ^= 1
				}
				out = append(out, page...)
				out = binary.LittleEndian.AppendUint32(out, uint32(crc))
			}
			if _, err := conn.Write(out); err != nil {
				return
			}
		default:
			conn.Write(wire.AppendBlocksError(nil, wire.ErrUnrecognizedRequest))
			return
		}
	}
}
