package wire

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

type msgVector struct {
	name string
	msg  Message
	wire string
}

func shardVectors() []msgVector {
	return []msgVector{
		{"LookupReq", &LookupReq{DirID: vDir, Name: "obj"}, `
			0101000000000020 // DirId
			03 6f626a        // Name "obj"`},
		{"LookupResp", &LookupResp{TargetID: vFile, CreationTime: vTime}, `
			0512000000000040 // TargetId
			8877665544332211 // CreationTime`},
		{"StatFileReq", &StatFileReq{ID: vFile}, `
			0512000000000040 // Id`},
		{"StatFileResp", &StatFileResp{Mtime: vTime, Atime: vTime2, Size: 0x1000}, `
			8877665544332211 // Mtime
			0807060504030201 // Atime
			0010000000000000 // Size`},
		{"StatTransientFileReq", &StatTransientFileReq{ID: vFile}, `
			0512000000000040 // Id`},
		{"StatTransientFileResp", &StatTransientFileResp{Mtime: vTime, Size: 5, Note: "n1"}, `
			8877665544332211 // Mtime
			0500000000000000 // Size
			02 6e31          // Note "n1"`},
		{"StatDirectoryReq", &StatDirectoryReq{ID: vDir}, `
			0101000000000020 // Id`},
		{"StatDirectoryResp", &StatDirectoryResp{Mtime: vTime, Owner: RootDirectory,
			Info: DirectoryInfo{Entries: []DirectoryInfoEntry{{Tag: TagStripePolicy, Body: []byte{0, 0, 0x10, 0}}}}}, `
			8877665544332211 // Mtime
			0000000000000020 // Owner (root)
			0100             // Info.Entries count
			04               //   Tag STRIPE
			04 00001000      //   Body: TargetStripeSize 1 MiB`},
		{"ReadDirReq", &ReadDirReq{DirID: vDir, StartHash: 0x0a0b0c0d0e0f1011, Mtu: MaxMTU}, `
			0101000000000020 // DirId
			11100f0e0d0c0b0a // StartHash
			0c23             // Mtu 8972`},
		{"ReadDirResp", &ReadDirResp{NextHash: 0x1234, Results: []CurrentEdge{
			{TargetID: vFile, NameHash: 0x7fffffffffffffff, Name: "a", CreationTime: vTime}}}, `
			3412000000000000 // NextHash
			0100             // Results count
			0512000000000040 //   TargetId
			ffffffffffffff7f //   NameHash
			01 61            //   Name "a"
			8877665544332211 //   CreationTime`},
		{"FullReadDirReq", &FullReadDirReq{DirID: vDir, Flags: FullReadDirCurrent | FullReadDirSameName,
			StartName: "k", StartTime: vTime, Limit: 100}, `
			0101000000000020 // DirId
			05               // Flags CURRENT|SAME_NAME
			01 6b            // StartName "k"
			8877665544332211 // StartTime
			6400             // Limit
			0000             // Mtu`},
		{"FullReadDirResp", &FullReadDirResp{
			Next:    FullReadDirCursor{Current: true, StartName: "z", StartTime: vTime},
			Results: []Edge{{TargetID: MakeOwnedInodeID(vFile, true), NameHash: 2, Name: "b", CreationTime: vTime2}}}, `
			01               // Next.Current
			01 7a            // Next.StartName "z"
			8877665544332211 // Next.StartTime
			0100             // Results count
			00               //   Current
			05120000000000c0 //   TargetId, owned bit set
			0200000000000000 //   NameHash
			01 62            //   Name "b"
			0807060504030201 //   CreationTime`},
		{"ConstructFileReq", &ConstructFileReq{Type: InodeFile, Note: "s3:up"}, `
			02               // Type FILE
			05 73333a7570    // Note "s3:up"`},
		{"ConstructFileResp", &ConstructFileResp{ID: vFile, Cookie: vCookie}, `
			0512000000000040 // Id
			c0c1c2c3c4c5c6c7 // Cookie`},
		{"AddSpanInitiateReq", addSpanReq(), addSpanReqWire},
		{"AddSpanInitiateWithReferenceReq", &AddSpanInitiateWithReferenceReq{Req: *addSpanReq(), Reference: vFile},
			addSpanReqWire + `
			0512000000000040 // Reference`},
		{"AddSpanInitiateResp", &AddSpanInitiateResp{Blocks: addSpanBlocks()}, addSpanRespWire},
		{"AddSpanInitiateWithReferenceResp", &AddSpanInitiateWithReferenceResp{
			Resp: AddSpanInitiateResp{Blocks: addSpanBlocks()}}, addSpanRespWire},
		{"AddSpanCertifyReq", &AddSpanCertifyReq{FileID: vFile, Cookie: vCookie, ByteOffset: 0x3000,
			Proofs: []BlockProof{{BlockID: vBlock, Proof: vProof}}}, `
			0512000000000040 // FileId
			c0c1c2c3c4c5c6c7 // Cookie
			0030000000000000 // ByteOffset
			0100             // Proofs count
			0cb1000000000000 //   BlockId
			b0b1b2b3b4b5b6b7 //   Proof`},
		{"AddSpanCertifyResp", &AddSpanCertifyResp{}, ``},
		{"AddInlineSpanReq", &AddInlineSpanReq{FileID: vFile, Cookie: vCookie, StorageClass: StorageInline,
			ByteOffset: 0x2000, Size: 3, Crc: 0x352441c2, Body: []byte("abc")}, `
			0512000000000040 // FileId
			c0c1c2c3c4c5c6c7 // Cookie
			01               // StorageClass INLINE
			0020000000000000 // ByteOffset
			03000000         // Size
			c2412435         // Crc
			03 616263        // Body "abc"`},
		{"AddInlineSpanResp", &AddInlineSpanResp{}, ``},
		{"LinkFileReq", &LinkFileReq{FileID: vFile, Cookie: vCookie, OwnerID: vDir, Name: "key"}, `
			0512000000000040 // FileId
			c0c1c2c3c4c5c6c7 // Cookie
			0101000000000020 // OwnerId
			03 6b6579        // Name "key"`},
		{"LinkFileResp", &LinkFileResp{CreationTime: vTime}, `
			8877665544332211 // CreationTime`},
		{"SoftUnlinkFileReq", &SoftUnlinkFileReq{OwnerID: vDir, FileID: vFile, Name: "key", CreationTime: vTime}, `
			0101000000000020 // OwnerId
			0512000000000040 // FileId
			03 6b6579        // Name "key"
			8877665544332211 // CreationTime`},
		{"SoftUnlinkFileResp", &SoftUnlinkFileResp{DeleteCreationTime: vTime2}, `
			0807060504030201 // DeleteCreationTime`},
		{"SameShardHardFileUnlinkReq", &SameShardHardFileUnlinkReq{OwnerID: vDir, TargetID: vFile, Name: "key", CreationTime: vTime}, `
			0101000000000020 // OwnerId
			0512000000000040 // TargetId
			03 6b6579        // Name "key"
			8877665544332211 // CreationTime`},
		{"SameShardHardFileUnlinkResp", &SameShardHardFileUnlinkResp{}, ``},
		{"RemoveNonOwnedEdgeReq", &RemoveNonOwnedEdgeReq{DirID: vDir, TargetID: NullInode, Name: "key", CreationTime: vTime}, `
			0101000000000020 // DirId
			0000000000000000 // TargetId (a deletion marker)
			03 6b6579        // Name "key"
			8877665544332211 // CreationTime`},
		{"RemoveNonOwnedEdgeResp", &RemoveNonOwnedEdgeResp{}, ``},
		{"SameDirectoryRenameSnapshotReq", &SameDirectoryRenameSnapshotReq{TargetID: vFile, DirID: vDir, OldName: "key", OldCreationTime: vTime, NewName: "key"}, `
			0512000000000040 // TargetId
			0101000000000020 // DirId
			03 6b6579        // OldName "key"
			8877665544332211 // OldCreationTime
			03 6b6579        // NewName "key"`},
		{"SameDirectoryRenameSnapshotResp", &SameDirectoryRenameSnapshotResp{NewCreationTime: vTime2}, `
			0807060504030201 // NewCreationTime`},
		{"LocalFileSpansReq", &LocalFileSpansReq{FileID: vFile, ByteOffset: 0x3000, Mtu: DefaultMTU}, `
			0512000000000040 // FileId
			0030000000000000 // ByteOffset
			00000000         // Limit
			c005             // Mtu 1472`},
		{"LocalFileSpansResp", &LocalFileSpansResp{
			BlockServices: []BlockService{{Addrs: vAddrs, ID: 0x0102, Flags: BlockServiceNoWrite}},
			Spans: []FetchedSpan{
				{ByteOffset: 0, Size: 3, Crc: 0x11223344, StorageClass: StorageInline, Inline: []byte("xyz")},
				{ByteOffset: 0x1000, Size: 0x5000, Crc: 0x55667788, StorageClass: StorageFlash, Blocks: FetchedBlocksSpan{
					Parity: 0x12, Stripes: 1, CellSize: 0x3000,
					Blocks:     []FetchedBlock{{BlockServiceIx: 0, BlockID: vBlock, Crc: 0x01020304}},
					StripesCrc: []Crc{0xaabbccdd}}},
			}}, `
			0000000000000000 // NextOffset (done)
			0100             // BlockServices count
			0a000001 401f    //   Addr1 10.0.0.1:8000
			00000000 0000    //   Addr2 absent
			0201000000000000 //   Id
			04               //   Flags NO_WRITE
			0200             // Spans count
			0000000000000000 //   [0] ByteOffset
			03000000         //   [0] Size
			44332211         //   [0] Crc
			01               //   [0] StorageClass INLINE
			03 78797a        //   [0] Body "xyz"
			0010000000000000 //   [1] ByteOffset
			00500000         //   [1] Size
			88776655         //   [1] Crc
			03               //   [1] StorageClass FLASH
			12               //   [1] Parity (2,1)
			01               //   [1] Stripes
			00300000         //   [1] CellSize
			0100             //   [1] Blocks count
			00               //       BlockServiceIx
			0cb1000000000000 //       BlockId
			04030201         //       Crc
			0100             //   [1] StripesCrc count
			ddccbbaa         //       Crc`},
		{"SameDirectoryRenameReq", &SameDirectoryRenameReq{TargetID: vFile, DirID: vDir, OldName: "a",
			OldCreationTime: vTime, NewName: "b"}, `
			0512000000000040 // TargetId
			0101000000000020 // DirId
			01 61            // OldName "a"
			8877665544332211 // OldCreationTime
			01 62            // NewName "b"`},
		{"SameDirectoryRenameResp", &SameDirectoryRenameResp{NewCreationTime: vTime2}, `
			0807060504030201 // NewCreationTime`},
		{"SetDirectoryInfoReq", &SetDirectoryInfoReq{ID: vDir, Info: DirectoryInfo{Entries: []DirectoryInfoEntry{
			{Tag: TagSpanPolicy, Body: []byte{1, 0, 0x00, 0x40, 0x4c, 0x00, 0x4a}}}}}, `
			0101000000000020 // Id
			0100             // Entries count
			02               //   Tag SPAN
			07 0100 00404c00 4a // Body: 1 entry, MaxSize 0x4c4000, Parity (10,4)`},
		{"SetDirectoryInfoResp", &SetDirectoryInfoResp{}, ``},
		{"ScrapTransientFileReq", &ScrapTransientFileReq{ID: vFile, Cookie: vCookie}, `
			0512000000000040 // Id
			c0c1c2c3c4c5c6c7 // Cookie`},
		{"ScrapTransientFileResp", &ScrapTransientFileResp{}, ``},
		{"VisitTransientFilesReq", &VisitTransientFilesReq{BeginID: vFile}, `
			0512000000000040 // BeginId
			0000             // Mtu`},
		{"VisitTransientFilesResp", &VisitTransientFilesResp{Files: []TransientFile{
			{ID: vFile, Cookie: vCookie, DeadlineTime: vTime}}}, `
			0000000000000000 // NextId (done)
			0100             // Files count
			0512000000000040 //   Id
			c0c1c2c3c4c5c6c7 //   Cookie
			8877665544332211 //   DeadlineTime`},
		{"RemoveInodeReq", &RemoveInodeReq{ID: vFile}, `
			0512000000000040 // Id`},
		{"RemoveInodeResp", &RemoveInodeResp{}, ``},
		{"MoveSpanReq", &MoveSpanReq{SpanSize: 0x5000, FileID1: vFile, ByteOffset1: 0, Cookie1: vCookie,
			FileID2: vFile2, ByteOffset2: 0x3000, Cookie2: vCookie2}, `
			00500000         // SpanSize
			0512000000000040 // FileId1
			0000000000000000 // ByteOffset1
			c0c1c2c3c4c5c6c7 // Cookie1
			0513000000000040 // FileId2
			0030000000000000 // ByteOffset2
			d0d1d2d3d4d5d6d7 // Cookie2`},
		{"MoveSpanResp", &MoveSpanResp{}, ``},
	}
}

