package client

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// WriteBlock writes one block to the service named in block (from
// AddSpanInitiate) and returns the service's proof for AddSpanCertify. It
// fails fast, without retrying: the span writer reacts to a failed block by
// blacklisting its failure domain and re-initiating, as upstream does.
func (c *Client) WriteBlock(ctx context.Context, block wire.AddSpanInitiateBlockInfo, crc wire.Crc, data []byte) ([8]byte, error) {
	return c.writeBlockPieces(ctx, block, crc, [][]byte{data})
}

// writeBlockPieces is WriteBlock of a block given as slices written one
// after the other (cells of a span's data, then its padding).
func (c *Client) writeBlockPieces(ctx context.Context, block wire.AddSpanInitiateBlockInfo, crc wire.Crc, pieces [][]byte) ([8]byte, error) {
	c.blockWrites.Add(1)
	c.requests.add(ServiceBlock, (*wire.WriteBlockReq)(nil))
	var proof [8]byte
	size := 0
	for _, p := range pieces {
		size += len(p)
	}
	if size%span.PageSize != 0 {
		return proof, fmt.Errorf("write block %d: size %d is not a multiple of %d", block.BlockID, size, span.PageSize)
	}
	req := &wire.WriteBlockReq{BlockID: block.BlockID, Crc: crc, Size: uint32(size), Certificate: block.Certificate}
	header, err := wire.AppendBlocksRequest(nil, block.BlockServiceID, req)
	if err != nil {
		return proof, fmt.Errorf("write block %d: %w", block.BlockID, err)
	}
	var resp wire.WriteBlockResp
	newCall := func() (*blockCall, [][]byte) {
		return &blockCall{
			readResponse: func(r *bufio.Reader) error { return wire.ReadBlocksResponse(r, &resp) },
			done:         make(chan error, 1),
		}, append([][]byte{header}, pieces...)
	}
	if err := c.blocks.do(ctx, block.BlockServiceID, block.BlockServiceAddrs, c.cfg.BlockTimeouts, false, newCall); err != nil {
		return proof, fmt.Errorf("write block %d to service %d: %w", block.BlockID, block.BlockServiceID, err)
	}
	return resp.Proof, nil
}

// FetchBlockPages reads count bytes at offset (both multiples of the page
// size) of a block, checking every page against the CRC the service sends
// with it. With retry, connection failures are retried along the block
// timeouts; without, the first failure is returned (readers with parity
// to fall back on prefer that).
func (c *Client) FetchBlockPages(ctx context.Context, svc wire.BlockService, file wire.InodeID, block wire.BlockID, blockCrc wire.Crc, offset, count uint32, retry bool) ([]byte, error) {
	data := make([]byte, count)
	err := c.fetchBlockPagesTo(ctx, svc, file, block, blockCrc, offset, count, retry, func(at uint32, page []byte) {
		copy(data[at-offset:], page)
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// fetchBlockPagesTo is FetchBlockPages handing each checked page to put,
// with its offset in the block, instead of collecting them: readers place
// pages straight where they belong. put is not called after the fetch
// returns. On error some pages may have been put already.
func (c *Client) fetchBlockPagesTo(ctx context.Context, svc wire.BlockService, file wire.InodeID, block wire.BlockID, blockCrc wire.Crc, offset, count uint32, retry bool, put func(at uint32, page []byte)) error {
	if offset%span.PageSize != 0 || count%span.PageSize != 0 {
		return fmt.Errorf("fetch block %d: offset %d and count %d must be multiples of %d", block, offset, count, span.PageSize)
	}
	req := &wire.FetchBlockWithCrcReq{FileID: file, BlockID: block, BlockCrc: blockCrc, Offset: offset, Count: count}
	c.requests.add(ServiceBlock, req)
	header, err := wire.AppendBlocksRequest(nil, svc.ID, req)
	if err != nil {
		return fmt.Errorf("fetch block %d: %w", block, err)
	}
	sink := &pageSink{put: put}
	newCall := func() (*blockCall, [][]byte) {
		return &blockCall{
			readResponse: func(r *bufio.Reader) error {
				if err := wire.ReadBlocksResponse(r, &wire.FetchBlockWithCrcResp{}); err != nil {
					return err
				}
				return readCheckedPages(r, offset, count/span.PageSize, sink)
			},
			done: make(chan error, 1),
		}, [][]byte{header}
	}
	err = c.blocks.do(ctx, svc.ID, svc.Addrs, c.cfg.BlockTimeouts, retry, newCall)
	// An abandoned call's response may still be streaming in: stop it
	// from putting pages into memory the caller reuses.
	sink.close()
	if pe, ok := err.(pageCrcError); ok {
		err = pe.err
	}
	if err != nil {
		return fmt.Errorf("fetch block %d from service %d: %w", block, svc.ID, err)
	}
	return nil
}

// readCheckedPages consumes pages pages with their CRCs from r, handing
// each good one to sink. A bad page is the data's fault, not the
// stream's: the rest is still consumed, so the connection stays in sync.
func readCheckedPages(r *bufio.Reader, offset, pages uint32, sink *pageSink) error {
	var bad error
	for i := range pages {
		b, err := r.Peek(span.PageWithCrcSize)
		if err != nil {
			return fmt.Errorf("read block data: %w", err)
		}
		page := b[:span.PageSize]
		want := wire.Crc(binary.LittleEndian.Uint32(b[span.PageSize:]))
		if got := span.CrcOf(page); got != want && bad == nil {
			bad = fmt.Errorf("%w: page %d has CRC %08x, expected %08x", wire.ErrBadPageCrc, i, got, want)
		}
		if bad == nil {
			sink.deliver(offset+i*span.PageSize, page)
		}
		if _, err := r.Discard(span.PageWithCrcSize); err != nil {
			return fmt.Errorf("read block data: %w", err)
		}
	}
	if bad != nil {
		return pageCrcError{bad}
	}
	return nil
}

// pageSink hands pages to put until closed.
type pageSink struct {
	mu     sync.Mutex
	closed bool
	put    func(at uint32, page []byte)
}

func (s *pageSink) deliver(at uint32, page []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.put(at, page)
	}
}

// close waits for a page being put and stops further ones.
func (s *pageSink) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// pageCrcError carries a page CRC mismatch through the connection's reader,
// which would otherwise treat an unknown error as a broken stream.
type pageCrcError struct{ err error }

func (e pageCrcError) Error() string { return e.err.Error() }
func (e pageCrcError) Unwrap() error { return e.err }
