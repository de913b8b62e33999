package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Protocol magics: a three-letter service tag and a version byte, 0 for
// requests and 1 for responses, read as a little-endian u32.
const (
	ShardRequestMagic     uint32 = 0x00414853 // "SHA\x00"
	ShardResponseMagic    uint32 = 0x01414853 // "SHA\x01"
	CDCRequestMagic       uint32 = 0x00434443 // "CDC\x00"
	CDCResponseMagic      uint32 = 0x01434443 // "CDC\x01"
	RegistryRequestMagic  uint32 = 0x00554853 // "SHU\x00"
	RegistryResponseMagic uint32 = 0x01554853 // "SHU\x01"
	BlocksRequestMagic    uint32 = 0x004f4c42 // "BLO\x00"
	BlocksResponseMagic   uint32 = 0x014f4c42 // "BLO\x01"
)

// UDP budgets for list-returning shard requests (their Mtu field).
const (
	DefaultMTU = 1472
	MaxMTU     = 8972
)

// errorKind is the response kind of an error; its body is a u16 code.
const errorKind = 0

// DatagramHeaderSize is magic (4) + request id (8) + kind (1).
const DatagramHeaderSize = 13

// maxRegistryFrame bounds the length a registry frame may announce, so a
// corrupt stream cannot make us allocate gigabytes.
const maxRegistryFrame = 64 << 20

// ErrBadPageCrc reports a fetched page whose data does not match its CRC.
var ErrBadPageCrc = errors.New("ternfs: page CRC mismatch")

// ErrBadMagic reports a frame whose protocol magic is not the expected one.
var ErrBadMagic = errors.New("ternfs: bad protocol magic")

// ErrUnexpectedKind reports a response whose kind is not the request's.
var ErrUnexpectedKind = errors.New("ternfs: unexpected response kind")

// --- UDP datagrams (shards and CDC)

// Datagram is a parsed shard or CDC datagram.
type Datagram struct {
	Magic     uint32
	RequestID uint64
	Kind      uint8
	Body      []byte // aliases the packet
}

func appendDatagram(buf []byte, magic uint32, reqID uint64, kind uint8, m Message) ([]byte, error) {
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, magic)
	buf = binary.LittleEndian.AppendUint64(buf, reqID)
	buf = append(buf, kind)
	out, err := AppendMessage(buf, m)
	if err != nil {
		return buf[:start], err
	}
	return out, nil
}

// AppendShardRequest appends the datagram carrying req.
func AppendShardRequest(buf []byte, reqID uint64, req ShardRequest) ([]byte, error) {
	return appendDatagram(buf, ShardRequestMagic, reqID, uint8(req.ShardKind()), req)
}

// AppendShardResponse appends the datagram carrying resp (for fake shards).
func AppendShardResponse(buf []byte, reqID uint64, resp ShardResponse) ([]byte, error) {
	return appendDatagram(buf, ShardResponseMagic, reqID, uint8(resp.ShardKind()), resp)
}

// AppendCDCRequest appends the datagram carrying req.
func AppendCDCRequest(buf []byte, reqID uint64, req CDCRequest) ([]byte, error) {
	return appendDatagram(buf, CDCRequestMagic, reqID, uint8(req.CDCKind()), req)
}

// AppendCDCResponse appends the datagram carrying resp (for a fake CDC).
func AppendCDCResponse(buf []byte, reqID uint64, resp CDCResponse) ([]byte, error) {
	return appendDatagram(buf, CDCResponseMagic, reqID, uint8(resp.CDCKind()), resp)
}

// AppendErrorDatagram appends an error response: header with kind 0 and the
// u16 code, 15 bytes in all. magic is ShardResponseMagic or CDCResponseMagic.
func AppendErrorDatagram(buf []byte, magic uint32, reqID uint64, code Error) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, magic)
	buf = binary.LittleEndian.AppendUint64(buf, reqID)
	buf = append(buf, errorKind)
	return binary.LittleEndian.AppendUint16(buf, uint16(code))
}

