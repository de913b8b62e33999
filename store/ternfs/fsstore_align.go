package ternfs

import (
	"context"
	"fmt"
	"io"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"

	"github.com/terngate/terngate/store/ternfs/span"
)

// Spans must start on a page boundary: the shard refuses to initiate one
// elsewhere and the kernel client refuses to read one (doc §4, §9). Every
// span of a part but its last is a multiple of the page size, so moving
// parts whole keeps that as long as each part but the object's last ends
// on a boundary, as S3 clients' MiB-sized parts do. A part that does not
// is handled in two steps:
//
//   - its last span, which ends off a boundary, is not moved: its record
//     is handed to the destination's journal, where it waits (handOver);
//   - if another part follows, that span and the following parts'
//     data are read and rewritten as new spans (copyOnto), which costs a
//     copy of everything after the misaligned boundary, reported through
//     Options.OnAlignmentCopy. If nothing follows, LinkFile moves the
//     waiting span as the object's last.

// unalignedTail is the index of a journal's last span when it waits
// because it ends off a page boundary, or -1.
func unalignedTail(spans []spanRecord) int {
	i := len(spans) - 1
	if i < 0 {
		return -1
	}
	r := spans[i]
	if (r.State == spanWritten || r.State == spanInline) && r.Size%span.PageSize != 0 {
		return i
	}
	return -1
}

// handOver gives src's last span (index i) to dst's journal: first src's
// record says so (so scrapping src spares the span file), then dst's
// record takes it with a mark that src is consumed, in one write.
func (s *Store) handOver(ctx context.Context, dst, src wire.InodeID, i int, rec *spanRecord) error {
	orig := *rec
	orig.State = spanWritten
	if orig.File == 0 {
		orig.State = spanInline
	}
	if rec.State != spanHandedOver {
		rec.State = spanHandedOver
		if err := s.putSpan(ctx, src, i, rec); err != nil {
			return err
		}
	}
	dstSpans, err := s.loadSpans(ctx, dst)
	if err != nil {
		return err
	}
	s.markJournaled(dst)
	err = s.journal.Put(ctx, journalKey(dst), map[string][]byte{
		spanField(len(dstSpans)): orig.encode(),
		consumedField(src):       {},
	})
	if err != nil {
		return fmt.Errorf("hand span %d of %v over to %v: %w", i, src, dst, err)
	}
	return nil
}

// copyOnto rewrites dst's waiting span (index tail of its journal) and all
// of src's spans as new spans, written into span files through a scratch
// part file, then puts their records in dst's journal in place of the
// waiting one, with the mark that src is consumed, in one write. Until
// that write nothing refers to the copy, so an interrupted copy is redone
// from the start (reading spans already certified in place is harmless).
func (s *Store) copyOnto(ctx context.Context, dst store.Transient, dstSpans []spanRecord, tail int, src wire.InodeID, srcSpans []spanRecord) error {
	dstID := wire.InodeID(dst.ID)
	sources := []spanRecord{dstSpans[tail]}
	for i, r := range srcSpans {
		if r.State != spanWritten && r.State != spanInline {
			return fmt.Errorf("span %d of %v: %w: state %d, cannot be copied", i, src, wire.ErrMalformed, r.State)
		}
		sources = append(sources, r)
	}
	note := partNotePrefix + "copy"
	f, err := s.client.ConstructFile(ctx, dstID.Shard(), s.scopedNote(note))
	if err != nil {
		return err
	}
	s.remember(f.ID, note)
	defer s.forget(f.ID)
	scratch := transientOf(f.ID, f.Cookie)

	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.writeSpanData(ctx, pw, sources)) }()
	copied, err := s.appendPart(ctx, scratch, s.local(f.ID), pr)
	pr.CloseWithError(err) // stops the writer if appending failed
	if err != nil {
		return err
	}
	written, err := s.loadSpans(ctx, f.ID)
	if err != nil {
		return err
	}
	fields := map[string][]byte{consumedField(src): {}}
	for k, r := range written {
		fields[spanField(tail+k)] = r.encode()
	}
	s.markJournaled(dstID)
	if err := s.journal.Put(ctx, journalKey(dstID), fields); err != nil {
		return fmt.Errorf("journal copied spans onto %v: %w", dstID, err)
	}
	// The scratch file's spans are dst's now; the file itself is empty.
	s.forgetSpans(ctx, f.ID)
	if err := s.client.ScrapTransientFile(ctx, f.ID, f.Cookie); err == nil {
		s.dropIfEmpty(ctx, f.ID)
	}
	if waiting := dstSpans[tail]; waiting.File != 0 {
		_ = s.client.ScrapTransientFile(ctx, waiting.File, waiting.Cookie)
	}
	if s.onAlignmentCopy != nil {
		s.onAlignmentCopy(copied)
	}
	return nil
}

// writeSpanData writes the bytes of journaled spans to w, in order. A
// written span is certified in its own span file first (its only span),
// so that it can be read like any span.
func (s *Store) writeSpanData(ctx context.Context, w io.Writer, spans []spanRecord) error {
	for _, r := range spans {
		data := r.Body
		if r.State == spanWritten {
			var err error
			if data, err = s.readSpanFile(ctx, &r); err != nil {
				return err
			}
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// readSpanFile certifies a span in its span file and reads it back,
// checking that the span there is the journaled one.
func (s *Store) readSpanFile(ctx context.Context, r *spanRecord) ([]byte, error) {
	if err := s.client.CertifySpan(ctx, r.File, r.Cookie, r.written(0)); err != nil {
		return nil, fmt.Errorf("certify span in %v: %w", r.File, err)
	}
	if err := s.checkMovedSpan(ctx, r.File, 0, r); err != nil {
		return nil, err
	}
	refs, err := s.client.FileSpans(ctx, r.File)
	if err != nil {
		return nil, err
	}
	if len(refs) != 1 {
		return nil, fmt.Errorf("span file %v: %w: %d spans", r.File, wire.ErrMalformed, len(refs))
	}
	data, err := s.client.ReadSpan(ctx, r.File, refs[0])
	if err != nil {
		return nil, fmt.Errorf("read span file %v: %w", r.File, err)
	}
	return data, nil
}

// markJournaled notes that a file of this process has records in the
// journal (mayHaveSpans).
func (s *Store) markJournaled(id wire.InodeID) {
	if lf := s.local(id); lf != nil {
		s.mu.Lock()
		lf.journaled = true
		s.mu.Unlock()
	}
}
