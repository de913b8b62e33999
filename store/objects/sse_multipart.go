package objects

import (
	"context"
	"fmt"
	"io"

	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store"
)

// SealedPart is one part of an encrypted multipart object as stored: its
// own DARE stream under the key derived from the object key and Number
// (sse.PartKey), StoredSize bytes long in the object's file. Its plaintext
// size is the matching entry of ObjectInfo.PartSizes.
type SealedPart struct {
	Number     int   `json:"n"`
	StoredSize int64 `json:"s"`
}

// LinkAssembledEncrypted is LinkAssembled of an object whose parts were
// each encrypted under the object key enc seals: the record keeps enc and,
// per part, its number and stored size, so reads decrypt only the parts
// and packages they touch. The parts' Size is their plaintext size.
func (l *Layer) LinkAssembledEncrypted(ctx context.Context, bucket, key string, t store.Transient, md Metadata, etag string, parts []AssembledPart, enc sse.Info, cond Conditions) (ObjectInfo, error) {
	rec := record{Meta: md, ETag: etag, SSE: &enc}
	for _, p := range parts {
		if p.Number < 1 || p.StoredSize != sse.StoredSize(p.Size) {
			return ObjectInfo{}, fmt.Errorf("objects: encrypted part %d of %q: %d plaintext bytes stored as %d", p.Number, key, p.Size, p.StoredSize)
		}
		rec.SealedParts = append(rec.SealedParts, SealedPart{Number: p.Number, StoredSize: p.StoredSize})
	}
	return l.linkAssembled(ctx, bucket, key, t, rec, parts, cond)
}

// partsPlainReader reads plaintext bytes [off, off+length) of an encrypted
// multipart object: part by part, each opened only when the previous one
// is read, decrypting only the packages the range touches. The keys of the
// parts it touches are derived now, since the caller zeroes key once this
// returns.
func (o *Object) partsPlainReader(key *sse.ObjectKey, off, length int64) (io.Reader, error) {
	parts := o.Info.SealedParts
	if len(parts) != len(o.Info.PartSizes) {
		return nil, fmt.Errorf("objects: %s/%s: record lists %d encrypted parts for %d parts", o.Info.Bucket, o.Info.Key, len(parts), len(o.Info.PartSizes))
	}
	r := &partsReader{file: o.File}
	end := off + length
	var plainStart, storedStart int64
	for i, p := range parts {
		plainEnd := plainStart + o.Info.PartSizes[i]
		if from, to := max(off, plainStart), min(end, plainEnd); from < to {
			r.segments = append(r.segments, partSegment{
				key:         sse.PartKey(key, p.Number),
				storedStart: storedStart,
				rng:         sse.RangeOf(from-plainStart, to-from, o.Info.PartSizes[i]),
			})
		}
		plainStart, storedStart = plainEnd, storedStart+p.StoredSize
	}
	return r, nil
}

// partSegment is the piece of one part a read covers.
type partSegment struct {
	key         *sse.ObjectKey
	storedStart int64
	rng         sse.StoredRange
}

// partsReader decrypts its segments one after the other (a store.File
// serves one NewReader at a time).
type partsReader struct {
	file     store.File
	segments []partSegment
	cur      io.Reader
}

func (r *partsReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil {
			if len(r.segments) == 0 {
				return 0, io.EOF
			}
			if err := r.openNext(); err != nil {
				return 0, err
			}
		}
		n, err := r.cur.Read(p)
		if err == io.EOF {
			r.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

// WriteTo copies every segment's plaintext to w through the decrypting
// reader's own WriteTo (whole packages opened straight into one buffer,
// large writes), which the 32 KiB reads of a generic copy would bypass.
func (r *partsReader) WriteTo(w io.Writer) (int64, error) {
	var written int64
	for r.cur != nil || len(r.segments) > 0 {
		if r.cur == nil {
			if err := r.openNext(); err != nil {
				return written, err
			}
		}
		n, err := io.Copy(w, r.cur)
		written += n
		r.cur = nil
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// openNext starts decrypting the next segment and forgets its key (the
// cipher keeps its own schedule).
func (r *partsReader) openNext() error {
	seg := r.segments[0]
	r.segments = r.segments[1:]
	defer seg.key.Zero()
	stored, err := r.file.NewReader(seg.storedStart+seg.rng.Offset, seg.rng.Length)
	if err != nil {
		return err
	}
	r.cur, err = sse.DecryptRange(stored, seg.key, seg.rng)
	return err
}
