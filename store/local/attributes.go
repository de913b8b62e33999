package local

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// attrsBucket maps a linked file's id → its attribute (store.AttributedFiles).
// A file's attribute is written by the transaction that links it and deleted
// by the one that drops it, so it never outlives or predates the file.
var attrsBucket = []byte("attrs")

var _ store.AttributedFiles = (*Store)(nil)

// LinkFileWithAttribute is LinkFile that also sets the file's attribute in
// the same transaction.
func (s *Store) LinkFileWithAttribute(ctx context.Context, t store.Transient, dir store.ID, name string, attr []byte) (store.FileInfo, error) {
	if attr == nil {
		attr = []byte{}
	}
	return s.link(ctx, t, dir, name, attr)
}

// FileAttribute returns linked file id's attribute.
func (s *Store) FileAttribute(ctx context.Context, id store.ID) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var attr []byte
	err := s.view(func(tx *bolt.Tx) error {
		if _, err := getLinkedFile(tx, id); err != nil {
			return err
		}
		v := tx.Bucket(attrsBucket).Get(idKey(id))
		if v == nil {
			return fmt.Errorf("file %d has no attribute: %w", id, store.ErrNotFound)
		}
		// bbolt's memory is only valid inside the transaction.
		attr = bytes.Clone(v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("file attribute: %w", err)
	}
	return attr, nil
}

// SetFileAttribute replaces linked file id's attribute.
func (s *Store) SetFileAttribute(ctx context.Context, id store.ID, attr []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := getLinkedFile(tx, id); err != nil {
			return err
		}
		return tx.Bucket(attrsBucket).Put(idKey(id), attr)
	})
	if err != nil {
		return fmt.Errorf("set file attribute: %w", err)
	}
	return nil
}
