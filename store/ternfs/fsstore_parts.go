package ternfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// partNotePrefix marks transient files written span by span into files of
// their own so that MoveData can move them (see Store).
const partNotePrefix = "mpu:"

var (
	// errProofsUnknown: a part file holds data but the journal has no
	// record of its spans (a journal that was lost, or one not shared by
	// the gateway that wrote the part).
	errProofsUnknown = fmt.Errorf("ternfs: the span journal has no record of this part file's spans: %w", store.ErrNotFound)
	// errSpanLost: a span file is gone before its span was moved (past its
	// deadline, or scrapped by an abort).
	errSpanLost = fmt.Errorf("ternfs: a span file of the part is gone: %w", store.ErrNotFound)
	// errSpanUnwritten: the part's writer died before the span's blocks
	// were all written.
	errSpanUnwritten = fmt.Errorf("ternfs: a span of the part was never completely written: %w", store.ErrNotFound)
	errSpanMismatch  = errors.New("ternfs: span blocks do not match the kept proofs")
)

// localFile is what this process knows about a transient file it created.
// Files created by other gateways are unknown here; for them the journal
// is the only record.
type localFile struct {
	note  string
	part  bool       // note starts with partNotePrefix: spans go to span files
	op    sync.Mutex // serialises appends and moves of the file in this process
	spans int        // spans appendPart journaled so far (the next index)
	// journaled: the journal may hold records of the file (guarded by
	// Store.mu).
	journaled bool
	// size is the file's size while sizeKnown (guarded by op): every
	// byte of a file this process created went through Append here, so
	// neither Append nor LinkFile has to ask the shard for it.
	size      int64
	sizeKnown bool
}

func (s *Store) local(id wire.InodeID) *localFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.parts[id]
}

func (s *Store) remember(id wire.InodeID, note string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	part := strings.HasPrefix(note, partNotePrefix)
	s.parts[id] = &localFile{note: note, part: part, sizeKnown: !part}
}

// forgetSize stops trusting the remembered size of id: something other
// than Append changes it.
func (s *Store) forgetSize(id wire.InodeID) {
	if lf := s.local(id); lf != nil {
		lf.op.Lock()
		lf.sizeKnown = false
		lf.op.Unlock()
	}
}

func (s *Store) forget(id wire.InodeID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.parts, id)
}

// mayHaveSpans reports whether the journal can hold span records of id: a
// part file of this process that was appended to, or any file this process
// did not create.
func (s *Store) mayHaveSpans(id wire.InodeID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	lf := s.parts[id]
	return lf == nil || lf.journaled
}

// appendPart writes each span of r, uncertified, into a new transient file
// on the part's shard (with the part's note, so it is recognisable after a
// restart) and journals it: first the span file, before any block is
// written, so that no span file can leak, then its proofs. A short tail is
// journaled with its bytes instead (see spanInline).
func (s *Store) appendPart(ctx context.Context, t store.Transient, lf *localFile, r io.Reader) (int64, error) {
	lf.op.Lock()
	defer lf.op.Unlock()
	head := wire.InodeID(t.ID)
	var written int64
	err := s.eachSpan(ctx, r, func(data []byte) error {
		index := lf.spans
		var rec spanRecord
		if len(data) <= span.MaxInlineSpan {
			rec = spanRecord{State: spanInline, Size: uint32(len(data)), Crc: span.CrcOf(data), Body: slices.Clone(data)}
		} else {
			f, err := s.client.ConstructFile(ctx, head.Shard(), s.scopedNote(lf.note))
			if err != nil {
				return err
			}
			rec = spanRecord{State: spanConstructed, File: f.ID, Cookie: f.Cookie}
			if err := s.putSpan(ctx, head, index, &rec); err != nil {
				return err
			}
			lf.spans++ // journaled: scrapping the part finds it
			s.markJournaled(head)
			ws, err := s.client.WriteSpanUncertified(ctx, f.ID, f.Cookie, 0, data, s.policies)
			if err != nil {
				return err
			}
			rec.State, rec.Size, rec.Crc, rec.Proofs = spanWritten, ws.Size, ws.Crc, ws.Proofs
		}
		if err := s.putSpan(ctx, head, index, &rec); err != nil {
			return err
		}
		if rec.State == spanInline {
			lf.spans++
			s.markJournaled(head)
		}
		written += int64(len(data))
		return nil
	})
	return written, err
}

