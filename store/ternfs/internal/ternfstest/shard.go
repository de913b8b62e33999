package ternfstest

import (
	"sync"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// SpanShard keeps transient files and their spans in memory and picks
// block services from a fixed set, one per failure domain, honouring the
// blacklist, as the real shard does.
type SpanShard struct {
	t        *testing.T
	services []*BlockService
	domains  map[wire.BlockServiceID]wire.FailureDomain

	Mu        sync.Mutex
	nextID    uint64
	nextBlock wire.BlockID
	files     map[wire.InodeID]*fakeFile
	Initiates int
	Moves     int
}

type fakeFile struct {
	cookie wire.Cookie
	spans  []*fakeSpan
	size   uint64
}

type fakeSpan struct {
	wire.FetchedSpan
	blocks []wire.AddSpanInitiateBlockInfo
	dirty  bool
}

func NewSpanShard(t *testing.T, services []*BlockService) *SpanShard {
	s := &SpanShard{t: t, services: services, domains: map[wire.BlockServiceID]wire.FailureDomain{}, files: map[wire.InodeID]*fakeFile{}, nextBlock: 1000}
	for i, bs := range services {
		var fd wire.FailureDomain
		copy(fd[:], []byte{'f', 'd', byte('a' + i)})
		s.domains[bs.ID] = fd
	}
	return s
}

func (s *SpanShard) Handle(p *UDPPeer, id uint64, kind uint8, body []byte) []byte {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	reply := func(r wire.ShardResponse) []byte { return ShardReply(s.t, id, r) }
	fail := func(e wire.Error) []byte { return wire.AppendErrorDatagram(nil, wire.ShardResponseMagic, id, e) }
	decode := func(m wire.Message) bool { return wire.Unmarshal(body, m) == nil }
	file := func(fid wire.InodeID, c wire.Cookie) (*fakeFile, wire.Error) {
		f := s.files[fid]
		if f == nil {
			return nil, wire.ErrFileNotFound
		}
		if f.cookie != c {
			return nil, wire.ErrBadCookie
		}
		return f, 0
	}
	switch wire.ShardKind(kind) {
	case wire.KindConstructFile:
		s.nextID++
		fid := wire.MakeInodeID(wire.InodeFile, 0, s.nextID)
		f := &fakeFile{cookie: wire.Cookie{byte(s.nextID), 0xc0}}
		s.files[fid] = f
		return reply(&wire.ConstructFileResp{ID: fid, Cookie: f.cookie})
	case wire.KindAddInlineSpan:
		var req wire.AddInlineSpanReq
		if !decode(&req) {
			return fail(wire.ErrMalformedRequest)
		}
		f, e := file(req.FileID, req.Cookie)
		if e != 0 {
			return fail(e)
		}
		if req.ByteOffset != f.size || span.CrcOf(req.Body) != req.Crc {
			return fail(wire.ErrBadSpanBody)
		}
		f.spans = append(f.spans, &fakeSpan{FetchedSpan: wire.FetchedSpan{ByteOffset: req.ByteOffset, Size: req.Size, Crc: req.Crc, StorageClass: wire.StorageInline, Inline: req.Body}})
		f.size += uint64(req.Size)
		return reply(&wire.AddInlineSpanResp{})
	case wire.KindAddSpanInitiateWithReference:
		var req wire.AddSpanInitiateWithReferenceReq
		if !decode(&req) {
			return fail(wire.ErrMalformedRequest)
		}
		r := req.Req
		f, e := file(r.FileID, r.Cookie)
		if e != 0 {
			return fail(e)
		}
		if r.ByteOffset != f.size || r.ByteOffset%span.PageSize != 0 || r.CellSize%span.PageSize != 0 {
			return fail(wire.ErrSpanNotFound)
		}
		if n := len(f.spans); n > 0 && f.spans[n-1].dirty {
			return fail(wire.ErrLastSpanStateNotClean)
		}
		B := r.Parity.Blocks()
		var picked []wire.AddSpanInitiateBlockInfo
		for _, bs := range s.services {
			if len(picked) == B {
				break
			}
			blacklisted := false
			for _, bl := range r.Blacklist {
				if bl.FailureDomain == s.domains[bs.ID] || bl.BlockService == bs.ID {
					blacklisted = true
				}
			}
			if blacklisted {
				continue
			}
			s.nextBlock++
			b := len(picked)
			blockCrc := blockCrcFromCells(r, b)
			picked = append(picked, wire.AddSpanInitiateBlockInfo{
				BlockServiceAddrs: bs.Addrs(), BlockServiceID: bs.ID, BlockServiceFailureDomain: s.domains[bs.ID],
				BlockID: s.nextBlock, Certificate: FakeMAC(bs.ID, 'w', s.nextBlock, blockCrc, r.CellSize*uint32(r.Stripes)),
			})
		}
		if len(picked) < B {
			return fail(wire.ErrCouldNotPickBlockService)
		}
		s.Initiates++
		sp := &fakeSpan{blocks: picked, dirty: true, FetchedSpan: wire.FetchedSpan{ByteOffset: r.ByteOffset, Size: r.Size, Crc: r.Crc, StorageClass: r.StorageClass}}
		sp.Blocks = wire.FetchedBlocksSpan{Parity: r.Parity, Stripes: r.Stripes, CellSize: r.CellSize}
		D := r.Parity.DataBlocks()
		for st := range int(r.Stripes) {
			var c wire.Crc
			for d := range D {
				c = span.CrcAppend(c, r.Crcs[st*B+d], int64(r.CellSize))
			}
			sp.Blocks.StripesCrc = append(sp.Blocks.StripesCrc, c)
		}
		for b, pb := range picked {
			sp.Blocks.Blocks = append(sp.Blocks.Blocks, wire.FetchedBlock{BlockID: pb.BlockID, Crc: blockCrcFromCells(r, b)})
		}
		f.spans = append(f.spans, sp)
		f.size += uint64(r.Size)
		return reply(&wire.AddSpanInitiateWithReferenceResp{Resp: wire.AddSpanInitiateResp{Blocks: picked}})
	case wire.KindAddSpanCertify:
		var req wire.AddSpanCertifyReq
		if !decode(&req) {
			return fail(wire.ErrMalformedRequest)
		}
		f, e := file(req.FileID, req.Cookie)
		if e != 0 {
			return fail(e)
		}
		n := len(f.spans)
		if n == 0 || f.spans[n-1].ByteOffset != req.ByteOffset {
			return fail(wire.ErrSpanNotFound)
		}
		sp := f.spans[n-1]
		if !sp.dirty {
			return reply(&wire.AddSpanCertifyResp{})
		}
		if len(req.Proofs) != len(sp.blocks) {
			return fail(wire.Error(32))
		}
		for i, pr := range req.Proofs {
			if pr.BlockID != sp.blocks[i].BlockID || pr.Proof != FakeMAC(sp.blocks[i].BlockServiceID, 'W', pr.BlockID, 0, 0) {
				return fail(wire.Error(33))
			}
		}
		sp.dirty = false
		return reply(&wire.AddSpanCertifyResp{})
	case wire.KindMoveSpan:
		var req wire.MoveSpanReq
		if !decode(&req) {
			return fail(wire.ErrMalformedRequest)
		}
		f1, e1 := file(req.FileID1, req.Cookie1)
		f2, e2 := file(req.FileID2, req.Cookie2)
		if e1 != 0 || e2 != 0 {
			return fail(wire.ErrFileNotFound)
		}
		n := len(f1.spans)
		if n == 0 || !f1.spans[n-1].dirty || f1.spans[n-1].ByteOffset != req.ByteOffset1 || f2.size != req.ByteOffset2 {
			return fail(wire.ErrSpanNotFound)
		}
		sp := f1.spans[n-1]
		f1.spans = f1.spans[:n-1]
		f1.size -= uint64(sp.Size)
		sp.ByteOffset = req.ByteOffset2
		f2.spans = append(f2.spans, sp)
		f2.size += uint64(sp.Size)
		s.Moves++
		return reply(&wire.MoveSpanResp{})
	case wire.KindScrapTransientFile:
		return reply(&wire.ScrapTransientFileResp{})
	case wire.KindStatTransientFile, wire.KindStatFile:
		// Transient and "linked" alike: the fake never links.
		var id wire.InodeID
		if wire.ShardKind(kind) == wire.KindStatFile {
			var req wire.StatFileReq
			if !decode(&req) {
				return fail(wire.ErrMalformedRequest)
			}
			id = req.ID
		} else {
			var req wire.StatTransientFileReq
			if !decode(&req) {
				return fail(wire.ErrMalformedRequest)
			}
			id = req.ID
		}
		f := s.files[id]
		if f == nil {
			return fail(wire.ErrFileNotFound)
		}
		if wire.ShardKind(kind) == wire.KindStatFile {
			return reply(&wire.StatFileResp{Size: f.size})
		}
		return reply(&wire.StatTransientFileResp{Size: f.size})
	case wire.KindLocalFileSpans:
		var req wire.LocalFileSpansReq
		if !decode(&req) {
			return fail(wire.ErrMalformedRequest)
		}
		f := s.files[req.FileID]
		if f == nil {
			return fail(wire.ErrFileNotFound)
		}
		// One span per page, to exercise paging.
		var resp wire.LocalFileSpansResp
		for i, sp := range f.spans {
			if sp.ByteOffset+uint64(sp.Size) <= req.ByteOffset {
				continue
			}
			out := sp.FetchedSpan
			if out.StorageClass != wire.StorageInline {
				out.Blocks.Blocks = append([]wire.FetchedBlock(nil), sp.Blocks.Blocks...)
				for b := range out.Blocks.Blocks {
					out.Blocks.Blocks[b].BlockServiceIx = uint8(len(resp.BlockServices))
					resp.BlockServices = append(resp.BlockServices, wire.BlockService{Addrs: sp.blocks[b].BlockServiceAddrs, ID: sp.blocks[b].BlockServiceID})
				}
			}
			resp.Spans = []wire.FetchedSpan{out}
			if i+1 < len(f.spans) {
				resp.NextOffset = f.spans[i+1].ByteOffset
			}
			break
		}
		return reply(&resp)
	}
	return fail(wire.ErrUnrecognizedRequest)
}

// CookieOf is the cookie of a file the fake constructed.
func (s *SpanShard) CookieOf(id wire.InodeID) wire.Cookie {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return s.files[id].cookie
}

// blockCrcFromCells recomputes block b's CRC from the initiate request's
// cell CRCs (the fake shard stores it for LocalFileSpans).
func blockCrcFromCells(r wire.AddSpanInitiateReq, b int) wire.Crc {
	B := r.Parity.Blocks()
	var c wire.Crc
	for st := range int(r.Stripes) {
		c = span.CrcAppend(c, r.Crcs[st*B+b], int64(r.CellSize))
	}
	return c
}
