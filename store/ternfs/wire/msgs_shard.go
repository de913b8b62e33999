package wire

// ShardKind identifies a shard request and its response. Kinds with bit
// 0x80 set are reserved for the CDC; shards drop them from clients.
type ShardKind uint8

const (
	KindLookup                       ShardKind = 0x01
	KindStatFile                     ShardKind = 0x02
	KindStatTransientFile            ShardKind = 0x03
	KindStatDirectory                ShardKind = 0x04
	KindReadDir                      ShardKind = 0x05
	KindConstructFile                ShardKind = 0x06
	KindAddSpanInitiate              ShardKind = 0x07
	KindAddSpanCertify               ShardKind = 0x08
	KindLinkFile                     ShardKind = 0x09
	KindSoftUnlinkFile               ShardKind = 0x0A
	KindLocalFileSpans               ShardKind = 0x0B
	KindSameDirectoryRename          ShardKind = 0x0C
	KindSetDirectoryInfo             ShardKind = 0x0D
	KindAddInlineSpan                ShardKind = 0x10
	KindScrapTransientFile           ShardKind = 0x16
	KindVisitTransientFiles          ShardKind = 0x72
	KindFullReadDir                  ShardKind = 0x73
	KindRemoveNonOwnedEdge           ShardKind = 0x74
	KindSameShardHardFileUnlink      ShardKind = 0x75
	KindRemoveInode                  ShardKind = 0x7A
	KindMoveSpan                     ShardKind = 0x7B
	KindAddSpanInitiateWithReference ShardKind = 0x7C
	KindSameDirectoryRenameSnapshot  ShardKind = 0x7F
)

// ShardRequest is a request sent to a shard.
type ShardRequest interface {
	Message
	ShardKind() ShardKind
}

// ShardResponse is a shard's answer to the request of the same kind.
type ShardResponse interface {
	Message
	ShardKind() ShardKind
}

// empty is embedded by messages with no fields.
type empty struct{}

func (empty) Pack(*Encoder)   {}
func (empty) Unpack(*Decoder) {}

// --- Lookup

type LookupReq struct {
	DirID InodeID
	Name  string
}

type LookupResp struct {
	TargetID     InodeID
	CreationTime TernTime
}

func (*LookupReq) ShardKind() ShardKind  { return KindLookup }
func (*LookupResp) ShardKind() ShardKind { return KindLookup }

func (m *LookupReq) Pack(e *Encoder)   { e.U64(uint64(m.DirID)); e.String8(m.Name) }
func (m *LookupReq) Unpack(d *Decoder) { m.DirID = InodeID(d.U64()); m.Name = d.String8() }
func (m *LookupResp) Pack(e *Encoder)  { e.U64(uint64(m.TargetID)); e.U64(uint64(m.CreationTime)) }
func (m *LookupResp) Unpack(d *Decoder) {
	m.TargetID = InodeID(d.U64())
	m.CreationTime = TernTime(d.U64())
}

// --- StatFile

type StatFileReq struct{ ID InodeID }

type StatFileResp struct {
	Mtime TernTime
	Atime TernTime
	Size  uint64
}

func (*StatFileReq) ShardKind() ShardKind  { return KindStatFile }
func (*StatFileResp) ShardKind() ShardKind { return KindStatFile }

func (m *StatFileReq) Pack(e *Encoder)   { e.U64(uint64(m.ID)) }
func (m *StatFileReq) Unpack(d *Decoder) { m.ID = InodeID(d.U64()) }
func (m *StatFileResp) Pack(e *Encoder) {
	e.U64(uint64(m.Mtime))
	e.U64(uint64(m.Atime))
	e.U64(m.Size)
}
func (m *StatFileResp) Unpack(d *Decoder) {
	m.Mtime = TernTime(d.U64())
	m.Atime = TernTime(d.U64())
	m.Size = d.U64()
}

// --- StatTransientFile

type StatTransientFileReq struct{ ID InodeID }

type StatTransientFileResp struct {
	Mtime TernTime
	Size  uint64
	Note  string
}

func (*StatTransientFileReq) ShardKind() ShardKind  { return KindStatTransientFile }
func (*StatTransientFileResp) ShardKind() ShardKind { return KindStatTransientFile }

func (m *StatTransientFileReq) Pack(e *Encoder)   { e.U64(uint64(m.ID)) }
func (m *StatTransientFileReq) Unpack(d *Decoder) { m.ID = InodeID(d.U64()) }
func (m *StatTransientFileResp) Pack(e *Encoder) {
	e.U64(uint64(m.Mtime))
	e.U64(m.Size)
	e.String8(m.Note)
}
func (m *StatTransientFileResp) Unpack(d *Decoder) {
	m.Mtime = TernTime(d.U64())
	m.Size = d.U64()
	m.Note = d.String8()
}

