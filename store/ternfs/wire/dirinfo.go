package wire

import (
	"fmt"
	"time"
)

// DirectoryInfoTag identifies a directory policy.
type DirectoryInfoTag uint8

const (
	TagSnapshotPolicy DirectoryInfoTag = 1
	TagSpanPolicy     DirectoryInfoTag = 2
	TagBlockPolicy    DirectoryInfoTag = 3
	TagStripePolicy   DirectoryInfoTag = 4
)

// DirectoryInfoEntry is one policy: a tag and its bincode body (at most 255
// bytes). A tag missing from a directory is inherited from its owner.
type DirectoryInfoEntry struct {
	Tag  DirectoryInfoTag
	Body []byte
}

// DirectoryInfo is the list of a directory's own policies.
type DirectoryInfo struct {
	Entries []DirectoryInfoEntry
}

func (m *DirectoryInfoEntry) Pack(e *Encoder) { e.U8(uint8(m.Tag)); e.Bytes8(m.Body) }
func (m *DirectoryInfoEntry) Unpack(d *Decoder) {
	m.Tag = DirectoryInfoTag(d.U8())
	m.Body = d.Bytes8()
}
func (m *DirectoryInfo) Pack(e *Encoder)   { PackList(e, m.Entries) }
func (m *DirectoryInfo) Unpack(d *Decoder) { m.Entries = UnpackList[DirectoryInfoEntry](d) }

// Policy is a typed directory policy.
type Policy interface {
	Message
	Tag() DirectoryInfoTag
}

// Lookup decodes the entry for p's tag into p; it reports false if the
// directory does not set that policy itself.
func (info *DirectoryInfo) Lookup(p Policy) (bool, error) {
	for _, entry := range info.Entries {
		if entry.Tag == p.Tag() {
			if err := Unmarshal(entry.Body, p); err != nil {
				return false, fmt.Errorf("directory policy %d: %w", p.Tag(), err)
			}
			return true, nil
		}
	}
	return false, nil
}

// Set replaces or adds p's entry.
func (info *DirectoryInfo) Set(p Policy) error {
	body, err := Marshal(p)
	if err != nil {
		return err
	}
	if len(body) > MaxBytesLen {
		return fmt.Errorf("directory policy %d: %w: %d bytes", p.Tag(), ErrTooLong, len(body))
	}
	for i := range info.Entries {
		if info.Entries[i].Tag == p.Tag() {
			info.Entries[i].Body = body
			return nil
		}
	}
	info.Entries = append(info.Entries, DirectoryInfoEntry{Tag: p.Tag(), Body: body})
	return nil
}

// SnapshotPolicy says how long replaced and deleted files are kept. Each
// field's top bit marks it active.
type SnapshotPolicy struct {
	DeleteAfterTime     uint64 // nanoseconds | 1<<63 when active
	DeleteAfterVersions uint16 // versions | 1<<15 when active
}

// DeleteAfter returns the active time limit, if any.
func (p *SnapshotPolicy) DeleteAfter() (time.Duration, bool) {
	return time.Duration(p.DeleteAfterTime &^ (1 << 63)), p.DeleteAfterTime>>63 == 1
}

// SetDeleteAfter activates the time limit.
func (p *SnapshotPolicy) SetDeleteAfter(d time.Duration) {
	p.DeleteAfterTime = uint64(d) | 1<<63
}

func (*SnapshotPolicy) Tag() DirectoryInfoTag { return TagSnapshotPolicy }
func (p *SnapshotPolicy) Pack(e *Encoder) {
	e.U64(p.DeleteAfterTime)
	e.U16(p.DeleteAfterVersions)
}
func (p *SnapshotPolicy) Unpack(d *Decoder) {
	p.DeleteAfterTime = d.U64()
	p.DeleteAfterVersions = d.U16()
}

// SpanPolicyEntry: spans up to MaxSize bytes use Parity.
type SpanPolicyEntry struct {
	MaxSize uint32
	Parity  Parity
}

// SpanPolicy lists span sizes in increasing order.
type SpanPolicy struct {
	Entries []SpanPolicyEntry
}

// Pick returns the parity for a span of size bytes, exactly as upstream's
// writers choose it: false above the last entry's MaxSize; otherwise the
// entry after the last one (scanning from the end) whose MaxSize is below
// size, else the first entry. For entries in increasing order that is the
// first entry holding size; it also gives upstream's answer for the
// unordered SPAN policy a fresh cluster's root really carries (see
// TestRootStatDirectoryFromRealCluster).
func (p *SpanPolicy) Pick(size uint32) (Parity, bool) {
	n := len(p.Entries)
	if n == 0 || size > p.Entries[n-1].MaxSize {
		return 0, false
	}
	for i := n - 2; i >= 0; i-- {
		if size > p.Entries[i].MaxSize {
			return p.Entries[i+1].Parity, true
		}
	}
	return p.Entries[0].Parity, true
}

func (m *SpanPolicyEntry) Pack(e *Encoder)   { e.U32(m.MaxSize); e.U8(uint8(m.Parity)) }
func (m *SpanPolicyEntry) Unpack(d *Decoder) { m.MaxSize = d.U32(); m.Parity = Parity(d.U8()) }
func (*SpanPolicy) Tag() DirectoryInfoTag    { return TagSpanPolicy }
func (p *SpanPolicy) Pack(e *Encoder)        { PackList(e, p.Entries) }
func (p *SpanPolicy) Unpack(d *Decoder)      { p.Entries = UnpackList[SpanPolicyEntry](d) }

// BlockPolicyEntry: blocks larger than MinSize go to StorageClass.
type BlockPolicyEntry struct {
	StorageClass StorageClass
	MinSize      uint32
}

// BlockPolicy lists storage classes by increasing block size.
type BlockPolicy struct {
	Entries []BlockPolicyEntry
}

// Pick returns the storage class of the last entry whose MinSize is below
// blockSize, or the first entry's.
func (p *BlockPolicy) Pick(blockSize uint32) StorageClass {
	for i := len(p.Entries) - 1; i >= 0; i-- {
		if blockSize > p.Entries[i].MinSize {
			return p.Entries[i].StorageClass
		}
	}
	if len(p.Entries) == 0 {
		return StorageEmpty
	}
	return p.Entries[0].StorageClass
}

func (m *BlockPolicyEntry) Pack(e *Encoder) { e.U8(uint8(m.StorageClass)); e.U32(m.MinSize) }
func (m *BlockPolicyEntry) Unpack(d *Decoder) {
	m.StorageClass = StorageClass(d.U8())
	m.MinSize = d.U32()
}
func (*BlockPolicy) Tag() DirectoryInfoTag { return TagBlockPolicy }
func (p *BlockPolicy) Pack(e *Encoder)     { PackList(e, p.Entries) }
func (p *BlockPolicy) Unpack(d *Decoder)   { p.Entries = UnpackList[BlockPolicyEntry](d) }

// StripePolicy sets the target stripe size of block spans.
type StripePolicy struct {
	TargetStripeSize uint32
}

// Stripes is the stripe count for a span: size/target clamped to [1, 15].
func (p *StripePolicy) Stripes(spanSize uint32) uint8 {
	s := uint32(1)
	if p.TargetStripeSize > 0 {
		s = max(1, min(15, spanSize/p.TargetStripeSize))
	}
	return uint8(s)
}

func (*StripePolicy) Tag() DirectoryInfoTag { return TagStripePolicy }
func (p *StripePolicy) Pack(e *Encoder)     { e.U32(p.TargetStripeSize) }
func (p *StripePolicy) Unpack(d *Decoder)   { p.TargetStripeSize = d.U32() }