// MoveData moves src's bytes onto the end of dst span by span: MoveSpan of
// each span file onto dst, a check that the span that arrived is the one
// whose proofs were journaled, then AddSpanCertify there. Progress is
// journaled span by span, so a MoveData interrupted anywhere (by a crash
// of this or another gateway) is finished by calling it again.
func (s *Store) MoveData(ctx context.Context, dst, src store.Transient) error {
	if dst.ID == src.ID {
		return fmt.Errorf("move data: %v onto itself", wire.InodeID(dst.ID))
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
		return fmt.Errorf("move data from %v to %v: %w: files on different shards", srcID, dstID, wire.ErrMalformed)
	}
	s.forgetSize(dstID) // moves grow it without Append
	var dstJournal journalEntry
	if s.mayHaveSpans(dstID) {
		if dstJournal, err = s.loadJournal(ctx, dstID); err != nil {
			return err
		}
	}
	if dstJournal.consumed[consumedField(srcID)] {
		return nil // an interrupted call copied or handed it over already
	}
	spans, err := s.loadSpans(ctx, srcID)
	if err != nil {
		return err
	}
	if len(spans) == 0 {
		st, err := s.client.StatTransientFile(ctx, srcID)
		if err != nil {
			return fmt.Errorf("move data from %v: %w", srcID, err)
		}
		if st.Size == 0 {
			return nil
		}
		return fmt.Errorf("move data from %v: %w", srcID, errProofsUnknown)
	}
	if !slices.ContainsFunc(spans, waiting) {
		return nil // moved already
	}
	if tail := unalignedTail(dstJournal.spans); tail >= 0 {
		// dst's data ends off a page boundary, where no span can start:
		// from that span on, the data is rewritten (copyOnto).
		if err := s.moveSpans(ctx, dst, dstID, dstJournal.spans[:tail]); err != nil {
			return fmt.Errorf("settle %v: %w", dstID, err)
		}
		if err := s.copyOnto(ctx, dst, dstJournal.spans, tail, srcID, spans); err != nil {
			return fmt.Errorf("copy data of %v onto %v: %w", srcID, dstID, err)
		}
		return nil
	}
	if err := s.moveSpans(ctx, dst, dstID, dstJournal.spans); err != nil {
		return fmt.Errorf("settle %v: %w", dstID, err)
	}
	if err := s.moveSpans(ctx, dst, srcID, spans); err != nil {
		return fmt.Errorf("move data from %v to %v: %w", srcID, dstID, err)
	}
	return nil
}

// settle moves a part file's own journaled spans onto it, so that its
// data is in the file itself (before LinkFile, or before more is moved
// onto it).
func (s *Store) settle(ctx context.Context, t store.Transient) error {
	id := wire.InodeID(t.ID)
	if !s.mayHaveSpans(id) {
		return nil
	}
	spans, err := s.loadSpans(ctx, id)
	if err != nil {
		return err
	}
	if err := s.moveSpans(ctx, t, id, spans); err != nil {
		return fmt.Errorf("settle %v: %w", id, err)
	}
	return nil
}

// moveSpans moves src's journaled spans that are not done yet onto the
// end of dst, in order. Where a span is is read from the files, not
// assumed: a span whose file is already empty was moved by an interrupted
// call and is the last span of dst, so it is checked and certified there
// (certifying again is harmless).
func (s *Store) moveSpans(ctx context.Context, dst store.Transient, src wire.InodeID, spans []spanRecord) error {
	if !slices.ContainsFunc(spans, waiting) {
		return nil
	}
	if lf := s.local(src); lf != nil {
		lf.op.Lock()
		defer lf.op.Unlock()
	}
	dstID, dstCookie := wire.InodeID(dst.ID), cookieOf(dst)
	st, err := s.client.StatTransientFile(ctx, dstID)
	if err != nil {
		return err
	}
	end := st.Size
	for i := range spans {
		rec := &spans[i]
		if src != dstID && i == len(spans)-1 && rec.Size%span.PageSize != 0 &&
			(rec.State == spanWritten || rec.State == spanInline || rec.State == spanHandedOver) {
			// What follows it could not start where it ends: it waits in
			// dst's journal, moved by dst's next MoveData or LinkFile.
			return s.handOver(ctx, dstID, src, i, rec)
		}
		var at uint64
		switch rec.State {
		case spanDone, spanHandedOver:
			continue
		case spanConstructed:
			return fmt.Errorf("span %d (file %v): %w", i, rec.File, errSpanUnwritten)
		case spanInline:
			if at, err = s.addInline(ctx, dstID, dstCookie, end, rec); err != nil {
				return fmt.Errorf("span %d: %w", i, err)
			}
		case spanWritten:
			if at, err = s.moveSpan(ctx, dstID, dstCookie, end, rec); err != nil {
				return fmt.Errorf("span %d (file %v): %w", i, rec.File, err)
			}
		}
		end = at + uint64(rec.Size)
		rec.State, rec.At = spanDone, at
		// The emptied span file is dropped when its part is released
		// (ScrapTransient), off the Complete's critical path.
		if err := s.putSpan(ctx, src, i, rec); err != nil {
			return err
		}
	}
	return nil
}