func addSpanReq() *AddSpanInitiateReq {
	return &AddSpanInitiateReq{FileID: vFile, Cookie: vCookie, ByteOffset: 0x3000, Size: 0x5000,
		Crc: 0xdeadbeef, StorageClass: StorageHDD,
		Blacklist: []BlacklistEntry{{FailureDomain: fd("fd1"), BlockService: 0x99}},
		Parity:    0x24, Stripes: 1, CellSize: 0x2000, Crcs: []Crc{1, 2}}
}

const addSpanReqWire = `
	0512000000000040 // FileId
	c0c1c2c3c4c5c6c7 // Cookie
	0030000000000000 // ByteOffset
	00500000         // Size
	efbeadde         // Crc
	02               // StorageClass HDD
	0100             // Blacklist count
	66643100000000000000000000000000 // FailureDomain "fd1"
	9900000000000000 //   BlockService
	24               // Parity (4,2)
	01               // Stripes
	00200000         // CellSize
	0200             // Crcs count
	01000000         //   Crc
	02000000         //   Crc`

func addSpanBlocks() []AddSpanInitiateBlockInfo {
	return []AddSpanInitiateBlockInfo{{
		BlockServiceAddrs: AddrsInfo{
			Addr1: IPPort{IP: [4]byte{10, 0, 0, 1}, Port: 8000},
			Addr2: IPPort{IP: [4]byte{10, 0, 1, 1}, Port: 0}},
		BlockServiceID: 0x0102, BlockServiceFailureDomain: fd("rack1"), BlockID: vBlock, Certificate: vCert}}
}

