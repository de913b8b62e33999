package wire

// RegistryKind identifies a registry request and its response.
type RegistryKind uint8

const (
	KindLocalShards               RegistryKind = 0x03
	KindLocalCDC                  RegistryKind = 0x07
	KindInfo                      RegistryKind = 0x08
	KindAllRegistryReplicas       RegistryKind = 0x10
	KindShardBlockServices        RegistryKind = 0x18
	KindLocalChangedBlockServices RegistryKind = 0x22
)

// RegistryRequest is a request sent to the registry.
type RegistryRequest interface {
	Message
	RegistryKind() RegistryKind
}

// RegistryResponse is the registry's answer to the request of the same kind.
type RegistryResponse interface {
	Message
	RegistryKind() RegistryKind
}

// --- LocalShards

// LocalShardsReq asks for the leader addresses of all 256 shards.
type LocalShardsReq struct{ empty }

type ShardInfo struct {
	Addrs    AddrsInfo
	LastSeen TernTime
}

// LocalShardsResp lists the shards by id; unknown shards are zeroed.
type LocalShardsResp struct {
	Shards []ShardInfo
}

func (*LocalShardsReq) RegistryKind() RegistryKind  { return KindLocalShards }
func (*LocalShardsResp) RegistryKind() RegistryKind { return KindLocalShards }

func (m *ShardInfo) Pack(e *Encoder)         { m.Addrs.Pack(e); e.U64(uint64(m.LastSeen)) }
func (m *ShardInfo) Unpack(d *Decoder)       { m.Addrs.Unpack(d); m.LastSeen = TernTime(d.U64()) }
func (m *LocalShardsResp) Pack(e *Encoder)   { PackList(e, m.Shards) }
func (m *LocalShardsResp) Unpack(d *Decoder) { m.Shards = UnpackList[ShardInfo](d) }

// --- LocalCdc

type LocalCDCReq struct{ empty }

type LocalCDCResp struct {
	Addrs    AddrsInfo
	LastSeen TernTime
}

func (*LocalCDCReq) RegistryKind() RegistryKind  { return KindLocalCDC }
func (*LocalCDCResp) RegistryKind() RegistryKind { return KindLocalCDC }

func (m *LocalCDCResp) Pack(e *Encoder)   { m.Addrs.Pack(e); e.U64(uint64(m.LastSeen)) }
func (m *LocalCDCResp) Unpack(d *Decoder) { m.Addrs.Unpack(d); m.LastSeen = TernTime(d.U64()) }

// --- Info

type InfoReq struct{ empty }

// InfoResp summarises the cluster's block storage.
type InfoResp struct {
	NumBlockServices  uint32
	NumFailureDomains uint32
	Capacity          uint64
	Available         uint64
	Blocks            uint64
}

func (*InfoReq) RegistryKind() RegistryKind  { return KindInfo }
func (*InfoResp) RegistryKind() RegistryKind { return KindInfo }

func (m *InfoResp) Pack(e *Encoder) {
	e.U32(m.NumBlockServices)
	e.U32(m.NumFailureDomains)
	e.U64(m.Capacity)
	e.U64(m.Available)
	e.U64(m.Blocks)
}
func (m *InfoResp) Unpack(d *Decoder) {
	m.NumBlockServices = d.U32()
	m.NumFailureDomains = d.U32()
	m.Capacity = d.U64()
	m.Available = d.U64()
	m.Blocks = d.U64()
}

// --- AllRegistryReplicas (answered by the leader only)

type AllRegistryReplicasReq struct{ empty }

type RegistryReplica struct {
	ID         ReplicaID
	LocationID Location
	IsLeader   bool
	Addrs      AddrsInfo
	LastSeen   TernTime
}

type AllRegistryReplicasResp struct {
	Replicas []RegistryReplica
}

