package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// maxSpanAttempts bounds re-initiations after failed block writes
// (upstream: five).
const maxSpanAttempts = 5

// WrittenSpan is a span whose blocks are written: everything AddSpanCertify
// needs. Multipart keeps it per span, because the shard checks proofs only
// against their block service and block id, never against the span (doc
// §9): the proofs must stay paired with these block ids.
type WrittenSpan struct {
	Offset uint64
	Size   uint32
	Crc    wire.Crc
	Proofs []wire.BlockProof // one per block, in block order
}

// WriteSpan appends data to a transient file at offset (its current size):
// inline below 256 bytes, otherwise initiate, write the blocks, certify.
func (c *Client) WriteSpan(ctx context.Context, file wire.InodeID, cookie wire.Cookie, offset uint64, data []byte, p *span.SpanPolicies) error {
	switch {
	case len(data) == 0:
		return nil
	case len(data) <= span.MaxInlineSpan:
		return c.AddInlineSpan(ctx, file, cookie, offset, data)
	}
	ws, err := c.WriteSpanUncertified(ctx, file, cookie, offset, data, p)
	if err != nil {
		return err
	}
	return c.CertifySpan(ctx, file, cookie, ws)
}

// AddInlineSpan stores a short span in shard metadata.
func (c *Client) AddInlineSpan(ctx context.Context, file wire.InodeID, cookie wire.Cookie, offset uint64, data []byte) error {
	req := &wire.AddInlineSpanReq{FileID: file, Cookie: cookie, StorageClass: wire.StorageInline, ByteOffset: offset, Size: uint32(len(data)), Crc: span.CrcOf(data), Body: data}
	return c.ShardRequest(ctx, file.Shard(), req, &wire.AddInlineSpanResp{})
}

// CertifySpan marks a written span clean. It is idempotent on the shard.
func (c *Client) CertifySpan(ctx context.Context, file wire.InodeID, cookie wire.Cookie, ws *WrittenSpan) error {
	req := &wire.AddSpanCertifyReq{FileID: file, Cookie: cookie, ByteOffset: ws.Offset, Proofs: ws.Proofs}
	return c.ShardRequest(ctx, file.Shard(), req, &wire.AddSpanCertifyResp{})
}

// WriteSpanUncertified initiates a block span at offset and writes its
// blocks in parallel, leaving the span DIRTY (movable with MoveSpan). When
// a block write fails, the failed services' failure domains are
// blacklisted, the dirty span is moved into a throwaway file (the file
// cannot take another span while it has a dirty one) and the span is
// initiated again, as upstream's writer does. Data must be buffered whole:
// blocks must be written within minutes of initiation.
func (c *Client) WriteSpanUncertified(ctx context.Context, file wire.InodeID, cookie wire.Cookie, offset uint64, data []byte, p *span.SpanPolicies) (*WrittenSpan, error) {
	if len(data) <= span.MaxInlineSpan {
		return nil, fmt.Errorf("ternfs: a %d-byte span must be written inline", len(data))
	}
	layout, err := span.ComputeSpanLayout(p, uint32(len(data)))
	if err != nil {
		return nil, err
	}
	enc, done, err := c.encodeForWrite(layout, data)
	if err != nil {
		return nil, err
	}
	defer done()
	req := &wire.AddSpanInitiateWithReferenceReq{
		Req: wire.AddSpanInitiateReq{
			FileID: file, Cookie: cookie, ByteOffset: offset, Size: enc.Size, Crc: enc.Crc,
			StorageClass: layout.StorageClass, Parity: layout.Parity, Stripes: layout.Stripes,
			CellSize: layout.CellSize, Crcs: enc.CellCrcs,
		},
		Reference: file, // the null inode is refused; the file itself spreads spans at random
	}
	for attempt := 1; ; attempt++ {
		var resp wire.AddSpanInitiateWithReferenceResp
		if err := c.ShardRequest(ctx, file.Shard(), req, &resp); err != nil {
			return nil, fmt.Errorf("initiate span at %d of %v: %w", offset, file, err)
		}
		blocks := resp.Resp.Blocks
		if len(blocks) != layout.Parity.Blocks() {
			return nil, fmt.Errorf("initiate span at %d of %v: %w: %d blocks for parity %v", offset, file, wire.ErrMalformed, len(blocks), layout.Parity)
		}
		proofs, failed, werr := c.writeSpanBlocks(ctx, blocks, enc)
		if werr == nil {
			return &WrittenSpan{Offset: offset, Size: enc.Size, Crc: enc.Crc, Proofs: proofs}, nil
		}
		if ctx.Err() != nil || attempt >= maxSpanAttempts {
			return nil, fmt.Errorf("write span at %d of %v (attempt %d): %w", offset, file, attempt, werr)
		}
		for _, b := range failed {
			req.Req.Blacklist = append(req.Req.Blacklist, wire.BlacklistEntry{FailureDomain: b.BlockServiceFailureDomain})
		}
		if err := c.setAsideDirtySpan(ctx, file, cookie, offset, enc.Size); err != nil {
			return nil, fmt.Errorf("write span at %d of %v: after %v: %w", offset, file, werr, err)
		}
	}
}

