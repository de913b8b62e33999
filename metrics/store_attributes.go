package metrics

import (
	"context"
	"time"

	"github.com/terngate/terngate/store"
)

// attributedOps are the store.AttributedFiles methods the decorator records.
var attributedOps = []string{"LinkFileWithAttribute", "LinkInlineFile", "FileAttribute", "SetFileAttribute", "LookupLinked"}

// instrumentedAttributedStore is instrumentedStore for a store that offers
// store.AttributedFiles: the decorator must offer it too, or the layer above
// would never see the capability.
type instrumentedAttributedStore struct {
	instrumentedStore
	attr store.AttributedFiles
}

var _ store.AttributedFiles = instrumentedAttributedStore{}

func (s instrumentedAttributedStore) LinkFileWithAttribute(ctx context.Context, t store.Transient, dir store.ID, name string, attr []byte) (store.FileInfo, error) {
	start := time.Now()
	info, err := s.attr.LinkFileWithAttribute(ctx, t, dir, name, attr)
	s.observe("LinkFileWithAttribute", start, err)
	return info, err
}

func (s instrumentedAttributedStore) LinkInlineFile(ctx context.Context, dir store.ID, name string, data, attr []byte) (store.FileInfo, error) {
	start := time.Now()
	info, err := s.attr.LinkInlineFile(ctx, dir, name, data, attr)
	s.observe("LinkInlineFile", start, err)
	return info, err
}

func (s instrumentedAttributedStore) MaxInlineSize() int64 { return s.attr.MaxInlineSize() }

func (s instrumentedAttributedStore) FileAttribute(ctx context.Context, id store.ID) ([]byte, error) {
	start := time.Now()
	attr, err := s.attr.FileAttribute(ctx, id)
	s.observe("FileAttribute", start, err)
	return attr, err
}

func (s instrumentedAttributedStore) SetFileAttribute(ctx context.Context, id store.ID, attr []byte) error {
	start := time.Now()
	err := s.attr.SetFileAttribute(ctx, id, attr)
	s.observe("SetFileAttribute", start, err)
	return err
}

func (s instrumentedAttributedStore) LookupLinked(ctx context.Context, dir store.ID, name string, open bool) (store.LinkedFile, error) {
	start := time.Now()
	linked, err := s.attr.LookupLinked(ctx, dir, name, open)
	s.observe("LookupLinked", start, err)
	return linked, err
}