const addSpanRespWire = `
	0100             // Blocks count
	0a000001 401f    //   Addr1 10.0.0.1:8000
	0a000101 0000    //   Addr2 10.0.1.1, port 0 (absent)
	0201000000000000 //   BlockServiceId
	7261636b310000000000000000000000 // FailureDomain "rack1"
	0cb1000000000000 //   BlockId
	a0a1a2a3a4a5a6a7 //   Certificate`

func cdcVectors() []msgVector {
	return []msgVector{
		{"MakeDirectoryReq", &MakeDirectoryReq{OwnerID: vDir, Name: "bkt"}, `
			0101000000000020 // OwnerId
			03 626b74        // Name "bkt"`},
		{"MakeDirectoryResp", &MakeDirectoryResp{ID: vDir2, CreationTime: vTime}, `
			0202000000000020 // Id
			8877665544332211 // CreationTime`},
		{"RenameFileReq", &RenameFileReq{TargetID: vFile, OldOwnerID: vDir, OldName: "a", OldCreationTime: vTime,
			NewOwnerID: vDir2, NewName: "b"}, `
			0512000000000040 // TargetId
			0101000000000020 // OldOwnerId
			01 61            // OldName "a"
			8877665544332211 // OldCreationTime
			0202000000000020 // NewOwnerId
			01 62            // NewName "b"`},
		{"RenameFileResp", &RenameFileResp{CreationTime: vTime2}, `
			0807060504030201 // CreationTime`},
		{"SoftUnlinkDirectoryReq", &SoftUnlinkDirectoryReq{OwnerID: vDir, TargetID: vDir2, CreationTime: vTime, Name: "bkt"}, `
			0101000000000020 // OwnerId
			0202000000000020 // TargetId
			8877665544332211 // CreationTime (before Name here)
			03 626b74        // Name "bkt"`},
		{"SoftUnlinkDirectoryResp", &SoftUnlinkDirectoryResp{}, ``},
		{"CrossShardHardUnlinkFileReq", &CrossShardHardUnlinkFileReq{OwnerID: vDir, TargetID: vFile, Name: "k", CreationTime: vTime}, `
			0101000000000020 // OwnerId
			0512000000000040 // TargetId
			01 6b            // Name "k"
			8877665544332211 // CreationTime`},
		{"CrossShardHardUnlinkFileResp", &CrossShardHardUnlinkFileResp{}, ``},
	}
}