// ParseDatagram splits pkt into header and body, checking the magic.
func ParseDatagram(pkt []byte, magic uint32) (Datagram, error) {
	if len(pkt) < DatagramHeaderSize {
		return Datagram{}, fmt.Errorf("%w: datagram of %d bytes", ErrShortBuffer, len(pkt))
	}
	d := Datagram{
		Magic:     binary.LittleEndian.Uint32(pkt),
		RequestID: binary.LittleEndian.Uint64(pkt[4:]),
		Kind:      pkt[12],
		Body:      pkt[DatagramHeaderSize:],
	}
	if d.Magic != magic {
		return Datagram{}, fmt.Errorf("%w: got %#08x, want %#08x", ErrBadMagic, d.Magic, magic)
	}
	return d, nil
}

// Err returns the TernFS error an error response carries, nil for any other
// response.
func (d Datagram) Err() error {
	if d.Kind != errorKind {
		return nil
	}
	return decodeErrorBody(d.Body)
}

func decodeErrorBody(body []byte) error {
	if len(body) != 2 {
		return fmt.Errorf("%w: error body of %d bytes", ErrMalformed, len(body))
	}
	return Error(binary.LittleEndian.Uint16(body))
}

func (d Datagram) decode(kind uint8, m Message) error {
	if err := d.Err(); err != nil {
		return err
	}
	if d.Kind != kind {
		return fmt.Errorf("%w: got %#x, want %#x", ErrUnexpectedKind, d.Kind, kind)
	}
	return Unmarshal(d.Body, m)
}

// DecodeShard decodes a shard response into resp; an error response
// returns its Error.
func (d Datagram) DecodeShard(resp ShardResponse) error {
	return d.decode(uint8(resp.ShardKind()), resp)
}

// DecodeCDC decodes a CDC response into resp; an error response returns
// its Error.
func (d Datagram) DecodeCDC(resp CDCResponse) error {
	return d.decode(uint8(resp.CDCKind()), resp)
}

// --- Registry (TCP): magic, u32 length (kind + body), kind, body

func appendRegistryFrame(buf []byte, magic uint32, kind uint8, m Message) ([]byte, error) {
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, magic)
	buf = binary.LittleEndian.AppendUint32(buf, 0) // patched below
	buf = append(buf, kind)
	out, err := AppendMessage(buf, m)
	if err != nil {
		return buf[:start], err
	}
	binary.LittleEndian.PutUint32(out[start+4:], uint32(len(out)-start-8))
	return out, nil
}

// AppendRegistryRequest appends the frame carrying req.
func AppendRegistryRequest(buf []byte, req RegistryRequest) ([]byte, error) {
	return appendRegistryFrame(buf, RegistryRequestMagic, uint8(req.RegistryKind()), req)
}

// AppendRegistryResponse appends the frame carrying resp (for fakes).
func AppendRegistryResponse(buf []byte, resp RegistryResponse) ([]byte, error) {
	return appendRegistryFrame(buf, RegistryResponseMagic, uint8(resp.RegistryKind()), resp)
}

// AppendRegistryError appends an error frame: length 3, kind 0, u16 code.
func AppendRegistryError(buf []byte, code Error) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, RegistryResponseMagic)
	buf = binary.LittleEndian.AppendUint32(buf, 3)
	buf = append(buf, errorKind)
	return binary.LittleEndian.AppendUint16(buf, uint16(code))
}

// RegistryFrame is one frame read from a registry connection.
type RegistryFrame struct {
	Kind uint8
	Body []byte
}

// ReadRegistryFrame reads one frame with the given magic from r.
func ReadRegistryFrame(r io.Reader, magic uint32) (RegistryFrame, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return RegistryFrame{}, fmt.Errorf("read registry frame header: %w", err)
	}
	if got := binary.LittleEndian.Uint32(hdr[:]); got != magic {
		return RegistryFrame{}, fmt.Errorf("%w: got %#08x, want %#08x", ErrBadMagic, got, magic)
	}
	n := binary.LittleEndian.Uint32(hdr[4:])
	if n < 1 || n > maxRegistryFrame {
		return RegistryFrame{}, fmt.Errorf("%w: registry frame length %d", ErrMalformed, n)
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(r, data); err != nil {
		return RegistryFrame{}, fmt.Errorf("read registry frame body: %w", err)
	}
	return RegistryFrame{Kind: data[0], Body: data[1:]}, nil
}

