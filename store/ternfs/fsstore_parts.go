package ternfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/terngate/terngate/store"
)

// errProofsUnknown: a part file's span files and block proofs live only in
// the memory of the process that wrote them (they are not persisted yet).
var errProofsUnknown = fmt.Errorf("ternfs: span proofs of this part file are unknown to this process (lost at restart): %w", store.ErrNotFound)

// partFile is what this process knows about a transient file whose note
// starts with "mpu:": the span files holding its appended data, in order,
// not yet moved onto it.
type partFile struct {
	note string

	op    sync.Mutex // serialises appends and moves, held across their I/O
	mu    sync.Mutex // guards spans (and their span fields) only briefly
	spans []*spanFile
}

// spanFile is one uncertified span in a transient file of its own. Its
// proofs must stay paired with its block ids: the shard would accept them
// for any span (doc §9).
type spanFile struct {
	id     InodeID
	cookie Cookie
	span   *WrittenSpan // nil until its blocks are written

	moved bool   // MoveSpan succeeded: the span is at the destination
	at    uint64 // its offset in the destination once moved
}

func (s *Store) part(id InodeID) *partFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.parts[id]
}

func (s *Store) forget(id InodeID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.parts, id)
}

// snapshot is the part's pending span files.
func (p *partFile) snapshot() []*spanFile {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*spanFile(nil), p.spans...)
}

// pendingSize is how many bytes wait in span files.
func (p *partFile) pendingSize() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n int64
	for _, sf := range p.spans {
		if sf.span != nil {
			n += int64(sf.span.Size)
		}
	}
	return n
}

// appendPart writes each span of r, uncertified, into a new transient file
// on the part's shard (with the part's note, so sweepers can recognise it
// after a restart) and keeps its proofs.
func (s *Store) appendPart(ctx context.Context, t store.Transient, part *partFile, r io.Reader) (int64, error) {
	part.op.Lock()
	defer part.op.Unlock()
	head := InodeID(t.ID)
	var written int64
	err := s.eachSpan(r, func(data []byte) error {
		f, err := s.client.ConstructFile(ctx, head.Shard(), part.note)
		if err != nil {
			return err
		}
		sf := &spanFile{id: f.ID, cookie: f.Cookie}
		part.mu.Lock()
		part.spans = append(part.spans, sf) // before any block I/O: Scrap finds it
		part.mu.Unlock()
		ws, err := s.writeSpanUncertified(ctx, f.ID, f.Cookie, data)
		if err != nil {
			return err
		}
		part.mu.Lock()
		sf.span = ws
		part.mu.Unlock()
		written += int64(len(data))
		return nil
	})
	return written, err
}

// writeSpanUncertified writes data as the DIRTY first span of an empty
// file. Spans of 255 bytes or less, which the client would write inline,
// become tiny block spans: inline spans can never be moved (doc §9).
func (s *Store) writeSpanUncertified(ctx context.Context, file InodeID, cookie Cookie, data []byte) (*WrittenSpan, error) {
	if len(data) > MaxInlineSpan {
		return s.client.WriteSpanUncertified(ctx, file, cookie, 0, data, s.policies)
	}
	layout, err := ComputeSpanLayout(s.policies, uint32(len(data)))
	if err != nil {
		return nil, err
	}
	enc, err := EncodeSpan(layout, data)
	if err != nil {
		return nil, err
	}
	req := &AddSpanInitiateWithReferenceReq{
		Req: AddSpanInitiateReq{
			FileID: file, Cookie: cookie, Size: enc.Size, Crc: enc.Crc,
			StorageClass: layout.StorageClass, Parity: layout.Parity, Stripes: layout.Stripes,
			CellSize: layout.CellSize, Crcs: enc.CellCrcs,
		},
		Reference: file,
	}
	var resp AddSpanInitiateWithReferenceResp
	if err := s.client.ShardRequest(ctx, file.Shard(), req, &resp); err != nil {
		return nil, fmt.Errorf("initiate tiny span of %v: %w", file, err)
	}
	if len(resp.Resp.Blocks) != layout.Parity.Blocks() {
		return nil, fmt.Errorf("initiate tiny span of %v: %w: %d blocks for parity %v", file, ErrMalformed, len(resp.Resp.Blocks), layout.Parity)
	}
	proofs, _, err := s.client.writeSpanBlocks(ctx, resp.Resp.Blocks, enc)
	if err != nil {
		return nil, fmt.Errorf("write tiny span of %v: %w", file, err)
	}
	return &WrittenSpan{Size: enc.Size, Crc: enc.Crc, Proofs: proofs}, nil
}