// --- StatDirectory

type StatDirectoryReq struct{ ID InodeID }

type StatDirectoryResp struct {
	Mtime TernTime
	Owner InodeID // NullInode for a snapshot (ownerless) directory
	Info  DirectoryInfo
}

func (*StatDirectoryReq) ShardKind() ShardKind  { return KindStatDirectory }
func (*StatDirectoryResp) ShardKind() ShardKind { return KindStatDirectory }

func (m *StatDirectoryReq) Pack(e *Encoder)   { e.U64(uint64(m.ID)) }
func (m *StatDirectoryReq) Unpack(d *Decoder) { m.ID = InodeID(d.U64()) }
func (m *StatDirectoryResp) Pack(e *Encoder) {
	e.U64(uint64(m.Mtime))
	e.U64(uint64(m.Owner))
	m.Info.Pack(e)
}
func (m *StatDirectoryResp) Unpack(d *Decoder) {
	m.Mtime = TernTime(d.U64())
	m.Owner = InodeID(d.U64())
	m.Info.Unpack(d)
}

// --- ReadDir

type ReadDirReq struct {
	DirID     InodeID
	StartHash NameHash
	Mtu       uint16 // response budget; 0 means the default 1472
}

type CurrentEdge struct {
	TargetID     InodeID
	NameHash     NameHash
	Name         string
	CreationTime TernTime
}

type ReadDirResp struct {
	NextHash NameHash // 0 when the listing is complete
	Results  []CurrentEdge
}

func (*ReadDirReq) ShardKind() ShardKind  { return KindReadDir }
func (*ReadDirResp) ShardKind() ShardKind { return KindReadDir }

func (m *ReadDirReq) Pack(e *Encoder) {
	e.U64(uint64(m.DirID))
	e.U64(uint64(m.StartHash))
	e.U16(m.Mtu)
}
func (m *ReadDirReq) Unpack(d *Decoder) {
	m.DirID = InodeID(d.U64())
	m.StartHash = NameHash(d.U64())
	m.Mtu = d.U16()
}
func (m *CurrentEdge) Pack(e *Encoder) {
	e.U64(uint64(m.TargetID))
	e.U64(uint64(m.NameHash))
	e.String8(m.Name)
	e.U64(uint64(m.CreationTime))
}
func (m *CurrentEdge) Unpack(d *Decoder) {
	m.TargetID = InodeID(d.U64())
	m.NameHash = NameHash(d.U64())
	m.Name = d.String8()
	m.CreationTime = TernTime(d.U64())
}
func (m *ReadDirResp) Pack(e *Encoder) {
	e.U64(uint64(m.NextHash))
	PackList(e, m.Results)
}
func (m *ReadDirResp) Unpack(d *Decoder) {
	m.NextHash = NameHash(d.U64())
	m.Results = UnpackList[CurrentEdge](d)
}

// --- FullReadDir

// FullReadDirFlags select which edges FullReadDir returns and in which
// direction.
type FullReadDirFlags uint8

const (
	FullReadDirCurrent   FullReadDirFlags = 1 << 0
	FullReadDirBackwards FullReadDirFlags = 1 << 1
	FullReadDirSameName  FullReadDirFlags = 1 << 2
)

type FullReadDirReq struct {
	DirID     InodeID
	Flags     FullReadDirFlags
	StartName string
	StartTime TernTime
	Limit     uint16
	Mtu       uint16
}

// Edge is a current or snapshot edge.
type Edge struct {
	Current      bool
	TargetID     OwnedInodeID
	NameHash     NameHash
	Name         string
	CreationTime TernTime
}

// FullReadDirCursor resumes a FullReadDir; the zero value means done.
type FullReadDirCursor struct {
	Current   bool
	StartName string
	StartTime TernTime
}

type FullReadDirResp struct {
	Next    FullReadDirCursor
	Results []Edge
}

func (*FullReadDirReq) ShardKind() ShardKind  { return KindFullReadDir }
func (*FullReadDirResp) ShardKind() ShardKind { return KindFullReadDir }

