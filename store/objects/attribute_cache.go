package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/terngate/terngate/store"
)

// decodedAttribute is a record decoded from a file's attribute, kept with
// the bytes it was decoded from. An attribute can change in place
// (SetFileAttribute), so a cached decode is only used while the file's
// attribute is still, byte for byte, the one it came from: the cache saves
// the JSON decoding (about a tenth of a small GET's CPU), never the read.
type decodedAttribute struct {
	raw []byte
	rec record
}

// attributeRecord loads the record kept as file id's attribute, read
// afresh unless given (the attribute the file's lookup brought back);
// store.ErrNotFound if the file is gone or has none. The caller owns the
// returned record (maps and slices included).
func (l *Layer) attributeRecord(ctx context.Context, st store.AttributedFiles, id store.ID, given *[]byte) (record, error) {
	var attr []byte
	if given != nil {
		attr = *given
	} else {
		var err error
		if attr, err = st.FileAttribute(ctx, id); err != nil {
			return record{}, err
		}
	}
	if c, ok := l.attributes.get(id); ok && bytes.Equal(c.raw, attr) {
		return c.rec.clone(), nil
	}
	var rec record
	if err := json.Unmarshal(attr, &rec); err != nil {
		return record{}, fmt.Errorf("objects: decode metadata of %016x: %w", uint64(id), err)
	}
	l.attributes.put(id, decodedAttribute{raw: attr, rec: rec.clone()})
	return rec, nil
}

// clone copies r deeply, so that a cached record is never changed through
// a copy handed out. TestRecordCloneCoversEveryField fails when a field
// is added that clone does not copy.
func (r record) clone() record {
	r.Meta.User = maps.Clone(r.Meta.User)
	r.Meta.Checksums = maps.Clone(r.Meta.Checksums)
	r.Meta.Tags = slices.Clone(r.Meta.Tags)
	r.Parts = slices.Clone(r.Parts)
	r.PartSums = slices.Clone(r.PartSums)
	r.SealedParts = slices.Clone(r.SealedParts)
	if r.SSE != nil {
		enc := *r.SSE
		enc.Sealed = slices.Clone(enc.Sealed)
		enc.Wrapped = slices.Clone(enc.Wrapped)
		r.SSE = &enc
	}
	return r
}