func registryVectors() []msgVector {
	shardAddrs := AddrsInfo{Addr1: IPPort{IP: [4]byte{10, 0, 0, 2}, Port: 0x1234}, Addr2: IPPort{IP: [4]byte{10, 0, 1, 2}, Port: 0x1235}}
	return []msgVector{
		{"LocalShardsReq", &LocalShardsReq{}, ``},
		{"LocalShardsResp", &LocalShardsResp{Shards: []ShardInfo{{Addrs: shardAddrs, LastSeen: vTime}}}, `
			0100             // Shards count
			0a000002 3412    //   Addr1 10.0.0.2:0x1234
			0a000102 3512    //   Addr2 10.0.1.2:0x1235
			8877665544332211 //   LastSeen`},
		{"LocalCDCReq", &LocalCDCReq{}, ``},
		{"LocalCDCResp", &LocalCDCResp{Addrs: shardAddrs, LastSeen: vTime}, `
			0a000002 3412    // Addr1
			0a000102 3512    // Addr2
			8877665544332211 // LastSeen`},
		{"InfoReq", &InfoReq{}, ``},
		{"InfoResp", &InfoResp{NumBlockServices: 1, NumFailureDomains: 2, Capacity: 3, Available: 4, Blocks: 5}, `
			01000000         // NumBlockServices
			02000000         // NumFailureDomains
			0300000000000000 // Capacity
			0400000000000000 // Available
			0500000000000000 // Blocks`},
		{"AllRegistryReplicasReq", &AllRegistryReplicasReq{}, ``},
		{"AllRegistryReplicasResp", &AllRegistryReplicasResp{Replicas: []RegistryReplica{{ID: 3, LocationID: 1, IsLeader: true,
			Addrs: AddrsInfo{Addr1: IPPort{IP: [4]byte{10, 0, 0, 3}, Port: 0x2222}}, LastSeen: vTime}}}, `
			0100             // Replicas count
			03               //   Id
			01               //   LocationId
			01               //   IsLeader
			0a000003 2222    //   Addr1
			00000000 0000    //   Addr2 absent
			8877665544332211 //   LastSeen`},
		{"ShardBlockServicesReq", &ShardBlockServicesReq{ShardID: 7}, `
			07 // ShardId`},
		{"ShardBlockServicesResp", &ShardBlockServicesResp{BlockServices: []BlockServiceInfoShort{
			{LocationID: 0, FailureDomain: fd("fd1"), ID: 0x99, StorageClass: StorageHDD}}}, `
			0100             // BlockServices count
			00               //   LocationId
			66643100000000000000000000000000 // FailureDomain "fd1"
			9900000000000000 //   Id
			02               //   StorageClass HDD`},
		{"LocalChangedBlockServicesReq", &LocalChangedBlockServicesReq{ChangedSince: vTime}, `
			8877665544332211 // ChangedSince`},
		{"LocalChangedBlockServicesResp", &LocalChangedBlockServicesResp{LastChange: vTime2,
			BlockServices: []BlockService{{Addrs: vAddrs, ID: 0x0102, Flags: BlockServiceStale | BlockServiceDecommissioned}}}, `
			0807060504030201 // LastChange
			0100             // BlockServices count
			0a000001 401f    //   Addr1
			00000000 0000    //   Addr2
			0201000000000000 //   Id
			09               //   Flags STALE|DECOMMISSIONED`},
	}
}

