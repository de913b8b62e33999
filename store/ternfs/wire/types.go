package wire

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// InodeID names a file, directory or symlink. Bits 61-62 hold the type, the
// low byte the shard.
type InodeID uint64

// InodeType is the type carried in an InodeID.
type InodeType uint8

const (
	InodeDirectory InodeType = 1
	InodeFile      InodeType = 2
	InodeSymlink   InodeType = 3
)

// RootDirectory is the root directory's id.
const RootDirectory InodeID = InodeID(InodeDirectory) << 61

// NullInode is the absent inode (a snapshot directory's owner, for one).
const NullInode InodeID = 0

// MakeInodeID composes an id from its type, counter and shard.
func MakeInodeID(t InodeType, shard ShardID, counter uint64) InodeID {
	return InodeID(t)<<61 | InodeID(counter)<<8 | InodeID(shard)
}

// Type is the inode's type (0 for NullInode).
func (id InodeID) Type() InodeType { return InodeType(id >> 61 & 3) }

// Shard is the shard that holds the inode.
func (id InodeID) Shard() ShardID { return ShardID(id) }

func (id InodeID) String() string { return fmt.Sprintf("0x%016x", uint64(id)) }

// OwnedInodeID is an InodeID whose top bit flags an owned snapshot edge
// (FullReadDir results).
type OwnedInodeID uint64

func (id OwnedInodeID) ID() InodeID { return InodeID(id &^ (1 << 63)) }
func (id OwnedInodeID) Owned() bool { return id>>63 == 1 }
func MakeOwnedInodeID(id InodeID, owned bool) OwnedInodeID {
	if owned {
		return OwnedInodeID(id) | 1<<63
	}
	return OwnedInodeID(id)
}

// ShardID is one of the 256 logical shards.
type ShardID uint8

// Cookie is the 8-byte capability of a transient file.
type Cookie [8]byte

// TernTime is nanoseconds since the Unix epoch.
type TernTime uint64

// Time converts to time.Time.
func (t TernTime) Time() time.Time { return time.Unix(0, int64(t)) }

// MakeTernTime converts from time.Time.
func MakeTernTime(t time.Time) TernTime { return TernTime(t.UnixNano()) }

// Crc is a CRC32C value.
type Crc uint32

// NameHash is the 63-bit hash that orders directory edges.
type NameHash uint64

// BlockID names a block; it embeds its allocation time.
type BlockID uint64

// BlockServiceID names a block service.
type BlockServiceID uint64

// Location is a data-centre location id.
type Location uint8

// ReplicaID names a replica of a shard, CDC or registry.
type ReplicaID uint8

// ShardReplicaID is a shard in the low byte and a replica in the high byte.
type ShardReplicaID uint16

// StorageClass says where a span's bytes live.
type StorageClass uint8

const (
	StorageEmpty  StorageClass = 0
	StorageInline StorageClass = 1
	StorageHDD    StorageClass = 2
	StorageFlash  StorageClass = 3
)

func (s StorageClass) String() string {
	switch s {
	case StorageEmpty:
		return "EMPTY"
	case StorageInline:
		return "INLINE"
	case StorageHDD:
		return "HDD"
	case StorageFlash:
		return "FLASH"
	}
	return fmt.Sprintf("StorageClass(%d)", uint8(s))
}

// Parity packs a span's data-block count D (low nibble) and parity-block
// count P (high nibble).
type Parity uint8

// MakeParity validates and packs (D, P): 1 ≤ D ≤ 15, P ≤ 15, and striping
// (D > 1) needs at least one parity block.
func MakeParity(data, parity int) (Parity, error) {
	if data < 1 || data > 15 || parity < 0 || parity > 15 || (data > 1 && parity == 0) {
		return 0, fmt.Errorf("%w: parity (%d,%d)", ErrMalformed, data, parity)
	}
	return Parity(parity<<4 | data), nil
}

func (p Parity) DataBlocks() int   { return int(p & 0x0f) }
func (p Parity) ParityBlocks() int { return int(p >> 4) }
func (p Parity) Blocks() int       { return p.DataBlocks() + p.ParityBlocks() }
func (p Parity) String() string    { return fmt.Sprintf("(%d,%d)", p.DataBlocks(), p.ParityBlocks()) }

// BlockServiceFlags describe what a block service may be used for.
type BlockServiceFlags uint8

const (
	BlockServiceStale          BlockServiceFlags = 0x1
	BlockServiceNoRead         BlockServiceFlags = 0x2
	BlockServiceNoWrite        BlockServiceFlags = 0x4
	BlockServiceDecommissioned BlockServiceFlags = 0x8
)

// CanRead reports whether blocks may be fetched from the service.
func (f BlockServiceFlags) CanRead() bool {
	return f&(BlockServiceStale|BlockServiceNoRead|BlockServiceDecommissioned) == 0
}

// CanWrite reports whether blocks may be written to the service.
func (f BlockServiceFlags) CanWrite() bool {
	return f&(BlockServiceStale|BlockServiceNoWrite|BlockServiceDecommissioned) == 0
}

// FailureDomain is a 16-byte, NUL-padded name.
type FailureDomain [16]byte

func (fd FailureDomain) String() string { return strings.TrimRight(string(fd[:]), "\x00") }

// IPPort is an IPv4 address and port; port 0 means absent.
type IPPort struct {
	IP   [4]byte
	Port uint16
}

// AddrPort converts to netip.AddrPort.
func (a IPPort) AddrPort() netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4(a.IP), a.Port)
}

func (a *IPPort) Pack(e *Encoder)   { e.Fixed(a.IP[:]); e.U16(a.Port) }
func (a *IPPort) Unpack(d *Decoder) { d.Fixed(a.IP[:]); a.Port = d.U16() }

// AddrsInfo is the pair of addresses every service advertises.
type AddrsInfo struct {
	Addr1, Addr2 IPPort
}

// List returns the present addresses (port ≠ 0).
func (a AddrsInfo) List() []netip.AddrPort {
	var out []netip.AddrPort
	for _, x := range []IPPort{a.Addr1, a.Addr2} {
		if x.Port != 0 {
			out = append(out, x.AddrPort())
		}
	}
	return out
}

func (a *AddrsInfo) Pack(e *Encoder)   { a.Addr1.Pack(e); a.Addr2.Pack(e) }
func (a *AddrsInfo) Unpack(d *Decoder) { a.Addr1.Unpack(d); a.Addr2.Unpack(d) }

// BlockService is a block service as shard responses describe it.
type BlockService struct {
	Addrs AddrsInfo
	ID    BlockServiceID
	Flags BlockServiceFlags
}

func (b *BlockService) Pack(e *Encoder) {
	b.Addrs.Pack(e)
	e.U64(uint64(b.ID))
	e.U8(uint8(b.Flags))
}

func (b *BlockService) Unpack(d *Decoder) {
	b.Addrs.Unpack(d)
	b.ID = BlockServiceID(d.U64())
	b.Flags = BlockServiceFlags(d.U8())
}
