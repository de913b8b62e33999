package client

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

func blockClient(t *testing.T) *Client {
	shard := ternfstest.NewUDPPeer(t, wire.ShardRequestMagic, func(*ternfstest.UDPPeer, uint64, uint8, []byte) []byte { return nil })
	fc := ternfstest.NewCluster(t, ternfstest.Addrs(shard), ternfstest.Addrs(shard))
	cfg := fastConfig(fc)
	cfg.BlockConnsPerService = 1
	c, err := NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func writeTestBlock(t *testing.T, c *Client, s *ternfstest.BlockService, id wire.BlockID, data []byte) [8]byte {
	t.Helper()
	crc := span.CrcOf(data)
	info := wire.AddSpanInitiateBlockInfo{BlockServiceAddrs: s.Addrs(), BlockServiceID: s.ID, BlockID: id, Certificate: ternfstest.FakeMAC(s.ID, 'w', id, crc, uint32(len(data)))}
	proof, err := c.WriteBlock(context.Background(), info, crc, data)
	if err != nil {
		t.Fatal(err)
	}
	return proof
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

func TestBlockWriteFetchPipelined(t *testing.T) {
	c := blockClient(t)
	s := ternfstest.NewBlockService(t, 11)
	data := pattern(4*span.PageSize, 1)
	proof := writeTestBlock(t, c, s, 500, data)
	if proof != ternfstest.FakeMAC(11, 'W', 500, 0, 0) {
		t.Fatal("proof not passed through")
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			off := uint32(i%4) * span.PageSize
			got, err := c.FetchBlockPages(context.Background(), s.Info(), 1, 500, span.CrcOf(data), off, span.PageSize, false)
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(got, data[off:off+span.PageSize]) {
				t.Errorf("fetch %d: wrong bytes", i)
			}
		}()
	}
	wg.Wait()
	if n := s.Conns.Load(); n != 1 {
		t.Fatalf("%d connections; the pool caps at 1 and pipelines", n)
	}
}

func TestBlockNotFoundKeepsConnection(t *testing.T) {
	c := blockClient(t)
	s := ternfstest.NewBlockService(t, 12)
	data := pattern(span.PageSize, 2)
	writeTestBlock(t, c, s, 1, data)
	_, err := c.FetchBlockPages(context.Background(), s.Info(), 1, 999, 0, 0, span.PageSize, true)
	if !errors.Is(err, wire.ErrBlockNotFound) {
		t.Fatalf("err %v", err)
	}
	if _, err := c.FetchBlockPages(context.Background(), s.Info(), 1, 1, span.CrcOf(data), 0, span.PageSize, false); err != nil {
		t.Fatal(err)
	}
	if n := s.Conns.Load(); n != 1 {
		t.Fatalf("%d connections after BLOCK_NOT_FOUND, want the same one", n)
	}
}

func TestBlockPageCrcMismatch(t *testing.T) {
	c := blockClient(t)
	s := ternfstest.NewBlockService(t, 13)
	data := pattern(2*span.PageSize, 3)
	writeTestBlock(t, c, s, 1, data)
	s.CorruptPages.Store(true)
	_, err := c.FetchBlockPages(context.Background(), s.Info(), 1, 1, span.CrcOf(data), 0, 2*span.PageSize, false)
	if !errors.Is(err, wire.ErrBadPageCrc) {
		t.Fatalf("err %v, want page CRC mismatch", err)
	}
}

func TestBlockWriteRejectedBeforeBody(t *testing.T) {
	c := blockClient(t)
	s := ternfstest.NewBlockService(t, 14)
	data := pattern(64*span.PageSize, 4)
	info := wire.AddSpanInitiateBlockInfo{BlockServiceAddrs: s.Addrs(), BlockServiceID: 14, BlockID: 1} // bad certificate
	_, err := c.WriteBlock(context.Background(), info, span.CrcOf(data), data)
	if !errors.Is(err, wire.ErrBadCertificate) && !errors.Is(err, errConnBroken) {
		t.Fatalf("err %v, want BAD_CERTIFICATE (or a broken connection if the reset won the race)", err)
	}
	// The pool recovers with a fresh connection.
	writeTestBlock(t, c, s, 2, data[:span.PageSize])
}

func TestBlockFetchRetriesDroppedConnections(t *testing.T) {
	c := blockClient(t)
	s := ternfstest.NewBlockService(t, 15)
	data := pattern(span.PageSize, 5)
	writeTestBlock(t, c, s, 1, data)
	c.blocks.close()
	c.blocks = newBlockPool(1)
	s.DropConns.Store(2)
	got, err := c.FetchBlockPages(context.Background(), s.Info(), 1, 1, span.CrcOf(data), 0, span.PageSize, true)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("retrying fetch: %v", err)
	}
	// Without retry the first failure is returned.
	s.DropConns.Store(1)
	c.blocks.close()
	c.blocks = newBlockPool(1)
	if _, err := c.FetchBlockPages(context.Background(), s.Info(), 1, 1, span.CrcOf(data), 0, span.PageSize, false); !errors.Is(err, errConnBroken) {
		t.Fatalf("fail-fast fetch: %v", err)
	}
}

func TestBlockRefusedServiceFailsFast(t *testing.T) {
	c := blockClient(t)
	s := ternfstest.NewBlockService(t, 16)
	s.Refuse.Store(true)
	if _, err := c.FetchBlockPages(context.Background(), s.Info(), 1, 1, 0, 0, span.PageSize, false); err == nil {
		t.Fatal("expected failure")
	}
}
