package ternfs

import (
	"bufio"
	"context"
	"fmt"
)

// WriteBlock writes one block to the service named in block (from
// AddSpanInitiate) and returns the service's proof for AddSpanCertify. It
// fails fast, without retrying: the span writer reacts to a failed block by
// blacklisting its failure domain and re-initiating, as upstream does.
func (c *Client) WriteBlock(ctx context.Context, block AddSpanInitiateBlockInfo, crc Crc, data []byte) ([8]byte, error) {
	var proof [8]byte
	if len(data)%PageSize != 0 {
		return proof, fmt.Errorf("write block %d: size %d is not a multiple of %d", block.BlockID, len(data), PageSize)
	}
	req := &WriteBlockReq{BlockID: block.BlockID, Crc: crc, Size: uint32(len(data)), Certificate: block.Certificate}
	header, err := AppendBlocksRequest(nil, block.BlockServiceID, req)
	if err != nil {
		return proof, fmt.Errorf("write block %d: %w", block.BlockID, err)
	}
	var resp WriteBlockResp
	newCall := func() (*blockCall, [][]byte) {
		return &blockCall{
			readResponse: func(r *bufio.Reader) error { return ReadBlocksResponse(r, &resp) },
			done:         make(chan error, 1),
		}, [][]byte{header, data}
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
func (c *Client) FetchBlockPages(ctx context.Context, svc BlockService, file InodeID, block BlockID, blockCrc Crc, offset, count uint32, retry bool) ([]byte, error) {
	if offset%PageSize != 0 || count%PageSize != 0 {
		return nil, fmt.Errorf("fetch block %d: offset %d and count %d must be multiples of %d", block, offset, count, PageSize)
	}
	req := &FetchBlockWithCrcReq{FileID: file, BlockID: block, BlockCrc: blockCrc, Offset: offset, Count: count}
	header, err := AppendBlocksRequest(nil, svc.ID, req)
	if err != nil {
		return nil, fmt.Errorf("fetch block %d: %w", block, err)
	}
	var data []byte
	newCall := func() (*blockCall, [][]byte) {
		return &blockCall{
			readResponse: func(r *bufio.Reader) error {
				if err := ReadBlocksResponse(r, &FetchBlockWithCrcResp{}); err != nil {
					return err
				}
				payload := make([]byte, int(count/PageSize)*PageWithCrcSize)
				if err := readFull(r, payload); err != nil {
					return err
				}
				// A bad page is the data's fault, not the stream's: the
				// connection stays in sync.
				var cerr error
				data, cerr = AppendCheckedPages(make([]byte, 0, count), payload)
				if cerr != nil {
					return pageCrcError{cerr}
				}
				return nil
			},
			done: make(chan error, 1),
		}, [][]byte{header}
	}
	err = c.blocks.do(ctx, svc.ID, svc.Addrs, c.cfg.BlockTimeouts, retry, newCall)
	if pe, ok := err.(pageCrcError); ok {
		err = pe.err
	}
	if err != nil {
		return nil, fmt.Errorf("fetch block %d from service %d: %w", block, svc.ID, err)
	}
	return data, nil
}

// pageCrcError carries a page CRC mismatch through the connection's reader,
// which would otherwise treat an unknown error as a broken stream.
type pageCrcError struct{ err error }

func (e pageCrcError) Error() string { return e.err.Error() }
func (e pageCrcError) Unwrap() error { return e.err }
