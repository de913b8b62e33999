package span

import (
	"bytes"
	"testing"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// rootDefaults mirror a fresh cluster's root policies (doc §2): FLASH
// below ~2.5 MB blocks, HDD above; spans up to 4,997,120 B at (10,4); 1 MiB
// stripes.
func rootDefaults() *SpanPolicies {
	p := &SpanPolicies{
		Block:  wire.BlockPolicy{Entries: []wire.BlockPolicyEntry{{StorageClass: wire.StorageFlash, MinSize: 0}, {StorageClass: wire.StorageHDD, MinSize: 2 << 20}}},
		Stripe: wire.StripePolicy{TargetStripeSize: 1 << 20},
	}
	mk := func(d, q int) wire.Parity { x, _ := wire.MakeParity(d, q); return x }
	p.Span.Entries = []wire.SpanPolicyEntry{{MaxSize: 2 << 20, Parity: mk(1, 4)}, {MaxSize: 100 << 20, Parity: mk(10, 4)}}
	return p
}

func TestComputeSpanLayoutHandComputed(t *testing.T) {
	p := rootDefaults()
	cases := []struct {
		size uint32
		want SpanLayout
	}{
		// 300 B mirrored: 1 stripe, one 4 KiB cell.
		{300, SpanLayout{Parity: 0x41, StorageClass: wire.StorageFlash, Stripes: 1, CellSize: 4096}},
		// 1 MiB + 1 mirrored: 1 stripe (size/1MiB = 1), cell = 1 MiB + 4 KiB.
		{1<<20 + 1, SpanLayout{Parity: 0x41, StorageClass: wire.StorageFlash, Stripes: 1, CellSize: 1<<20 + 4096}},
		// 10 MiB at (10,4): 10 stripes, block 1 MiB, cell 104,857.6 → 106,496 (26 pages);
		// block 1,064,960 B < 2 MiB → FLASH.
		{10 << 20, SpanLayout{Parity: 0x4a, StorageClass: wire.StorageFlash, Stripes: 10, CellSize: 106496}},
		// 30 MiB: 15 stripes (capped), block 3,145,728 B, cell 209,715.2 → 212,992; block 3,194,880 → HDD.
		{30 << 20, SpanLayout{Parity: 0x4a, StorageClass: wire.StorageHDD, Stripes: 15, CellSize: 212992}},
	}
	for _, c := range cases {
		got, err := ComputeSpanLayout(p, c.size)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("size %d: got %+v, want %+v", c.size, got, c.want)
		}
	}
	if _, err := ComputeSpanLayout(p, 101<<20); err == nil {
		t.Error("a span beyond the policy must be refused")
	}
}

func TestEncodeSpanMirrored(t *testing.T) {
	data := pattern(5000, 9)
	l := SpanLayout{Parity: 0x21, StorageClass: wire.StorageFlash, Stripes: 2, CellSize: 4096}
	e, err := EncodeSpan(l, data)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 8192)
	copy(want, data)
	for b, blk := range e.Blocks {
		if !bytes.Equal(blk, want) {
			t.Fatalf("mirror %d differs", b)
		}
	}
	// Cells: stripe 0 = bytes 0..4095, stripe 1 = 4096..4999 + zeros.
	for b := range 3 {
		if e.CellCrcs[0*3+b] != CrcOf(want[:4096]) || e.CellCrcs[1*3+b] != CrcOf(want[4096:]) {
			t.Fatalf("cell CRCs of block %d", b)
		}
		if e.BlockCrcs[b] != CrcOf(want) {
			t.Fatalf("block CRC %d", b)
		}
	}
	if e.Crc != CrcOf(data) || e.Size != 5000 {
		t.Fatal("span CRC/size")
	}
}

func TestEncodeSpanStriped(t *testing.T) {
	// (3,2), 2 stripes of 4 KiB cells: 24 KiB of room, 20,000 bytes of data.
	data := pattern(20000, 3)
	l := SpanLayout{Parity: 0x23, StorageClass: wire.StorageHDD, Stripes: 2, CellSize: 4096}
	e, err := EncodeSpan(l, data)
	if err != nil {
		t.Fatal(err)
	}
	padded := make([]byte, 3*2*4096)
	copy(padded, data)
	cell := func(s, d int) []byte { return padded[(s*3+d)*4096 : (s*3+d+1)*4096] }
	for d := range 3 {
		if !bytes.Equal(e.Blocks[d], append(append([]byte{}, cell(0, d)...), cell(1, d)...)) {
			t.Fatalf("data block %d is not cells (0,%d)+(1,%d)", d, d, d)
		}
	}
	// Parity 0 is the XOR of the data (TernFS's scaling); check per byte.
	for i := range e.Blocks[3] {
		if e.Blocks[3][i] != e.Blocks[0][i]^e.Blocks[1][i]^e.Blocks[2][i] {
			t.Fatalf("parity 0 byte %d is not the XOR", i)
		}
	}
	// The shard's checks: parity-0 cell CRC = XOR-combination of the data
	// cell CRCs; stripe CRCs concatenate to the padded data's CRC.
	for s := range 2 {
		x := CrcXor(CrcXor(e.CellCrcs[s*5], e.CellCrcs[s*5+1], 4096), e.CellCrcs[s*5+2], 4096)
		if x != e.CellCrcs[s*5+3] {
			t.Fatalf("stripe %d: parity 0 CRC does not match the XOR of data CRCs", s)
		}
	}
	sc := e.StripeCrcs()
	if CrcAppend(sc[0], sc[1], 3*4096) != CrcOf(padded) {
		t.Fatal("stripe CRCs do not chain to the padded data's CRC")
	}
	if CrcZeroExtend(e.Crc, int64(len(padded)-len(data))) != CrcOf(padded) {
		t.Fatal("span CRC, zero-extended, must be the padded data's CRC")
	}
	// Any 3 of 5 blocks rebuild the rest.
	rs, _ := NewReedSolomon(l.Parity)
	blocks := append([][]byte{}, e.Blocks...)
	blocks[0], blocks[2] = nil, nil
	if err := rs.Reconstruct(blocks); err != nil || !bytes.Equal(blocks[0], e.Blocks[0]) || !bytes.Equal(blocks[2], e.Blocks[2]) {
		t.Fatalf("reconstruct: %v", err)
	}
}