func blocksVectors() []msgVector {
	return []msgVector{
		{"WriteBlockReq", &WriteBlockReq{BlockID: vBlock, Crc: 0xdeadbeef, Size: 0x5000, Certificate: vCert}, `
			0cb1000000000000 // BlockId
			efbeadde         // Crc
			00500000         // Size
			a0a1a2a3a4a5a6a7 // Certificate`},
		{"WriteBlockResp", &WriteBlockResp{Proof: vProof}, `
			b0b1b2b3b4b5b6b7 // Proof`},
		{"FetchBlockWithCrcReq", &FetchBlockWithCrcReq{FileID: vFile, BlockID: vBlock, BlockCrc: 0xdeadbeef, Offset: 0x1000, Count: 0x2000}, `
			0512000000000040 // FileId
			0cb1000000000000 // BlockId
			efbeadde         // BlockCrc
			00100000         // Offset
			00200000         // Count`},
		{"FetchBlockWithCrcResp", &FetchBlockWithCrcResp{}, ``},
	}
}

func policyVectors() []msgVector {
	snap := &SnapshotPolicy{DeleteAfterVersions: 0x8003}
	snap.SetDeleteAfter(0x0102)
	return []msgVector{
		{"SnapshotPolicy", snap, `
			0201000000000080 // DeleteAfterTime 0x102 ns, active bit
			0380             // DeleteAfterVersions 3, active bit`},
		{"SpanPolicy", &SpanPolicy{Entries: []SpanPolicyEntry{{MaxSize: 4997120, Parity: 0x4a}, {MaxSize: 7495680, Parity: 0x42}}}, `
			0200             // Entries count
			00404c00 4a      //   MaxSize 4997120, Parity (10,4)
			00607200 42      //   MaxSize 7495680 (0x726000), Parity (2,4)`},
		{"BlockPolicy", &BlockPolicy{Entries: []BlockPolicyEntry{{StorageClass: StorageFlash, MinSize: 0}, {StorageClass: StorageHDD, MinSize: 0x262000}}}, `
			0200             // Entries count
			03 00000000      //   FLASH from 0
			02 00202600      //   HDD above 0x262000`},
		{"StripePolicy", &StripePolicy{TargetStripeSize: 1 << 20}, `
			00001000         // TargetStripeSize 1 MiB`},
	}
}