func (m *FullReadDirReq) Pack(e *Encoder) {
	e.U64(uint64(m.DirID))
	e.U8(uint8(m.Flags))
	e.String8(m.StartName)
	e.U64(uint64(m.StartTime))
	e.U16(m.Limit)
	e.U16(m.Mtu)
}
func (m *FullReadDirReq) Unpack(d *Decoder) {
	m.DirID = InodeID(d.U64())
	m.Flags = FullReadDirFlags(d.U8())
	m.StartName = d.String8()
	m.StartTime = TernTime(d.U64())
	m.Limit = d.U16()
	m.Mtu = d.U16()
}
func (m *Edge) Pack(e *Encoder) {
	e.Bool(m.Current)
	e.U64(uint64(m.TargetID))
	e.U64(uint64(m.NameHash))
	e.String8(m.Name)
	e.U64(uint64(m.CreationTime))
}
func (m *Edge) Unpack(d *Decoder) {
	m.Current = d.Bool()
	m.TargetID = OwnedInodeID(d.U64())
	m.NameHash = NameHash(d.U64())
	m.Name = d.String8()
	m.CreationTime = TernTime(d.U64())
}
func (m *FullReadDirCursor) Pack(e *Encoder) {
	e.Bool(m.Current)
	e.String8(m.StartName)
	e.U64(uint64(m.StartTime))
}
func (m *FullReadDirCursor) Unpack(d *Decoder) {
	m.Current = d.Bool()
	m.StartName = d.String8()
	m.StartTime = TernTime(d.U64())
}
func (m *FullReadDirResp) Pack(e *Encoder)   { m.Next.Pack(e); PackList(e, m.Results) }
func (m *FullReadDirResp) Unpack(d *Decoder) { m.Next.Unpack(d); m.Results = UnpackList[Edge](d) }

// --- ConstructFile

type ConstructFileReq struct {
	Type InodeType // InodeFile or InodeSymlink
	Note string
}

type ConstructFileResp struct {
	ID     InodeID
	Cookie Cookie
}

func (*ConstructFileReq) ShardKind() ShardKind  { return KindConstructFile }
func (*ConstructFileResp) ShardKind() ShardKind { return KindConstructFile }

func (m *ConstructFileReq) Pack(e *Encoder)    { e.U8(uint8(m.Type)); e.String8(m.Note) }
func (m *ConstructFileReq) Unpack(d *Decoder)  { m.Type = InodeType(d.U8()); m.Note = d.String8() }
func (m *ConstructFileResp) Pack(e *Encoder)   { e.U64(uint64(m.ID)); e.Fixed(m.Cookie[:]) }
func (m *ConstructFileResp) Unpack(d *Decoder) { m.ID = InodeID(d.U64()); d.Fixed(m.Cookie[:]) }

// --- AddSpanInitiate (and WithReference)

// BlacklistEntry keeps the shard from picking a failure domain or block
// service for a span.
type BlacklistEntry struct {
	FailureDomain FailureDomain
	BlockService  BlockServiceID
}

func (m *BlacklistEntry) Pack(e *Encoder) {
	e.Fixed(m.FailureDomain[:])
	e.U64(uint64(m.BlockService))
}
func (m *BlacklistEntry) Unpack(d *Decoder) {
	d.Fixed(m.FailureDomain[:])
	m.BlockService = BlockServiceID(d.U64())
}

type AddSpanInitiateReq struct {
	FileID       InodeID
	Cookie       Cookie
	ByteOffset   uint64
	Size         uint32
	Crc          Crc
	StorageClass StorageClass
	Blacklist    []BlacklistEntry
	Parity       Parity
	Stripes      uint8
	CellSize     uint32
	Crcs         []Crc // one per cell, index stripe*Blocks + block
}

// AddSpanInitiateBlockInfo tells the client where to write one block and
// carries the certificate that authorises the write.
type AddSpanInitiateBlockInfo struct {
	BlockServiceAddrs         AddrsInfo
	BlockServiceID            BlockServiceID
	BlockServiceFailureDomain FailureDomain
	BlockID                   BlockID
	Certificate               [8]byte
}

type AddSpanInitiateResp struct {
	Blocks []AddSpanInitiateBlockInfo
}

func (*AddSpanInitiateReq) ShardKind() ShardKind  { return KindAddSpanInitiate }
func (*AddSpanInitiateResp) ShardKind() ShardKind { return KindAddSpanInitiate }

