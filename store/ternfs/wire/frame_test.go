package wire

import (
	"bytes"
	"errors"
	"testing"

	"github.com/terngate/terngate/store"
)

func TestShardDatagramVectors(t *testing.T) {
	pkt, err := AppendShardRequest(nil, 0x0102030405060708, &LookupReq{DirID: vDir, Name: "obj"})
	if err != nil {
		t.Fatal(err)
	}
	want := wire(t, `
		53484100         // magic "SHA\0"
		0807060504030201 // request id
		01               // kind LOOKUP
		0101000000000020 // DirId
		03 6f626a        // Name`)
	if !bytes.Equal(pkt, want) {
		t.Fatalf("got %x want %x", pkt, want)
	}
	req, err := ParseDatagram(pkt, ShardRequestMagic)
	if err != nil || req.RequestID != 0x0102030405060708 || req.Kind != uint8(KindLookup) {
		t.Fatalf("parse request: %+v %v", req, err)
	}

	respPkt, err := AppendShardResponse(nil, 7, &LookupResp{TargetID: vFile, CreationTime: vTime})
	if err != nil {
		t.Fatal(err)
	}
	wantResp := wire(t, `
		53484101         // magic "SHA\1"
		0700000000000000 // request id
		01               // kind LOOKUP
		0512000000000040 8877665544332211 // body`)
	if !bytes.Equal(respPkt, wantResp) {
		t.Fatalf("got %x want %x", respPkt, wantResp)
	}
	d, err := ParseDatagram(respPkt, ShardResponseMagic)
	if err != nil {
		t.Fatal(err)
	}
	var resp LookupResp
	if err := d.DecodeShard(&resp); err != nil || resp.TargetID != vFile || resp.CreationTime != vTime {
		t.Fatalf("decode: %+v %v", resp, err)
	}
	if err := d.DecodeShard(&StatFileResp{}); !errors.Is(err, ErrUnexpectedKind) {
		t.Fatalf("kind mismatch: %v", err)
	}
	if _, err := ParseDatagram(respPkt, CDCResponseMagic); !errors.Is(err, ErrBadMagic) {
		t.Fatalf("magic mismatch: %v", err)
	}
	if _, err := ParseDatagram(respPkt[:12], ShardResponseMagic); !errors.Is(err, ErrShortBuffer) {
		t.Fatalf("runt: %v", err)
	}
}

func TestErrorDatagram(t *testing.T) {
	pkt := AppendErrorDatagram(nil, ShardResponseMagic, 9, ErrNameNotFound)
	want := wire(t, `
		53484101         // magic
		0900000000000000 // request id
		00               // kind ERROR
		1300             // NAME_NOT_FOUND (19)`)
	if !bytes.Equal(pkt, want) || len(pkt) != 15 {
		t.Fatalf("got %x want %x", pkt, want)
	}
	d, err := ParseDatagram(pkt, ShardResponseMagic)
	if err != nil {
		t.Fatal(err)
	}
	err = d.DecodeShard(&LookupResp{})
	if code, ok := AsError(err); !ok || code != ErrNameNotFound {
		t.Fatalf("got %v", err)
	}
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%v is not store.ErrNotFound", err)
	}
	bad, _ := ParseDatagram(append(pkt, 0), ShardResponseMagic)
	if err := bad.Err(); !errors.Is(err, ErrMalformed) {
		t.Fatalf("16-byte error datagram: %v", err)
	}
}