// encodeForWrite encodes data for its block writes. The parity comes out
// of the parity buffers lent for data when there are some (the Store's
// appends reserve them with the span), else it is allocated; done gives it
// back.
func (c *Client) encodeForWrite(layout span.SpanLayout, data []byte) (*span.Encoding, func(), error) {
	n := span.ParityBytes(layout)
	var parity []byte
	done, lent := func() {}, false
	if c.parityBuffers != nil {
		parity, done, lent = c.parityBuffers.Parity(data, n)
	}
	if !lent {
		parity, done = make([]byte, n), func() {}
	}
	enc, err := span.Encode(layout, data, parity)
	if err != nil {
		done()
		return nil, nil, err
	}
	return enc, done, nil
}

// writeSpanBlocks writes every block concurrently and reports the blocks
// whose write failed.
func (c *Client) writeSpanBlocks(ctx context.Context, blocks []wire.AddSpanInitiateBlockInfo, enc *span.Encoding) ([]wire.BlockProof, []wire.AddSpanInitiateBlockInfo, error) {
	proofs := make([]wire.BlockProof, len(blocks))
	errs := make([]error, len(blocks))
	var wg sync.WaitGroup
	for i, b := range blocks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			proof, err := c.writeBlockPieces(ctx, b, enc.BlockCrcs[i], enc.BlockPieces(i))
			proofs[i] = wire.BlockProof{BlockID: b.BlockID, Proof: proof}
			errs[i] = err
		}()
	}
	wg.Wait()
	var failed []wire.AddSpanInitiateBlockInfo
	for i, err := range errs {
		if err != nil {
			failed = append(failed, blocks[i])
		}
	}
	return proofs, failed, errors.Join(errs...)
}

// setAsideDirtySpan moves the file's dirty last span into a new transient
// file so the span can be initiated again; the throwaway file is scrapped
// (GC would reclaim it at its deadline anyway).
func (c *Client) setAsideDirtySpan(ctx context.Context, file wire.InodeID, cookie wire.Cookie, offset uint64, size uint32) error {
	var tmp wire.ConstructFileResp
	if err := c.ShardRequest(ctx, file.Shard(), &wire.ConstructFileReq{Type: wire.InodeFile, Note: "bad_add_span_attempt"}, &tmp); err != nil {
		return fmt.Errorf("construct throwaway file: %w", err)
	}
	move := &wire.MoveSpanReq{SpanSize: size, FileID1: file, ByteOffset1: offset, Cookie1: cookie, FileID2: tmp.ID, ByteOffset2: 0, Cookie2: tmp.Cookie}
	if err := c.ShardRequest(ctx, file.Shard(), move, &wire.MoveSpanResp{}); err != nil {
		return fmt.Errorf("move failed span aside: %w", err)
	}
	_ = c.ShardRequest(ctx, file.Shard(), &wire.ScrapTransientFileReq{ID: tmp.ID, Cookie: tmp.Cookie}, &wire.ScrapTransientFileResp{})
	return nil
}