func (m *AddSpanInitiateReq) Pack(e *Encoder) {
	e.U64(uint64(m.FileID))
	e.Fixed(m.Cookie[:])
	e.U64(m.ByteOffset)
	e.U32(m.Size)
	e.U32(uint32(m.Crc))
	e.U8(uint8(m.StorageClass))
	PackList(e, m.Blacklist)
	e.U8(uint8(m.Parity))
	e.U8(m.Stripes)
	e.U32(m.CellSize)
	packU32List(e, m.Crcs)
}
func (m *AddSpanInitiateReq) Unpack(d *Decoder) {
	m.FileID = InodeID(d.U64())
	d.Fixed(m.Cookie[:])
	m.ByteOffset = d.U64()
	m.Size = d.U32()
	m.Crc = Crc(d.U32())
	m.StorageClass = StorageClass(d.U8())
	m.Blacklist = UnpackList[BlacklistEntry](d)
	m.Parity = Parity(d.U8())
	m.Stripes = d.U8()
	m.CellSize = d.U32()
	m.Crcs = unpackU32List[Crc](d)
}
func (m *AddSpanInitiateBlockInfo) Pack(e *Encoder) {
	m.BlockServiceAddrs.Pack(e)
	e.U64(uint64(m.BlockServiceID))
	e.Fixed(m.BlockServiceFailureDomain[:])
	e.U64(uint64(m.BlockID))
	e.Fixed(m.Certificate[:])
}
func (m *AddSpanInitiateBlockInfo) Unpack(d *Decoder) {
	m.BlockServiceAddrs.Unpack(d)
	m.BlockServiceID = BlockServiceID(d.U64())
	d.Fixed(m.BlockServiceFailureDomain[:])
	m.BlockID = BlockID(d.U64())
	d.Fixed(m.Certificate[:])
}
func (m *AddSpanInitiateResp) Pack(e *Encoder) { PackList(e, m.Blocks) }
func (m *AddSpanInitiateResp) Unpack(d *Decoder) {
	m.Blocks = UnpackList[AddSpanInitiateBlockInfo](d)
}

// AddSpanInitiateWithReferenceReq asks the shard to reuse the block
// services of Reference's first and last spans. Reference must be a real
// file (the file's own id works); the null inode is rejected.
type AddSpanInitiateWithReferenceReq struct {
	Req       AddSpanInitiateReq
	Reference InodeID
}

type AddSpanInitiateWithReferenceResp struct {
	Resp AddSpanInitiateResp
}

func (*AddSpanInitiateWithReferenceReq) ShardKind() ShardKind {
	return KindAddSpanInitiateWithReference
}
func (*AddSpanInitiateWithReferenceResp) ShardKind() ShardKind {
	return KindAddSpanInitiateWithReference
}

func (m *AddSpanInitiateWithReferenceReq) Pack(e *Encoder) {
	m.Req.Pack(e)
	e.U64(uint64(m.Reference))
}
func (m *AddSpanInitiateWithReferenceReq) Unpack(d *Decoder) {
	m.Req.Unpack(d)
	m.Reference = InodeID(d.U64())
}
func (m *AddSpanInitiateWithReferenceResp) Pack(e *Encoder)   { m.Resp.Pack(e) }
func (m *AddSpanInitiateWithReferenceResp) Unpack(d *Decoder) { m.Resp.Unpack(d) }

// --- AddSpanCertify

// BlockProof is a block service's proof that it wrote a block.
type BlockProof struct {
	BlockID BlockID
	Proof   [8]byte
}

func (m *BlockProof) Pack(e *Encoder)   { e.U64(uint64(m.BlockID)); e.Fixed(m.Proof[:]) }
func (m *BlockProof) Unpack(d *Decoder) { m.BlockID = BlockID(d.U64()); d.Fixed(m.Proof[:]) }

type AddSpanCertifyReq struct {
	FileID     InodeID
	Cookie     Cookie
	ByteOffset uint64
	Proofs     []BlockProof // one per block, in block order
}

type AddSpanCertifyResp struct{ empty }

func (*AddSpanCertifyReq) ShardKind() ShardKind  { return KindAddSpanCertify }
func (*AddSpanCertifyResp) ShardKind() ShardKind { return KindAddSpanCertify }

func (m *AddSpanCertifyReq) Pack(e *Encoder) {
	e.U64(uint64(m.FileID))
	e.Fixed(m.Cookie[:])
	e.U64(m.ByteOffset)
	PackList(e, m.Proofs)
}
func (m *AddSpanCertifyReq) Unpack(d *Decoder) {
	m.FileID = InodeID(d.U64())
	d.Fixed(m.Cookie[:])
	m.ByteOffset = d.U64()
	m.Proofs = UnpackList[BlockProof](d)
}

// --- AddInlineSpan

// AddInlineSpanReq appends a span stored in shard metadata. StorageClass is
// StorageInline (Body holds the bytes) or StorageEmpty (a zero-length no-op
// that still resets the transient deadline: the keepalive).
type AddInlineSpanReq struct {
	FileID       InodeID
	Cookie       Cookie
	StorageClass StorageClass
	ByteOffset   uint64
	Size         uint32
	Crc          Crc
	Body         []byte
}

type AddInlineSpanResp struct{ empty }