func TestCDCDatagramVector(t *testing.T) {
	pkt, err := AppendCDCRequest(nil, 1, &MakeDirectoryReq{OwnerID: vDir, Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	want := wire(t, `
		43444300         // magic "CDC\0"
		0100000000000000 // request id
		01               // kind MAKE_DIRECTORY
		0101000000000020 01 62 // body`)
	if !bytes.Equal(pkt, want) {
		t.Fatalf("got %x want %x", pkt, want)
	}
	respPkt, _ := AppendCDCResponse(nil, 1, &MakeDirectoryResp{ID: vDir2, CreationTime: vTime})
	if !bytes.Equal(respPkt[:4], []byte{0x43, 0x44, 0x43, 0x01}) {
		t.Fatalf("response magic %x", respPkt[:4])
	}
	d, err := ParseDatagram(respPkt, CDCResponseMagic)
	if err != nil {
		t.Fatal(err)
	}
	var resp MakeDirectoryResp
	if err := d.DecodeCDC(&resp); err != nil || resp.ID != vDir2 {
		t.Fatalf("%+v %v", resp, err)
	}
	errPkt := AppendErrorDatagram(nil, CDCResponseMagic, 1, ErrDirectoryNotEmpty)
	d, _ = ParseDatagram(errPkt, CDCResponseMagic)
	if err := d.DecodeCDC(&SoftUnlinkDirectoryResp{}); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("got %v", err)
	}
}

func TestEncodeRejectsLongName(t *testing.T) {
	long := string(bytes.Repeat([]byte{'a'}, 256))
	buf := []byte("prefix")
	out, err := AppendShardRequest(buf, 1, &LookupReq{DirID: vDir, Name: long})
	if !errors.Is(err, ErrTooLong) {
		t.Fatalf("got %v", err)
	}
	if string(out) != "prefix" {
		t.Fatalf("buffer not restored: %q", out)
	}
	if _, err := Marshal(&LookupReq{Name: long[:255]}); err != nil {
		t.Fatalf("255 bytes: %v", err)
	}
}

func TestRegistryFrames(t *testing.T) {
	frame, err := AppendRegistryRequest(nil, &LocalShardsReq{})
	if err != nil {
		t.Fatal(err)
	}
	if want := wire(t, `
		53485500 // magic "SHU\0"
		01000000 // length: kind only
		03       // kind LOCAL_SHARDS`); !bytes.Equal(frame, want) {
		t.Fatalf("got %x want %x", frame, want)
	}
	frame, _ = AppendRegistryRequest(nil, &LocalChangedBlockServicesReq{ChangedSince: vTime})
	if want := wire(t, `
		53485500         // magic
		09000000         // length 1 + 8
		22               // kind LOCAL_CHANGED_BLOCK_SERVICES
		8877665544332211 // ChangedSince`); !bytes.Equal(frame, want) {
		t.Fatalf("got %x want %x", frame, want)
	}

	var stream bytes.Buffer
	resp := &LocalCDCResp{Addrs: vAddrs, LastSeen: vTime}
	out, _ := AppendRegistryResponse(nil, resp)
	stream.Write(out)
	errFrame := AppendRegistryError(nil, ErrTimeout)
	if want := wire(t, `
		53485501 // magic "SHU\1"
		03000000 // length 3
		00       // kind ERROR
		0c00     // TIMEOUT (12)`); !bytes.Equal(errFrame, want) {
		t.Fatalf("got %x want %x", errFrame, want)
	}
	stream.Write(errFrame)

	f, err := ReadRegistryFrame(&stream, RegistryResponseMagic)
	if err != nil {
		t.Fatal(err)
	}
	var got LocalCDCResp
	if err := f.Decode(&got); err != nil || got != *resp {
		t.Fatalf("%+v %v", got, err)
	}
	f, err = ReadRegistryFrame(&stream, RegistryResponseMagic)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Decode(&LocalCDCResp{}); err != ErrTimeout {
		t.Fatalf("got %v", err)
	}
	if _, err := ReadRegistryFrame(bytes.NewReader(wire(t, "53485501 ffffffff")), RegistryResponseMagic); !errors.Is(err, ErrMalformed) {
		t.Fatalf("huge length: %v", err)
	}
	if _, err := ReadRegistryFrame(bytes.NewReader(wire(t, "53485501 05000000 03")), RegistryResponseMagic); err == nil {
		t.Fatal("truncated frame accepted")
	}
}

func TestBlocksFrames(t *testing.T) {
	req := &WriteBlockReq{BlockID: vBlock, Crc: 0xdeadbeef, Size: 0x1000, Certificate: vCert}
	frame, err := AppendBlocksRequest(nil, 0x0102, req)
	if err != nil {
		t.Fatal(err)
	}
	want := wire(t, `
		424c4f00         // magic "BLO\0"
		0201000000000000 // block service id
		03               // kind WRITE_BLOCK
		0cb1000000000000 efbeadde 00100000 a0a1a2a3a4a5a6a7 // body`)
	if !bytes.Equal(frame, want) {
		t.Fatalf("got %x want %x", frame, want)
	}
	r := bytes.NewReader(frame)
	id, kind, err := ReadBlocksRequestHeader(r)
	if err != nil || id != 0x0102 || kind != KindWriteBlock {
		t.Fatalf("%v %v %v", id, kind, err)
	}
	var back WriteBlockReq
	if err := ReadBlocksBody(r, &back); err != nil || back != *req {
		t.Fatalf("%+v %v", back, err)
	}

	var stream bytes.Buffer
	out, _ := AppendBlocksResponse(nil, &WriteBlockResp{Proof: vProof})
	if want := wire(t, `
		424c4f01         // magic "BLO\1"
		03               // kind WRITE_BLOCK
		b0b1b2b3b4b5b6b7 // Proof`); !bytes.Equal(out, want) {
		t.Fatalf("got %x want %x", out, want)
	}
	stream.Write(out)
	errOut := AppendBlocksError(nil, ErrBlockNotFound)
	if want := wire(t, `
		424c4f01 // magic
		00       // kind ERROR
		4200     // BLOCK_NOT_FOUND (66)`); !bytes.Equal(errOut, want) {
		t.Fatalf("got %x want %x", errOut, want)
	}
	stream.Write(errOut)
	fetchOut, _ := AppendBlocksResponse(nil, &FetchBlockWithCrcResp{})
	stream.Write(fetchOut)
	stream.WriteString("DATA")

	var wr WriteBlockResp
	if err := ReadBlocksResponse(&stream, &wr); err != nil || wr.Proof != vProof {
		t.Fatalf("%+v %v", wr, err)
	}
	if err := ReadBlocksResponse(&stream, &FetchBlockWithCrcResp{}); err != ErrBlockNotFound {
		t.Fatalf("got %v", err)
	}
	if err := ReadBlocksResponse(&stream, &FetchBlockWithCrcResp{}); err != nil {
		t.Fatal(err)
	}
	if stream.String() != "DATA" {
		t.Fatalf("raw data consumed: %q", stream.String())
	}
	if err := ReadBlocksResponse(bytes.NewReader(out), &FetchBlockWithCrcResp{}); !errors.Is(err, ErrUnexpectedKind) {
		t.Fatalf("got %v", err)
	}
}
