package wire

// CDCKind identifies a CDC (cross-directory coordinator) request and its
// response.
type CDCKind uint8

const (
	KindMakeDirectory            CDCKind = 0x01
	KindRenameFile               CDCKind = 0x02
	KindSoftUnlinkDirectory      CDCKind = 0x03
	KindCrossShardHardUnlinkFile CDCKind = 0x06
)

// CDCRequest is a request sent to the CDC.
type CDCRequest interface {
	Message
	CDCKind() CDCKind
}

// CDCResponse is the CDC's answer to the request of the same kind.
type CDCResponse interface {
	Message
	CDCKind() CDCKind
}

// --- MakeDirectory

// MakeDirectoryReq creates Name in OwnerID, or returns the directory that
// already holds the name.
type MakeDirectoryReq struct {
	OwnerID InodeID
	Name    string
}

type MakeDirectoryResp struct {
	ID           InodeID
	CreationTime TernTime
}

func (*MakeDirectoryReq) CDCKind() CDCKind  { return KindMakeDirectory }
func (*MakeDirectoryResp) CDCKind() CDCKind { return KindMakeDirectory }

func (m *MakeDirectoryReq) Pack(e *Encoder)   { e.U64(uint64(m.OwnerID)); e.String8(m.Name) }
func (m *MakeDirectoryReq) Unpack(d *Decoder) { m.OwnerID = InodeID(d.U64()); m.Name = d.String8() }
func (m *MakeDirectoryResp) Pack(e *Encoder)  { e.U64(uint64(m.ID)); e.U64(uint64(m.CreationTime)) }
func (m *MakeDirectoryResp) Unpack(d *Decoder) {
	m.ID = InodeID(d.U64())
	m.CreationTime = TernTime(d.U64())
}

// --- RenameFile

// RenameFileReq moves a file edge between directories (possibly on
// different shards).
type RenameFileReq struct {
	TargetID        InodeID
	OldOwnerID      InodeID
	OldName         string
	OldCreationTime TernTime
	NewOwnerID      InodeID
	NewName         string
}

type RenameFileResp struct{ CreationTime TernTime }

func (*RenameFileReq) CDCKind() CDCKind  { return KindRenameFile }
func (*RenameFileResp) CDCKind() CDCKind { return KindRenameFile }

func (m *RenameFileReq) Pack(e *Encoder) {
	e.U64(uint64(m.TargetID))
	e.U64(uint64(m.OldOwnerID))
	e.String8(m.OldName)
	e.U64(uint64(m.OldCreationTime))
	e.U64(uint64(m.NewOwnerID))
	e.String8(m.NewName)
}
func (m *RenameFileReq) Unpack(d *Decoder) {
	m.TargetID = InodeID(d.U64())
	m.OldOwnerID = InodeID(d.U64())
	m.OldName = d.String8()
	m.OldCreationTime = TernTime(d.U64())
	m.NewOwnerID = InodeID(d.U64())
	m.NewName = d.String8()
}
func (m *RenameFileResp) Pack(e *Encoder)   { e.U64(uint64(m.CreationTime)) }
func (m *RenameFileResp) Unpack(d *Decoder) { m.CreationTime = TernTime(d.U64()) }

// --- SoftUnlinkDirectory

// SoftUnlinkDirectoryReq removes an empty directory's edge
// (DIRECTORY_NOT_EMPTY otherwise); GC later removes the ownerless inode.
type SoftUnlinkDirectoryReq struct {
	OwnerID      InodeID
	TargetID     InodeID
	CreationTime TernTime
	Name         string
}

type SoftUnlinkDirectoryResp struct{ empty }

func (*SoftUnlinkDirectoryReq) CDCKind() CDCKind  { return KindSoftUnlinkDirectory }
func (*SoftUnlinkDirectoryResp) CDCKind() CDCKind { return KindSoftUnlinkDirectory }

func (m *SoftUnlinkDirectoryReq) Pack(e *Encoder) {
	e.U64(uint64(m.OwnerID))
	e.U64(uint64(m.TargetID))
	e.U64(uint64(m.CreationTime))
	e.String8(m.Name)
}
func (m *SoftUnlinkDirectoryReq) Unpack(d *Decoder) {
	m.OwnerID = InodeID(d.U64())
	m.TargetID = InodeID(d.U64())
	m.CreationTime = TernTime(d.U64())
	m.Name = d.String8()
}

// --- CrossShardHardUnlinkFile

type CrossShardHardUnlinkFileReq struct {
	OwnerID      InodeID
	TargetID     InodeID
	Name         string
	CreationTime TernTime
}

type CrossShardHardUnlinkFileResp struct{ empty }

func (*CrossShardHardUnlinkFileReq) CDCKind() CDCKind  { return KindCrossShardHardUnlinkFile }
func (*CrossShardHardUnlinkFileResp) CDCKind() CDCKind { return KindCrossShardHardUnlinkFile }

func (m *CrossShardHardUnlinkFileReq) Pack(e *Encoder) {
	e.U64(uint64(m.OwnerID))
	e.U64(uint64(m.TargetID))
	e.String8(m.Name)
	e.U64(uint64(m.CreationTime))
}
func (m *CrossShardHardUnlinkFileReq) Unpack(d *Decoder) {
	m.OwnerID = InodeID(d.U64())
	m.TargetID = InodeID(d.U64())
	m.Name = d.String8()
	m.CreationTime = TernTime(d.U64())
}