func (*AddInlineSpanReq) ShardKind() ShardKind  { return KindAddInlineSpan }
func (*AddInlineSpanResp) ShardKind() ShardKind { return KindAddInlineSpan }

func (m *AddInlineSpanReq) Pack(e *Encoder) {
	e.U64(uint64(m.FileID))
	e.Fixed(m.Cookie[:])
	e.U8(uint8(m.StorageClass))
	e.U64(m.ByteOffset)
	e.U32(m.Size)
	e.U32(uint32(m.Crc))
	e.Bytes8(m.Body)
}
func (m *AddInlineSpanReq) Unpack(d *Decoder) {
	m.FileID = InodeID(d.U64())
	d.Fixed(m.Cookie[:])
	m.StorageClass = StorageClass(d.U8())
	m.ByteOffset = d.U64()
	m.Size = d.U32()
	m.Crc = Crc(d.U32())
	m.Body = d.Bytes8()
}

// --- LinkFile

type LinkFileReq struct {
	FileID  InodeID
	Cookie  Cookie
	OwnerID InodeID
	Name    string
}

type LinkFileResp struct{ CreationTime TernTime }

func (*LinkFileReq) ShardKind() ShardKind  { return KindLinkFile }
func (*LinkFileResp) ShardKind() ShardKind { return KindLinkFile }

func (m *LinkFileReq) Pack(e *Encoder) {
	e.U64(uint64(m.FileID))
	e.Fixed(m.Cookie[:])
	e.U64(uint64(m.OwnerID))
	e.String8(m.Name)
}
func (m *LinkFileReq) Unpack(d *Decoder) {
	m.FileID = InodeID(d.U64())
	d.Fixed(m.Cookie[:])
	m.OwnerID = InodeID(d.U64())
	m.Name = d.String8()
}
func (m *LinkFileResp) Pack(e *Encoder)   { e.U64(uint64(m.CreationTime)) }
func (m *LinkFileResp) Unpack(d *Decoder) { m.CreationTime = TernTime(d.U64()) }

// --- SoftUnlinkFile

type SoftUnlinkFileReq struct {
	OwnerID      InodeID
	FileID       InodeID
	Name         string
	CreationTime TernTime
}

type SoftUnlinkFileResp struct {
	DeleteCreationTime TernTime // creation time of the deletion marker
}

func (*SoftUnlinkFileReq) ShardKind() ShardKind  { return KindSoftUnlinkFile }
func (*SoftUnlinkFileResp) ShardKind() ShardKind { return KindSoftUnlinkFile }

func (m *SoftUnlinkFileReq) Pack(e *Encoder) {
	e.U64(uint64(m.OwnerID))
	e.U64(uint64(m.FileID))
	e.String8(m.Name)
	e.U64(uint64(m.CreationTime))
}
func (m *SoftUnlinkFileReq) Unpack(d *Decoder) {
	m.OwnerID = InodeID(d.U64())
	m.FileID = InodeID(d.U64())
	m.Name = d.String8()
	m.CreationTime = TernTime(d.U64())
}
func (m *SoftUnlinkFileResp) Pack(e *Encoder)   { e.U64(uint64(m.DeleteCreationTime)) }
func (m *SoftUnlinkFileResp) Unpack(d *Decoder) { m.DeleteCreationTime = TernTime(d.U64()) }

// --- SameShardHardFileUnlink

// SameShardHardFileUnlinkReq removes a snapshot (non-current) file edge
// whose file lives on the directory's shard, and makes the file transient
// with a deadline of now, so GC reclaims it at once. A current edge is
// EDGE_NOT_FOUND (the real cluster confirmed it): soft-unlink first, then
// pass the original edge's creation time. CrossShardHardUnlinkFile (CDC)
// does the same when the file lives on another shard.
type SameShardHardFileUnlinkReq struct {
	OwnerID      InodeID
	TargetID     InodeID
	Name         string
	CreationTime TernTime
}

type SameShardHardFileUnlinkResp struct{ empty }

func (*SameShardHardFileUnlinkReq) ShardKind() ShardKind  { return KindSameShardHardFileUnlink }
func (*SameShardHardFileUnlinkResp) ShardKind() ShardKind { return KindSameShardHardFileUnlink }

func (m *SameShardHardFileUnlinkReq) Pack(e *Encoder) {
	e.U64(uint64(m.OwnerID))
	e.U64(uint64(m.TargetID))
	e.String8(m.Name)
	e.U64(uint64(m.CreationTime))
}
func (m *SameShardHardFileUnlinkReq) Unpack(d *Decoder) {
	m.OwnerID = InodeID(d.U64())
	m.TargetID = InodeID(d.U64())
	m.Name = d.String8()
	m.CreationTime = TernTime(d.U64())
}

