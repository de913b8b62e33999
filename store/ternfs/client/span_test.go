package client

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"

	"github.com/terngate/terngate/store/ternfs/internal/ternfstest"
)

func TestWriteAndReadSpans(t *testing.T) {
	r := newSpanRig(t)
	// Mirrored (1,2), striped (4,2) over 2 stripes with padding, inline.
	id, want := r.writeFile(t, pattern(8192, 1), pattern(40000, 2), pattern(100, 3))
	spans, err := r.c.FileSpans(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 3 || spans[0].Blocks.Parity != 0x21 || spans[1].Blocks.Parity != 0x24 || spans[1].Blocks.Stripes != 2 || spans[2].StorageClass != wire.StorageInline {
		t.Fatalf("unexpected spans %+v", spans)
	}
	got, err := r.c.ReadFile(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("read back differs")
	}
}

func TestWriteSpanBlacklistsFailedDomainAndReinitiates(t *testing.T) {
	r := newSpanRig(t)
	r.services[1].Refuse.Store(true)
	id, want := r.writeFile(t, pattern(40000, 4))
	r.shard.Mu.Lock()
	initiates, moves := r.shard.Initiates, r.shard.Moves
	r.shard.Mu.Unlock()
	if initiates != 2 || moves != 1 {
		t.Fatalf("initiates %d moves %d, want 2 and 1 (one failed attempt set aside)", initiates, moves)
	}
	spans, _ := r.c.FileSpans(context.Background(), id)
	for _, s := range spans[0].Services {
		if s.ID == r.services[1].ID {
			t.Fatal("the failed service's domain was not blacklisted")
		}
	}
	got, err := r.c.ReadFile(context.Background(), id)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back: %v", err)
	}
}

func TestWriteSpanUncertifiedThenMoveAndCertify(t *testing.T) {
	r := newSpanRig(t)
	part, pc := r.newFile(t)
	final, fc := r.newFile(t)
	data := pattern(20000, 5)
	ws, err := r.c.WriteSpanUncertified(context.Background(), part, pc, 0, data, smallPolicies())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	move := &wire.MoveSpanReq{SpanSize: ws.Size, FileID1: part, ByteOffset1: 0, Cookie1: pc, FileID2: final, ByteOffset2: 0, Cookie2: fc}
	if err := r.c.ShardRequest(ctx, 0, move, &wire.MoveSpanResp{}); err != nil {
		t.Fatal(err)
	}
	if err := r.c.CertifySpan(ctx, final, fc, ws); err != nil {
		t.Fatal(err)
	}
	got, err := r.c.ReadFile(ctx, final)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read moved span: %v", err)
	}
}

func TestDegradedReads(t *testing.T) {
	r := newSpanRig(t)
	id, want := r.writeFile(t, pattern(8192, 6), pattern(60000, 7))
	spans, _ := r.c.FileSpans(context.Background(), id)
	byID := map[wire.BlockServiceID]*ternfstest.BlockService{}
	for _, s := range r.services {
		byID[s.ID] = s
	}
	striped := spans[1]
	// Two data blocks of the (4,2) span down, and the first mirror of the
	// (1,2) span: rebuilt from parity / read from another copy.
	byID[striped.Services[0].ID].Refuse.Store(true)
	byID[striped.Services[2].ID].Refuse.Store(true)
	r.c.blocks.close()
	r.c.blocks = newBlockPool(0)
	got, err := r.c.ReadFile(context.Background(), id)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("degraded read: %v", err)
	}

	// A data block with bad pages counts as missing too.
	byID[striped.Services[2].ID].Refuse.Store(false)
	byID[striped.Services[2].ID].CorruptPages.Store(true)
	got, err = r.c.ReadSpan(context.Background(), id, striped)
	if err != nil || !bytes.Equal(got, want[8192:]) {
		t.Fatalf("read around corrupt pages: %v", err)
	}

	// Three of six gone: more than P, unreadable.
	byID[striped.Services[4].ID].Refuse.Store(true)
	r.c.blocks.close() // refusal only affects new connections
	r.c.blocks = newBlockPool(0)
	if _, err := r.c.ReadSpan(context.Background(), id, striped); !errors.Is(err, span.ErrTooFewBlocks) {
		t.Fatalf("err %v, want too few blocks", err)
	}
}
