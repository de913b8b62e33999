package ternfs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/client"
)

// Journal keeps what the store must remember about a part file's spans
// between UploadPart and Complete: each span's transient file, cookie and
// block proofs. The shard cannot give proofs back, so without the journal a
// part could only be completed by the process that wrote it. Gateways that
// share a cluster share a journal (the multipart tracker's Redis), so any
// of them can complete an upload whose parts another one received, also
// after restarts.
//
// A record is a set of fields; the store writes each span's field before
// any of its blocks is written, then again when its proofs are known and
// when it has been certified at its destination.
type Journal interface {
	// Put sets fields of record key, all or none, creating the record.
	Put(ctx context.Context, key string, fields map[string][]byte) error
	// Load returns every field of record key; none when it is unknown.
	Load(ctx context.Context, key string) (map[string][]byte, error)
	// Delete forgets record key.
	Delete(ctx context.Context, key string) error
}

// MemoryJournal is a Journal in this process's memory: parts can then be
// completed only by the process that wrote them, and not after a restart.
// It is what Open uses when Options.Journal is nil.
type MemoryJournal struct {
	mu      sync.Mutex
	records map[string]map[string][]byte
}

// NewMemoryJournal returns an empty MemoryJournal.
func NewMemoryJournal() *MemoryJournal {
	return &MemoryJournal{records: make(map[string]map[string][]byte)}
}

func (j *MemoryJournal) Put(_ context.Context, key string, fields map[string][]byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := j.records[key]
	if r == nil {
		r = make(map[string][]byte)
		j.records[key] = r
	}
	for f, v := range fields {
		r[f] = slices.Clone(v)
	}
	return nil
}

func (j *MemoryJournal) Load(_ context.Context, key string) (map[string][]byte, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return maps.Clone(j.records[key]), nil
}

func (j *MemoryJournal) Delete(_ context.Context, key string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.records, key)
	return nil
}

// spanState is how far a part's span has come.
type spanState uint8

const (
	// spanConstructed: its span file exists; blocks may have been written
	// but the proofs are unknown. Only scrapping it is left.
	spanConstructed spanState = iota + 1
	// spanWritten: its blocks are written and their proofs kept; the span
	// waits, DIRTY, in its span file (or has been moved, not certified).
	spanWritten
	// spanInline: a tail of at most MaxInlineSpan bytes kept in the record
	// itself; it is added inline at the destination (inline spans cannot
	// be moved).
	spanInline
	// spanDone: it is certified (or added) at its destination, At.
	spanDone
	// spanHandedOver: its record was handed to the destination's journal
	// (a part's last span ending off a page boundary waits there for what
	// follows, see MoveData); the destination owns its span file now.
	spanHandedOver
)

// spanRecord is one span of a part file, as journaled.
type spanRecord struct {
	State  spanState
	File   wire.InodeID // the span file (zero for inline tails)
	Cookie wire.Cookie
	Size   uint32
	Crc    wire.Crc
	Proofs []wire.BlockProof // one per block, in block order
	Body   []byte            // inline tails only
	At     uint64            // offset at the destination, once done
}

func (r *spanRecord) Pack(e *wire.Encoder) {
	e.U8(uint8(r.State))
	e.U64(uint64(r.File))
	e.Fixed(r.Cookie[:])
	e.U32(r.Size)
	e.U32(uint32(r.Crc))
	wire.PackList(e, r.Proofs)
	e.Bytes8(r.Body)
	e.U64(r.At)
}

func (r *spanRecord) Unpack(d *wire.Decoder) {
	r.State = spanState(d.U8())
	r.File = wire.InodeID(d.U64())
	d.Fixed(r.Cookie[:])
	r.Size = d.U32()
	r.Crc = wire.Crc(d.U32())
	r.Proofs = wire.UnpackList[wire.BlockProof](d)
	r.Body = d.Bytes8()
	r.At = d.U64()
}

func (r *spanRecord) encode() []byte {
	e := wire.NewEncoder(nil)
	r.Pack(e)
	return e.Bytes()
}

func decodeSpanRecord(b []byte) (spanRecord, error) {
	var r spanRecord
	d := wire.NewDecoder(b)
	r.Unpack(d)
	if err := d.Err(); err != nil {
		return spanRecord{}, err
	}
	if d.Remaining() != 0 || r.State < spanConstructed || r.State > spanHandedOver {
		return spanRecord{}, fmt.Errorf("%w: span record of %d bytes, state %d", wire.ErrMalformed, len(b), r.State)
	}
	return r, nil
}

// written is the span as WriteSpanUncertified reported it, at offset at.
func (r *spanRecord) written(at uint64) *client.WrittenSpan {
	return &client.WrittenSpan{Offset: at, Size: r.Size, Crc: r.Crc, Proofs: r.Proofs}
}

// journalKey names a part file's record.
func journalKey(part wire.InodeID) string { return fmt.Sprintf("ternfs-part:%016x", uint64(part)) }

// spanField names a span's field; zero-padded so fields sort in span order.
func spanField(index int) string { return fmt.Sprintf("%06d", index) }

// consumedField marks, in a destination's record, a source part whose
// data is in the destination's spans (copied or handed over), so that a
// repeated MoveData of it does nothing.
func consumedField(src wire.InodeID) string { return fmt.Sprintf("c:%016x", uint64(src)) }

// journalEntry is a part file's record: its spans in order and the
// sources it consumed.
type journalEntry struct {
	spans    []spanRecord
	consumed map[string]bool // consumedField names
}

// loadJournal reads a part file's record.
func (s *Store) loadJournal(ctx context.Context, part wire.InodeID) (journalEntry, error) {
	fields, err := s.journal.Load(ctx, journalKey(part))
	if err != nil {
		return journalEntry{}, fmt.Errorf("load span journal of %v: %w", part, err)
	}
	e := journalEntry{consumed: map[string]bool{}}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if strings.HasPrefix(name, "c:") {
			e.consumed[name] = true
			continue
		}
		i := len(e.spans)
		if name != spanField(i) {
			return journalEntry{}, fmt.Errorf("span journal of %v: %w: field %q at %d", part, wire.ErrMalformed, name, i)
		}
		r, err := decodeSpanRecord(fields[name])
		if err != nil {
			return journalEntry{}, fmt.Errorf("span journal of %v, span %d: %w", part, i, err)
		}
		e.spans = append(e.spans, r)
	}
	return e, nil
}

// loadSpans reads a part file's span records in order.
func (s *Store) loadSpans(ctx context.Context, part wire.InodeID) ([]spanRecord, error) {
	e, err := s.loadJournal(ctx, part)
	return e.spans, err
}

// putSpan journals span index of a part file.
func (s *Store) putSpan(ctx context.Context, part wire.InodeID, index int, r *spanRecord) error {
	if err := s.journal.Put(ctx, journalKey(part), map[string][]byte{spanField(index): r.encode()}); err != nil {
		return fmt.Errorf("journal span %d of %v: %w", index, part, err)
	}
	return nil
}