func (*AllRegistryReplicasReq) RegistryKind() RegistryKind  { return KindAllRegistryReplicas }
func (*AllRegistryReplicasResp) RegistryKind() RegistryKind { return KindAllRegistryReplicas }

func (m *RegistryReplica) Pack(e *Encoder) {
	e.U8(uint8(m.ID))
	e.U8(uint8(m.LocationID))
	e.Bool(m.IsLeader)
	m.Addrs.Pack(e)
	e.U64(uint64(m.LastSeen))
}
func (m *RegistryReplica) Unpack(d *Decoder) {
	m.ID = ReplicaID(d.U8())
	m.LocationID = Location(d.U8())
	m.IsLeader = d.Bool()
	m.Addrs.Unpack(d)
	m.LastSeen = TernTime(d.U64())
}
func (m *AllRegistryReplicasResp) Pack(e *Encoder) { PackList(e, m.Replicas) }
func (m *AllRegistryReplicasResp) Unpack(d *Decoder) {
	m.Replicas = UnpackList[RegistryReplica](d)
}

// --- ShardBlockServices

// ShardBlockServicesReq asks which block services a shard currently writes
// to, with their failure domains.
type ShardBlockServicesReq struct{ ShardID ShardID }

type BlockServiceInfoShort struct {
	LocationID    Location
	FailureDomain FailureDomain
	ID            BlockServiceID
	StorageClass  StorageClass
}

type ShardBlockServicesResp struct {
	BlockServices []BlockServiceInfoShort
}

func (*ShardBlockServicesReq) RegistryKind() RegistryKind  { return KindShardBlockServices }
func (*ShardBlockServicesResp) RegistryKind() RegistryKind { return KindShardBlockServices }

func (m *ShardBlockServicesReq) Pack(e *Encoder)   { e.U8(uint8(m.ShardID)) }
func (m *ShardBlockServicesReq) Unpack(d *Decoder) { m.ShardID = ShardID(d.U8()) }
func (m *BlockServiceInfoShort) Pack(e *Encoder) {
	e.U8(uint8(m.LocationID))
	e.Fixed(m.FailureDomain[:])
	e.U64(uint64(m.ID))
	e.U8(uint8(m.StorageClass))
}
func (m *BlockServiceInfoShort) Unpack(d *Decoder) {
	m.LocationID = Location(d.U8())
	d.Fixed(m.FailureDomain[:])
	m.ID = BlockServiceID(d.U64())
	m.StorageClass = StorageClass(d.U8())
}
func (m *ShardBlockServicesResp) Pack(e *Encoder) { PackList(e, m.BlockServices) }
func (m *ShardBlockServicesResp) Unpack(d *Decoder) {
	m.BlockServices = UnpackList[BlockServiceInfoShort](d)
}

// --- LocalChangedBlockServices

// LocalChangedBlockServicesReq asks for block services (addresses, flags)
// changed since a time; 0 returns all of them.
type LocalChangedBlockServicesReq struct{ ChangedSince TernTime }

type LocalChangedBlockServicesResp struct {
	LastChange    TernTime
	BlockServices []BlockService
}

func (*LocalChangedBlockServicesReq) RegistryKind() RegistryKind {
	return KindLocalChangedBlockServices
}
func (*LocalChangedBlockServicesResp) RegistryKind() RegistryKind {
	return KindLocalChangedBlockServices
}

func (m *LocalChangedBlockServicesReq) Pack(e *Encoder) { e.U64(uint64(m.ChangedSince)) }
func (m *LocalChangedBlockServicesReq) Unpack(d *Decoder) {
	m.ChangedSince = TernTime(d.U64())
}
func (m *LocalChangedBlockServicesResp) Pack(e *Encoder) {
	e.U64(uint64(m.LastChange))
	PackList(e, m.BlockServices)
}
func (m *LocalChangedBlockServicesResp) Unpack(d *Decoder) {
	m.LastChange = TernTime(d.U64())
	m.BlockServices = UnpackList[BlockService](d)
}