func allVectors() []msgVector {
	var all []msgVector
	for _, vs := range [][]msgVector{shardVectors(), cdcVectors(), registryVectors(), blocksVectors(), policyVectors()} {
		all = append(all, vs...)
	}
	return all
}

func TestMessageVectors(t *testing.T) {
	for _, v := range allVectors() {
		t.Run(v.name, func(t *testing.T) {
			want := wire(t, v.wire)
			got, err := Marshal(v.msg)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoding\n got %x\nwant %x", got, want)
			}
			back := reflect.New(reflect.TypeOf(v.msg).Elem()).Interface().(Message)
			if err := Unmarshal(want, back); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(back, v.msg) {
				t.Fatalf("decoded\n got %+v\nwant %+v", back, v.msg)
			}
			// Every strict prefix must fail cleanly, and so must an extra byte.
			for n := 0; n < len(want); n++ {
				fresh := reflect.New(reflect.TypeOf(v.msg).Elem()).Interface().(Message)
				if err := Unmarshal(want[:n], fresh); err == nil {
					t.Fatalf("prefix of %d/%d bytes decoded without error", n, len(want))
				}
			}
			fresh := reflect.New(reflect.TypeOf(v.msg).Elem()).Interface().(Message)
			if err := Unmarshal(append(append([]byte{}, want...), 0), fresh); err == nil {
				t.Fatal("trailing byte accepted")
			}
		})
	}
}

