package wire

// BlocksKind identifies a block-service request and its response.
type BlocksKind uint8

const (
	KindFetchBlockWithCrc BlocksKind = 0x04
	KindWriteBlock        BlocksKind = 0x03
)

// Block-service messages are all fixed-size, which is what lets a reader of
// the TCP stream know where the header ends and raw block data begins.

// BlocksRequest is a request sent to a block service.
type BlocksRequest interface {
	Message
	BlocksKind() BlocksKind
	WireSize() int
}

// BlocksResponse is a block service's answer to the request of the same
// kind.
type BlocksResponse interface {
	Message
	BlocksKind() BlocksKind
	WireSize() int
}

// --- WriteBlock

// WriteBlockReq is followed on the wire by Size raw bytes. Certificate comes
// from AddSpanInitiate.
type WriteBlockReq struct {
	BlockID     BlockID
	Crc         Crc
	Size        uint32
	Certificate [8]byte
}

// WriteBlockResp carries the proof to hand to AddSpanCertify.
type WriteBlockResp struct {
	Proof [8]byte
}

func (*WriteBlockReq) BlocksKind() BlocksKind  { return KindWriteBlock }
func (*WriteBlockResp) BlocksKind() BlocksKind { return KindWriteBlock }
func (*WriteBlockReq) WireSize() int           { return 8 + 4 + 4 + 8 }
func (*WriteBlockResp) WireSize() int          { return 8 }

func (m *WriteBlockReq) Pack(e *Encoder) {
	e.U64(uint64(m.BlockID))
	e.U32(uint32(m.Crc))
	e.U32(m.Size)
	e.Fixed(m.Certificate[:])
}
func (m *WriteBlockReq) Unpack(d *Decoder) {
	m.BlockID = BlockID(d.U64())
	m.Crc = Crc(d.U32())
	m.Size = d.U32()
	d.Fixed(m.Certificate[:])
}
func (m *WriteBlockResp) Pack(e *Encoder)   { e.Fixed(m.Proof[:]) }
func (m *WriteBlockResp) Unpack(d *Decoder) { d.Fixed(m.Proof[:]) }

// --- FetchBlockWithCrc

// FetchBlockWithCrcReq reads Count bytes at Offset (both multiples of the
// 4 KiB page). The response is followed by Count/4096 pages, each followed
// by its CRC32C (see SplitPages).
type FetchBlockWithCrcReq struct {
	FileID   InodeID
	BlockID  BlockID
	BlockCrc Crc
	Offset   uint32
	Count    uint32
}

type FetchBlockWithCrcResp struct{ empty }

func (*FetchBlockWithCrcReq) BlocksKind() BlocksKind  { return KindFetchBlockWithCrc }
func (*FetchBlockWithCrcResp) BlocksKind() BlocksKind { return KindFetchBlockWithCrc }
func (*FetchBlockWithCrcReq) WireSize() int           { return 8 + 8 + 4 + 4 + 4 }
func (*FetchBlockWithCrcResp) WireSize() int          { return 0 }

func (m *FetchBlockWithCrcReq) Pack(e *Encoder) {
	e.U64(uint64(m.FileID))
	e.U64(uint64(m.BlockID))
	e.U32(uint32(m.BlockCrc))
	e.U32(m.Offset)
	e.U32(m.Count)
}
func (m *FetchBlockWithCrcReq) Unpack(d *Decoder) {
	m.FileID = InodeID(d.U64())
	m.BlockID = BlockID(d.U64())
	m.BlockCrc = Crc(d.U32())
	m.Offset = d.U32()
	m.Count = d.U32()
}