// --- RemoveNonOwnedEdge

// RemoveNonOwnedEdgeReq removes one snapshot edge that owns nothing: a
// deletion marker (TargetID NullInode) or the edge a rename leaves under the
// old name. An absent edge answers NO_ERROR; an owned one EDGE_NOT_FOUND.
type RemoveNonOwnedEdgeReq struct {
	DirID        InodeID
	TargetID     InodeID
	Name         string
	CreationTime TernTime
}

type RemoveNonOwnedEdgeResp struct{ empty }

func (*RemoveNonOwnedEdgeReq) ShardKind() ShardKind  { return KindRemoveNonOwnedEdge }
func (*RemoveNonOwnedEdgeResp) ShardKind() ShardKind { return KindRemoveNonOwnedEdge }

func (m *RemoveNonOwnedEdgeReq) Pack(e *Encoder) {
	e.U64(uint64(m.DirID))
	e.U64(uint64(m.TargetID))
	e.String8(m.Name)
	e.U64(uint64(m.CreationTime))
}
func (m *RemoveNonOwnedEdgeReq) Unpack(d *Decoder) {
	m.DirID = InodeID(d.U64())
	m.TargetID = InodeID(d.U64())
	m.Name = d.String8()
	m.CreationTime = TernTime(d.U64())
}

// --- SameDirectoryRenameSnapshot

// SameDirectoryRenameSnapshotReq makes the file of an owned snapshot edge
// current again as NewName (which may equal OldName), replacing a current
// file edge as LinkFile does; the snapshot edge stays, no longer owning the
// file.
type SameDirectoryRenameSnapshotReq struct {
	TargetID        InodeID
	DirID           InodeID
	OldName         string
	OldCreationTime TernTime
	NewName         string
}

type SameDirectoryRenameSnapshotResp struct{ NewCreationTime TernTime }

func (*SameDirectoryRenameSnapshotReq) ShardKind() ShardKind  { return KindSameDirectoryRenameSnapshot }
func (*SameDirectoryRenameSnapshotResp) ShardKind() ShardKind { return KindSameDirectoryRenameSnapshot }

func (m *SameDirectoryRenameSnapshotReq) Pack(e *Encoder) {
	e.U64(uint64(m.TargetID))
	e.U64(uint64(m.DirID))
	e.String8(m.OldName)
	e.U64(uint64(m.OldCreationTime))
	e.String8(m.NewName)
}
func (m *SameDirectoryRenameSnapshotReq) Unpack(d *Decoder) {
	m.TargetID = InodeID(d.U64())
	m.DirID = InodeID(d.U64())
	m.OldName = d.String8()
	m.OldCreationTime = TernTime(d.U64())
	m.NewName = d.String8()
}
func (m *SameDirectoryRenameSnapshotResp) Pack(e *Encoder)   { e.U64(uint64(m.NewCreationTime)) }
func (m *SameDirectoryRenameSnapshotResp) Unpack(d *Decoder) { m.NewCreationTime = TernTime(d.U64()) }

// --- LocalFileSpans

type LocalFileSpansReq struct {
	FileID     InodeID
	ByteOffset uint64
	Limit      uint32 // 0: as many as fit (a limited page reports NextOffset 0)
	Mtu        uint16
}

// FetchedBlock is one block of a span; BlockServiceIx indexes the
// response's BlockServices.
type FetchedBlock struct {
	BlockServiceIx uint8
	BlockID        BlockID
	Crc            Crc
}

// FetchedBlocksSpan is the body of a span stored in blocks.
type FetchedBlocksSpan struct {
	Parity     Parity
	Stripes    uint8
	CellSize   uint32
	Blocks     []FetchedBlock
	StripesCrc []Crc
}

// FetchedSpan is a span header followed by a body chosen by StorageClass:
// Inline for StorageInline, Blocks for HDD/FLASH. StorageEmpty never
// appears.
type FetchedSpan struct {
	ByteOffset   uint64
	Size         uint32
	Crc          Crc
	StorageClass StorageClass
	Inline       []byte
	Blocks       FetchedBlocksSpan
}

type LocalFileSpansResp struct {
	NextOffset    uint64 // 0 when there are no more spans
	BlockServices []BlockService
	Spans         []FetchedSpan
}

func (*LocalFileSpansReq) ShardKind() ShardKind  { return KindLocalFileSpans }
func (*LocalFileSpansResp) ShardKind() ShardKind { return KindLocalFileSpans }