func TestMessageKinds(t *testing.T) {
	shard := map[ShardKind][]ShardRequest{
		0x01: {&LookupReq{}}, 0x02: {&StatFileReq{}}, 0x03: {&StatTransientFileReq{}}, 0x04: {&StatDirectoryReq{}},
		0x05: {&ReadDirReq{}}, 0x06: {&ConstructFileReq{}}, 0x07: {&AddSpanInitiateReq{}}, 0x08: {&AddSpanCertifyReq{}},
		0x09: {&LinkFileReq{}}, 0x0A: {&SoftUnlinkFileReq{}}, 0x0B: {&LocalFileSpansReq{}}, 0x0C: {&SameDirectoryRenameReq{}},
		0x0D: {&SetDirectoryInfoReq{}}, 0x10: {&AddInlineSpanReq{}}, 0x16: {&ScrapTransientFileReq{}},
		0x72: {&VisitTransientFilesReq{}}, 0x73: {&FullReadDirReq{}}, 0x74: {&RemoveNonOwnedEdgeReq{}}, 0x75: {&SameShardHardFileUnlinkReq{}},
		0x7A: {&RemoveInodeReq{}}, 0x7B: {&MoveSpanReq{}}, 0x7C: {&AddSpanInitiateWithReferenceReq{}},
		0x7F: {&SameDirectoryRenameSnapshotReq{}},
	}
	shardResps := []ShardResponse{&LookupResp{}, &StatFileResp{}, &StatTransientFileResp{}, &StatDirectoryResp{},
		&ReadDirResp{}, &ConstructFileResp{}, &AddSpanInitiateResp{}, &AddSpanCertifyResp{}, &LinkFileResp{},
		&SoftUnlinkFileResp{}, &LocalFileSpansResp{}, &SameDirectoryRenameResp{}, &SetDirectoryInfoResp{},
		&AddInlineSpanResp{}, &ScrapTransientFileResp{}, &VisitTransientFilesResp{}, &FullReadDirResp{},
		&SameShardHardFileUnlinkResp{}, &RemoveInodeResp{}, &MoveSpanResp{}, &AddSpanInitiateWithReferenceResp{},
		&RemoveNonOwnedEdgeResp{}, &SameDirectoryRenameSnapshotResp{}}
	seen := map[ShardKind]bool{}
	for kind, reqs := range shard {
		for _, r := range reqs {
			if r.ShardKind() != kind {
				t.Errorf("%T kind %#x, want %#x", r, r.ShardKind(), kind)
			}
			if kind&0x80 != 0 {
				t.Errorf("%T uses privileged kind %#x", r, kind)
			}
		}
	}
	for _, r := range shardResps {
		if _, ok := shard[r.ShardKind()]; !ok || seen[r.ShardKind()] {
			t.Errorf("%T kind %#x has no request or is duplicated", r, r.ShardKind())
		}
		seen[r.ShardKind()] = true
	}
	cdc := map[CDCKind]CDCRequest{1: &MakeDirectoryReq{}, 2: &RenameFileReq{}, 3: &SoftUnlinkDirectoryReq{}, 6: &CrossShardHardUnlinkFileReq{}}
	for kind, r := range cdc {
		if r.CDCKind() != kind {
			t.Errorf("%T kind %#x, want %#x", r, r.CDCKind(), kind)
		}
	}
	reg := map[RegistryKind]RegistryRequest{0x03: &LocalShardsReq{}, 0x07: &LocalCDCReq{}, 0x08: &InfoReq{},
		0x10: &AllRegistryReplicasReq{}, 0x18: &ShardBlockServicesReq{}, 0x22: &LocalChangedBlockServicesReq{}}
	for kind, r := range reg {
		if r.RegistryKind() != kind {
			t.Errorf("%T kind %#x, want %#x", r, r.RegistryKind(), kind)
		}
	}
	if (&WriteBlockReq{}).BlocksKind() != 3 || (&FetchBlockWithCrcReq{}).BlocksKind() != 4 {
		t.Error("block kinds")
	}
	for _, m := range []interface {
		Message
		WireSize() int
	}{&WriteBlockReq{}, &WriteBlockResp{}, &FetchBlockWithCrcReq{}, &FetchBlockWithCrcResp{}} {
		b, _ := Marshal(m)
		if len(b) != m.WireSize() {
			t.Errorf("%T encodes to %d bytes, WireSize says %d", m, len(b), m.WireSize())
		}
	}
}

