package wire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestPrimitives(t *testing.T) {
	e := NewEncoder(nil)
	e.U8(0xab)
	e.Bool(true)
	e.U16(0x0102)
	e.U32(0x03040506)
	e.U64(0x0708090a0b0c0d0e)
	e.Fixed([]byte{0xf0, 0xf1})
	e.Bytes8([]byte("hi"))
	e.String8("")
	e.Len(3)
	want := wire(t, `
		ab               // u8
		01               // bool
		0201             // u16
		06050403         // u32
		0e0d0c0b0a090807 // u64
		f0f1             // fixed
		02 6869          // bytes "hi"
		00               // empty string
		0300             // list count`)
	if e.Err() != nil || !bytes.Equal(e.Bytes(), want) {
		t.Fatalf("got %x want %x (%v)", e.Bytes(), want, e.Err())
	}
	d := NewDecoder(want)
	fixed := make([]byte, 2)
	got := []any{d.U8(), d.Bool(), d.U16(), d.U32(), d.U64()}
	d.Fixed(fixed)
	got = append(got, fixed, d.Bytes8(), d.String8(), int(d.U16()))
	wantVals := []any{uint8(0xab), true, uint16(0x0102), uint32(0x03040506), uint64(0x0708090a0b0c0d0e),
		[]byte{0xf0, 0xf1}, []byte("hi"), "", 3}
	if d.Err() != nil || !reflect.DeepEqual(got, wantVals) || d.Remaining() != 0 {
		t.Fatalf("got %v, err %v", got, d.Err())
	}
}

func TestLengthLimits(t *testing.T) {
	e := NewEncoder(nil)
	e.Bytes8(make([]byte, 256))
	if !errors.Is(e.Err(), ErrTooLong) {
		t.Fatalf("256-byte bytes: %v", e.Err())
	}
	e = NewEncoder(nil)
	e.String8(string(make([]byte, 255)))
	if e.Err() != nil || len(e.Bytes()) != 256 || e.Bytes()[0] != 255 {
		t.Fatal("255-byte string")
	}
	e = NewEncoder(nil)
	packU32List(e, make([]Crc, 65536))
	if !errors.Is(e.Err(), ErrTooLong) {
		t.Fatalf("65536-element list: %v", e.Err())
	}
}

func TestDecoderRejectsHostileInput(t *testing.T) {
	for name, in := range map[string]string{
		"short u64":         "01020304",
		"bytes past end":    "0512000000000040 05 6162",
		"huge list count":   "0000000000000000 ffff 00",
		"u32 list too long": "0512000000000040 c0c1c2c3c4c5c6c7 0000000000000000 00000000 00000000 02 0000 24 01 00000000 0300 0100000002000000",
	} {
		var m Message
		switch name {
		case "short u64":
			m = &StatFileReq{}
		case "bytes past end":
			m = &LookupReq{}
		case "huge list count":
			m = &ReadDirResp{}
		default:
			m = &AddSpanInitiateReq{}
		}
		if err := Unmarshal(wire(t, in), m); !errors.Is(err, ErrShortBuffer) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := Unmarshal(wire(t, "02 0162 00"), &FullReadDirCursor{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("bool 2: %v", err)
	}
	if err := Unmarshal(wire(t, "0512000000000040 00"), &StatFileReq{}); !errors.Is(err, ErrTrailingBytes) {
		t.Errorf("trailing: %v", err)
	}
}

func TestDecodedBytesDoNotAlias(t *testing.T) {
	in := wire(t, "0512000000000040 c0c1c2c3c4c5c6c7 01 0000000000000000 03000000 00000000 03 616263")
	var m AddInlineSpanReq
	if err := Unmarshal(in, &m); err != nil {
		t.Fatal(err)
	}
	in[len(in)-1] = 'X'
	if string(m.Body) != "abc" {
		t.Fatalf("body aliases the input: %q", m.Body)
	}
}

func TestDirectoryInfoPolicies(t *testing.T) {
	var info DirectoryInfo
	span := &SpanPolicy{Entries: []SpanPolicyEntry{{MaxSize: 1 << 20, Parity: 0x41}, {MaxSize: 100 << 20, Parity: 0x4a}}}
	if err := info.Set(span); err != nil {
		t.Fatal(err)
	}
	if err := info.Set(&StripePolicy{TargetStripeSize: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := info.Set(&StripePolicy{TargetStripeSize: 2 << 20}); err != nil {
		t.Fatal(err)
	}
	if len(info.Entries) != 2 {
		t.Fatalf("%d entries after replacing one", len(info.Entries))
	}
	var stripe StripePolicy
	if ok, err := info.Lookup(&stripe); !ok || err != nil || stripe.TargetStripeSize != 2<<20 {
		t.Fatalf("stripe %+v %v %v", stripe, ok, err)
	}
	var gotSpan SpanPolicy
	if ok, err := info.Lookup(&gotSpan); !ok || err != nil || !reflect.DeepEqual(&gotSpan, span) {
		t.Fatalf("span %+v %v %v", gotSpan, ok, err)
	}
	if ok, _ := info.Lookup(&SnapshotPolicy{}); ok {
		t.Fatal("snapshot policy found on a directory without one")
	}
	if p, ok := gotSpan.Pick(1 << 20); !ok || p != 0x41 {
		t.Fatalf("pick 1 MiB: %v", p)
	}
	if p, ok := gotSpan.Pick(1<<20 + 1); !ok || p != 0x4a {
		t.Fatalf("pick 1 MiB+1: %v", p)
	}
	if _, ok := gotSpan.Pick(100<<20 + 1); ok {
		t.Fatal("picked beyond the policy")
	}
	if stripe.Stripes(1<<20) != 1 || stripe.Stripes(20<<20) != 10 || stripe.Stripes(100<<20) != 15 {
		t.Fatal("stripes")
	}
	block := BlockPolicy{Entries: []BlockPolicyEntry{{StorageFlash, 0}, {StorageHDD, 2 << 20}}}
	if block.Pick(4096) != StorageFlash || block.Pick(2<<20) != StorageFlash || block.Pick(2<<20+1) != StorageHDD {
		t.Fatal("block pick")
	}
	snap := SnapshotPolicy{}
	snap.SetDeleteAfter(30 * 24 * 3600e9)
	if d, ok := snap.DeleteAfter(); !ok || d.Hours() != 720 {
		t.Fatalf("delete after %v %v", d, ok)
	}
}

func TestInodeID(t *testing.T) {
	id := MakeInodeID(InodeFile, 0x05, 0x12)
	if id != vFile || id.Type() != InodeFile || id.Shard() != 5 {
		t.Fatalf("%v", id)
	}
	if RootDirectory.Type() != InodeDirectory || RootDirectory.Shard() != 0 || uint64(RootDirectory) != 0x2000000000000000 {
		t.Fatal("root")
	}
	owned := MakeOwnedInodeID(vFile, true)
	if !owned.Owned() || owned.ID() != vFile || MakeOwnedInodeID(vFile, false).Owned() {
		t.Fatal("owned bit")
	}
	if got := vAddrs.List(); len(got) != 1 || got[0].String() != "10.0.0.1:8000" {
		t.Fatalf("addrs %v", got)
	}
	if fd("rack1").String() != "rack1" {
		t.Fatal("failure domain string")
	}
	p, _ := MakeParity(10, 4)
	if p != 0x4a || p.DataBlocks() != 10 || p.ParityBlocks() != 4 || p.Blocks() != 14 {
		t.Fatal("parity")
	}
}