func (m *LocalFileSpansReq) Pack(e *Encoder) {
	e.U64(uint64(m.FileID))
	e.U64(m.ByteOffset)
	e.U32(m.Limit)
	e.U16(m.Mtu)
}
func (m *LocalFileSpansReq) Unpack(d *Decoder) {
	m.FileID = InodeID(d.U64())
	m.ByteOffset = d.U64()
	m.Limit = d.U32()
	m.Mtu = d.U16()
}
func (m *FetchedBlock) Pack(e *Encoder) {
	e.U8(m.BlockServiceIx)
	e.U64(uint64(m.BlockID))
	e.U32(uint32(m.Crc))
}
func (m *FetchedBlock) Unpack(d *Decoder) {
	m.BlockServiceIx = d.U8()
	m.BlockID = BlockID(d.U64())
	m.Crc = Crc(d.U32())
}
func (m *FetchedBlocksSpan) Pack(e *Encoder) {
	e.U8(uint8(m.Parity))
	e.U8(m.Stripes)
	e.U32(m.CellSize)
	PackList(e, m.Blocks)
	packU32List(e, m.StripesCrc)
}
func (m *FetchedBlocksSpan) Unpack(d *Decoder) {
	m.Parity = Parity(d.U8())
	m.Stripes = d.U8()
	m.CellSize = d.U32()
	m.Blocks = UnpackList[FetchedBlock](d)
	m.StripesCrc = unpackU32List[Crc](d)
}
func (m *FetchedSpan) Pack(e *Encoder) {
	e.U64(m.ByteOffset)
	e.U32(m.Size)
	e.U32(uint32(m.Crc))
	e.U8(uint8(m.StorageClass))
	switch m.StorageClass {
	case StorageEmpty:
		e.fail(fmtMalformed("EMPTY storage class in a fetched span"))
	case StorageInline:
		e.Bytes8(m.Inline)
	default:
		m.Blocks.Pack(e)
	}
}
func (m *FetchedSpan) Unpack(d *Decoder) {
	m.ByteOffset = d.U64()
	m.Size = d.U32()
	m.Crc = Crc(d.U32())
	m.StorageClass = StorageClass(d.U8())
	switch {
	case d.Err() != nil:
	case m.StorageClass == StorageEmpty:
		d.Fail(fmtMalformed("EMPTY storage class in a fetched span"))
	case m.StorageClass == StorageInline:
		m.Inline = d.Bytes8()
	default:
		m.Blocks.Unpack(d)
	}
}
func (m *LocalFileSpansResp) Pack(e *Encoder) {
	e.U64(m.NextOffset)
	PackList(e, m.BlockServices)
	PackList(e, m.Spans)
}
func (m *LocalFileSpansResp) Unpack(d *Decoder) {
	m.NextOffset = d.U64()
	m.BlockServices = UnpackList[BlockService](d)
	m.Spans = UnpackList[FetchedSpan](d)
}

// --- SameDirectoryRename

type SameDirectoryRenameReq struct {
	TargetID        InodeID
	DirID           InodeID
	OldName         string
	OldCreationTime TernTime
	NewName         string
}

type SameDirectoryRenameResp struct{ NewCreationTime TernTime }

func (*SameDirectoryRenameReq) ShardKind() ShardKind  { return KindSameDirectoryRename }
func (*SameDirectoryRenameResp) ShardKind() ShardKind { return KindSameDirectoryRename }

func (m *SameDirectoryRenameReq) Pack(e *Encoder) {
	e.U64(uint64(m.TargetID))
	e.U64(uint64(m.DirID))
	e.String8(m.OldName)
	e.U64(uint64(m.OldCreationTime))
	e.String8(m.NewName)
}
func (m *SameDirectoryRenameReq) Unpack(d *Decoder) {
	m.TargetID = InodeID(d.U64())
	m.DirID = InodeID(d.U64())
	m.OldName = d.String8()
	m.OldCreationTime = TernTime(d.U64())
	m.NewName = d.String8()
}
func (m *SameDirectoryRenameResp) Pack(e *Encoder)   { e.U64(uint64(m.NewCreationTime)) }
func (m *SameDirectoryRenameResp) Unpack(d *Decoder) { m.NewCreationTime = TernTime(d.U64()) }

// --- SetDirectoryInfo

type SetDirectoryInfoReq struct {
	ID   InodeID
	Info DirectoryInfo
}

type SetDirectoryInfoResp struct{ empty }

func (*SetDirectoryInfoReq) ShardKind() ShardKind  { return KindSetDirectoryInfo }
func (*SetDirectoryInfoResp) ShardKind() ShardKind { return KindSetDirectoryInfo }