func TestFetchedSpanRejectsEmptyStorage(t *testing.T) {
	in := wire(t, `
		0000000000000000 // NextOffset
		0000             // no block services
		0100             // one span
		0000000000000000 03000000 44332211 // header
		00               // StorageClass EMPTY: not allowed here`)
	if err := Unmarshal(in, &LocalFileSpansResp{}); err == nil {
		t.Fatal("EMPTY span decoded")
	}
	if _, err := Marshal(&LocalFileSpansResp{Spans: []FetchedSpan{{StorageClass: StorageEmpty}}}); err == nil {
		t.Fatal("EMPTY span encoded")
	}
}

// TestRootStatDirectoryFromRealCluster decodes the StatDirectory response
// body a real cluster (upstream 3eb40cfe, fresh, leader-only) sent for the
// root directory: its default policies, byte for byte. It shows upstream's
// default SPAN policy as it really is: every entry after the first carries
// MaxSize 2,498,560, so the entries are not in increasing order.
func TestRootStatDirectoryFromRealCluster(t *testing.T) {
	body := wire(t, `
		57479e86350fea18          // mtime
		0000000000000000          // owner: none (root)
		0400                      // 4 policies
		01 0a 0000420769350980 0000                  // SNAPSHOT: 30 days | active, versions 0
		03 0c 0200 03 00000000 02 00202600           // BLOCK: FLASH from 0, HDD above 2,498,560
		02 34 0a00 00404c00 4a                       // SPAN: 10 entries; 4,997,120 at (10,4)
		   00202600 42  00202600 43  00202600 44  00202600 45  00202600 46
		   00202600 47  00202600 48  00202600 49  00202600 4a
		04 04 00001000                               // STRIPE: 1 MiB
	`)
	var resp StatDirectoryResp
	if err := Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Owner != NullInode || len(resp.Info.Entries) != 4 {
		t.Fatalf("%+v", resp)
	}
	var snap SnapshotPolicy
	var span SpanPolicy
	var block BlockPolicy
	var stripe StripePolicy
	for _, p := range []Policy{&snap, &span, &block, &stripe} {
		if ok, err := resp.Info.Lookup(p); !ok || err != nil {
			t.Fatalf("policy %d: %v %v", p.Tag(), ok, err)
		}
	}
	if d, ok := snap.DeleteAfter(); !ok || d != 30*24*time.Hour || snap.DeleteAfterVersions != 0 {
		t.Errorf("snapshot policy %+v", snap)
	}
	if len(span.Entries) != 10 || span.Entries[0] != (SpanPolicyEntry{MaxSize: 4997120, Parity: 0x4a}) {
		t.Errorf("span policy %+v", span)
	}
	for i, entry := range span.Entries[1:] {
		if entry.MaxSize != 2498560 || entry.Parity.DataBlocks() != i+2 || entry.Parity.ParityBlocks() != 4 {
			t.Errorf("span entry %d: %+v", i+1, entry)
		}
	}
	// Upstream's writers pick (10,4) for every span up to the last
	// entry's MaxSize and refuse anything larger, as Pick does.
	for _, size := range []uint32{1, 1 << 20, 2498560} {
		if got, ok := span.Pick(size); !ok || got != 0x4a {
			t.Errorf("Pick(%d) = %v %v, want (10,4)", size, got, ok)
		}
	}
	if _, ok := span.Pick(2498561); ok {
		t.Error("Pick above the last entry's MaxSize succeeded")
	}
	if len(block.Entries) != 2 || block.Entries[1] != (BlockPolicyEntry{StorageClass: StorageHDD, MinSize: 2498560}) {
		t.Errorf("block policy %+v", block)
	}
	if stripe.TargetStripeSize != 1<<20 {
		t.Errorf("stripe policy %+v", stripe)
	}
	again, err := Marshal(&resp)
	if err != nil || !bytes.Equal(again, body) {
		t.Fatalf("re-encoded %x, want %x (%v)", again, body, err)
	}
}