// MoveData moves src's bytes onto the end of dst span by span: MoveSpan of
// each span file onto dst, a check that the span that arrived is the one
// whose proofs we hold, then AddSpanCertify there. A src that is not a
// part file written by this process can only be moved when it is empty.
func (s *Store) MoveData(ctx context.Context, dst, src store.Transient) error {
	if dst.ID == src.ID {
		return fmt.Errorf("move data: %v onto itself", InodeID(dst.ID))
	}
	dstID, err := fileID(dst.ID)
	if err != nil {
		return err
	}
	srcID, err := fileID(src.ID)
	if err != nil {
		return err
	}
	if dstID.Shard() != srcID.Shard() {
		return fmt.Errorf("move data from %v to %v: %w: files on different shards", srcID, dstID, ErrMalformed)
	}
	if part := s.part(dstID); part != nil {
		if err := s.settle(ctx, dst, part); err != nil {
			return err
		}
	}
	part := s.part(srcID)
	if part == nil {
		st, err := s.client.StatTransientFile(ctx, srcID)
		if err != nil {
			return fmt.Errorf("move data from %v: %w", srcID, err)
		}
		if st.Size == 0 {
			return nil
		}
		return fmt.Errorf("move data from %v: %w", srcID, errProofsUnknown)
	}
	if err := s.moveSpans(ctx, dst, part); err != nil {
		return fmt.Errorf("move data from %v to %v: %w", srcID, dstID, err)
	}
	return nil
}

// settle moves a part file's own pending span files onto it, so that its
// data is in the file itself (before LinkFile, or before more is moved
// onto it).
func (s *Store) settle(ctx context.Context, t store.Transient, part *partFile) error {
	if err := s.moveSpans(ctx, t, part); err != nil {
		return fmt.Errorf("settle %v: %w", InodeID(t.ID), err)
	}
	return nil
}

// moveSpans moves part's pending span files onto the end of dst, in order.
// Progress is kept per span file, so a retry after a failure resumes
// (certifying a span already moved) instead of moving twice.
func (s *Store) moveSpans(ctx context.Context, dst store.Transient, part *partFile) error {
	part.op.Lock()
	defer part.op.Unlock()
	if len(part.snapshot()) == 0 {
		return nil
	}
	dstID, dstCookie := InodeID(dst.ID), cookieOf(dst)
	st, err := s.client.StatTransientFile(ctx, dstID)
	if err != nil {
		return err
	}
	end := st.Size
	for {
		pending := part.snapshot()
		if len(pending) == 0 {
			return nil
		}
		sf := pending[0] // only moveSpans changes span files, under op
		if sf.span == nil {
			return fmt.Errorf("span file %v: %w: its blocks were never written", sf.id, ErrMalformed)
		}
		if !sf.moved {
			if err := s.client.MoveSpan(ctx, sf.span.Size, sf.id, 0, sf.cookie, dstID, end, dstCookie); err != nil {
				return err
			}
			sf.moved, sf.at = true, end
		}
		if err := s.checkMovedSpan(ctx, dstID, sf); err != nil {
			return err
		}
		ws := *sf.span
		ws.Offset = sf.at
		if err := s.client.CertifySpan(ctx, dstID, dstCookie, &ws); err != nil {
			return fmt.Errorf("certify span at %d of %v: %w", sf.at, dstID, err)
		}
		end = sf.at + uint64(ws.Size)
		part.mu.Lock()
		part.spans = part.spans[1:]
		part.mu.Unlock()
		// The emptied span file: drop it now rather than at its deadline.
		if err := s.client.ScrapTransientFile(ctx, sf.id, sf.cookie); err == nil {
			s.dropIfEmpty(ctx, sf.id)
		}
	}
}

// checkMovedSpan makes sure the span now at sf.at of dst is the one sf's
// proofs belong to: the shard checks a proof against its block id only,
// never against the span it certifies.
func (s *Store) checkMovedSpan(ctx context.Context, dst InodeID, sf *spanFile) error {
	got, err := s.client.SpanAt(ctx, dst, sf.at)
	if err != nil {
		return err
	}
	want := sf.span
	mismatch := got.ByteOffset != sf.at || got.Size != want.Size || got.Crc != want.Crc ||
		got.StorageClass == StorageInline || len(got.Blocks.Blocks) != len(want.Proofs)
	for i := 0; !mismatch && i < len(want.Proofs); i++ {
		mismatch = got.Blocks.Blocks[i].BlockID != want.Proofs[i].BlockID
	}
	if mismatch {
		return fmt.Errorf("span at %d of %v is not the one moved from %v: %w", sf.at, dst, sf.id, errSpanMismatch)
	}
	return nil
}

var errSpanMismatch = errors.New("ternfs: span blocks do not match the kept proofs")