func (m *SetDirectoryInfoReq) Pack(e *Encoder)   { e.U64(uint64(m.ID)); m.Info.Pack(e) }
func (m *SetDirectoryInfoReq) Unpack(d *Decoder) { m.ID = InodeID(d.U64()); m.Info.Unpack(d) }

// --- ScrapTransientFile

// ScrapTransientFileReq sets a transient file's deadline to now.
type ScrapTransientFileReq struct {
	ID     InodeID
	Cookie Cookie
}

type ScrapTransientFileResp struct{ empty }

func (*ScrapTransientFileReq) ShardKind() ShardKind  { return KindScrapTransientFile }
func (*ScrapTransientFileResp) ShardKind() ShardKind { return KindScrapTransientFile }

func (m *ScrapTransientFileReq) Pack(e *Encoder)   { e.U64(uint64(m.ID)); e.Fixed(m.Cookie[:]) }
func (m *ScrapTransientFileReq) Unpack(d *Decoder) { m.ID = InodeID(d.U64()); d.Fixed(m.Cookie[:]) }

// --- VisitTransientFiles

type VisitTransientFilesReq struct {
	BeginID InodeID
	Mtu     uint16
}

type TransientFile struct {
	ID           InodeID
	Cookie       Cookie
	DeadlineTime TernTime
}

type VisitTransientFilesResp struct {
	NextID InodeID // NullInode when the walk is complete
	Files  []TransientFile
}

func (*VisitTransientFilesReq) ShardKind() ShardKind  { return KindVisitTransientFiles }
func (*VisitTransientFilesResp) ShardKind() ShardKind { return KindVisitTransientFiles }

func (m *VisitTransientFilesReq) Pack(e *Encoder)   { e.U64(uint64(m.BeginID)); e.U16(m.Mtu) }
func (m *VisitTransientFilesReq) Unpack(d *Decoder) { m.BeginID = InodeID(d.U64()); m.Mtu = d.U16() }
func (m *TransientFile) Pack(e *Encoder) {
	e.U64(uint64(m.ID))
	e.Fixed(m.Cookie[:])
	e.U64(uint64(m.DeadlineTime))
}
func (m *TransientFile) Unpack(d *Decoder) {
	m.ID = InodeID(d.U64())
	d.Fixed(m.Cookie[:])
	m.DeadlineTime = TernTime(d.U64())
}
func (m *VisitTransientFilesResp) Pack(e *Encoder) { e.U64(uint64(m.NextID)); PackList(e, m.Files) }
func (m *VisitTransientFilesResp) Unpack(d *Decoder) {
	m.NextID = InodeID(d.U64())
	m.Files = UnpackList[TransientFile](d)
}

// --- RemoveInode

// RemoveInodeReq drops a transient file with no spans whose deadline has
// passed.
type RemoveInodeReq struct{ ID InodeID }

type RemoveInodeResp struct{ empty }

func (*RemoveInodeReq) ShardKind() ShardKind  { return KindRemoveInode }
func (*RemoveInodeResp) ShardKind() ShardKind { return KindRemoveInode }

func (m *RemoveInodeReq) Pack(e *Encoder)   { e.U64(uint64(m.ID)) }
func (m *RemoveInodeReq) Unpack(d *Decoder) { m.ID = InodeID(d.U64()) }

// --- MoveSpan

// MoveSpanReq moves the last, uncertified span of file 1 onto the end of
// file 2; both must be transient files on the receiving shard.
type MoveSpanReq struct {
	SpanSize    uint32
	FileID1     InodeID
	ByteOffset1 uint64
	Cookie1     Cookie
	FileID2     InodeID
	ByteOffset2 uint64
	Cookie2     Cookie
}

type MoveSpanResp struct{ empty }

func (*MoveSpanReq) ShardKind() ShardKind  { return KindMoveSpan }
func (*MoveSpanResp) ShardKind() ShardKind { return KindMoveSpan }

func (m *MoveSpanReq) Pack(e *Encoder) {
	e.U32(m.SpanSize)
	e.U64(uint64(m.FileID1))
	e.U64(m.ByteOffset1)
	e.Fixed(m.Cookie1[:])
	e.U64(uint64(m.FileID2))
	e.U64(m.ByteOffset2)
	e.Fixed(m.Cookie2[:])
}
func (m *MoveSpanReq) Unpack(d *Decoder) {
	m.SpanSize = d.U32()
	m.FileID1 = InodeID(d.U64())
	m.ByteOffset1 = d.U64()
	d.Fixed(m.Cookie1[:])
	m.FileID2 = InodeID(d.U64())
	m.ByteOffset2 = d.U64()
	d.Fixed(m.Cookie2[:])
}