// Decode decodes a registry response into resp; an error frame returns its
// Error (the code sits inside the frame).
func (f RegistryFrame) Decode(resp RegistryResponse) error {
	if f.Kind == errorKind {
		return decodeErrorBody(f.Body)
	}
	if want := uint8(resp.RegistryKind()); f.Kind != want {
		return fmt.Errorf("%w: got %#x, want %#x", ErrUnexpectedKind, f.Kind, want)
	}
	return Unmarshal(f.Body, resp)
}

// --- Block services (TCP)
//
// Request: magic, u64 block service id, kind, fixed-size body, then raw data
// for writes. Response: magic, kind, fixed-size body (or u16 error code),
// then raw data for fetches. There are no request ids: responses come back
// in request order.

// AppendBlocksRequest appends the request header and body; the caller
// sends the block's bytes after it for WriteBlock.
func AppendBlocksRequest(buf []byte, service BlockServiceID, req BlocksRequest) ([]byte, error) {
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, BlocksRequestMagic)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(service))
	buf = append(buf, uint8(req.BlocksKind()))
	out, err := AppendMessage(buf, req)
	if err != nil {
		return buf[:start], err
	}
	return out, nil
}

// AppendBlocksResponse appends a response header and body (for fakes).
func AppendBlocksResponse(buf []byte, resp BlocksResponse) ([]byte, error) {
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, BlocksResponseMagic)
	buf = append(buf, uint8(resp.BlocksKind()))
	out, err := AppendMessage(buf, resp)
	if err != nil {
		return buf[:start], err
	}
	return out, nil
}

// AppendBlocksError appends an error response: magic, kind 0, u16 code.
func AppendBlocksError(buf []byte, code Error) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, BlocksResponseMagic)
	buf = append(buf, errorKind)
	return binary.LittleEndian.AppendUint16(buf, uint16(code))
}

// ReadBlocksRequestHeader reads a request's magic, service id and kind
// (for fake block services); the body follows.
func ReadBlocksRequestHeader(r io.Reader) (BlockServiceID, BlocksKind, error) {
	var hdr [13]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, 0, fmt.Errorf("read blocks request header: %w", err)
	}
	if got := binary.LittleEndian.Uint32(hdr[:]); got != BlocksRequestMagic {
		return 0, 0, fmt.Errorf("%w: got %#08x, want %#08x", ErrBadMagic, got, BlocksRequestMagic)
	}
	return BlockServiceID(binary.LittleEndian.Uint64(hdr[4:])), BlocksKind(hdr[12]), nil
}

// ReadBlocksBody reads m's fixed-size body from r.
func ReadBlocksBody(r io.Reader, m interface {
	Message
	WireSize() int
}) error {
	body := make([]byte, m.WireSize())
	if _, err := io.ReadFull(r, body); err != nil {
		return fmt.Errorf("read %T: %w", m, err)
	}
	return Unmarshal(body, m)
}

// ReadBlocksResponse reads a response header and resp's body from r. An
// error response returns its Error; raw data (for fetches) is left in r.
func ReadBlocksResponse(r io.Reader, resp BlocksResponse) error {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return fmt.Errorf("read blocks response header: %w", err)
	}
	if got := binary.LittleEndian.Uint32(hdr[:]); got != BlocksResponseMagic {
		return fmt.Errorf("%w: got %#08x, want %#08x", ErrBadMagic, got, BlocksResponseMagic)
	}
	switch kind := hdr[4]; kind {
	case errorKind:
		var code [2]byte
		if _, err := io.ReadFull(r, code[:]); err != nil {
			return fmt.Errorf("read blocks error code: %w", err)
		}
		return Error(binary.LittleEndian.Uint16(code[:]))
	case uint8(resp.BlocksKind()):
		return ReadBlocksBody(r, resp)
	default:
		return fmt.Errorf("%w: got %#x, want %#x", ErrUnexpectedKind, kind, uint8(resp.BlocksKind()))
	}
}