// moveSpan moves one written span onto dst at end (or finds it there after
// an interrupted move), checks it and certifies it; it returns its offset.
// The move is tried first; only when it fails do the files say why.
func (s *Store) moveSpan(ctx context.Context, dst wire.InodeID, dstCookie wire.Cookie, end uint64, rec *spanRecord) (uint64, error) {
	at := end
	moveErr := s.client.MoveSpan(ctx, rec.Size, rec.File, 0, rec.Cookie, dst, end, dstCookie)
	if moveErr != nil {
		st, err := s.client.StatTransientFile(ctx, rec.File)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return 0, errSpanLost
		case err != nil:
			return 0, errors.Join(moveErr, err)
		case st.Size == 0 && end >= uint64(rec.Size):
			at = end - uint64(rec.Size) // moved before an interruption: dst's last span
		case st.Size == uint64(rec.Size):
			return 0, moveErr // still there: the move itself failed
		default:
			return 0, fmt.Errorf("span file holds %d bytes, journaled %d: %w", st.Size, rec.Size, errSpanMismatch)
		}
	}
	if err := s.checkMovedSpan(ctx, dst, at, rec); err != nil {
		return 0, err
	}
	if err := s.client.CertifySpan(ctx, dst, dstCookie, rec.written(at)); err != nil {
		return 0, fmt.Errorf("certify span at %d of %v: %w", at, dst, err)
	}
	return at, nil
}

// addInline adds a journaled tail inline at end of dst, unless an
// interrupted call already did; it returns its offset.
func (s *Store) addInline(ctx context.Context, dst wire.InodeID, dstCookie wire.Cookie, end uint64, rec *spanRecord) (uint64, error) {
	if end >= uint64(rec.Size) && end > 0 {
		got, err := s.client.SpanAt(ctx, dst, end-uint64(rec.Size))
		if err == nil && got.StorageClass == wire.StorageInline && got.ByteOffset == end-uint64(rec.Size) &&
			got.Size == rec.Size && got.Crc == rec.Crc {
			return got.ByteOffset, nil
		}
	}
	if err := s.client.AddInlineSpan(ctx, dst, dstCookie, end, rec.Body); err != nil {
		return 0, fmt.Errorf("add inline tail at %d of %v: %w", end, dst, err)
	}
	return end, nil
}

// checkMovedSpan makes sure the span now at `at` of dst is the one rec's
// proofs belong to: the shard checks a proof against its block id only,
// never against the span it certifies (doc §9).
func (s *Store) checkMovedSpan(ctx context.Context, dst wire.InodeID, at uint64, rec *spanRecord) error {
	got, err := s.client.SpanAt(ctx, dst, at)
	if err != nil {
		return err
	}
	mismatch := got.ByteOffset != at || got.Size != rec.Size || got.Crc != rec.Crc ||
		got.StorageClass == wire.StorageInline || len(got.Blocks.Blocks) != len(rec.Proofs)
	for i := 0; !mismatch && i < len(rec.Proofs); i++ {
		mismatch = got.Blocks.Blocks[i].BlockID != rec.Proofs[i].BlockID
	}
	if mismatch {
		return fmt.Errorf("span at %d of %v is not the one moved from %v: %w", at, dst, rec.File, errSpanMismatch)
	}
	return nil
}

// waiting reports whether a span still waits to be moved.
func waiting(r spanRecord) bool { return r.State != spanDone && r.State != spanHandedOver }

// pendingSize is how many bytes of a part wait in span files (or in the
// journal) not yet moved.
func pendingSize(spans []spanRecord) int64 {
	var n int64
	for _, r := range spans {
		if r.State == spanWritten || r.State == spanInline || r.State == spanHandedOver {
			n += int64(r.Size)
		}
	}
	return n
}
