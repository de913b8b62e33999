package local

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

// LookupLinked is Lookup that also reads, in the same transaction, the
// attribute of the linked file name holds and, if open, what opening it
// needs: a GET is one read transaction here instead of three (lookup,
// open, attribute), each costing about as much as the lookup in it.
func (s *Store) LookupLinked(ctx context.Context, dir store.ID, name string, open bool) (store.LinkedFile, error) {
	if err := ctx.Err(); err != nil {
		return store.LinkedFile{}, err
	}
	if err := validateName(name); err != nil {
		return store.LinkedFile{}, err
	}
	var (
		linked  store.LinkedFile
		plan    openPlan
		planned bool
	)
	err := s.view(func(tx *bolt.Tx) error {
		e, err := lookupEdge(tx, dir, name)
		if err != nil {
			return err
		}
		linked.Entry = e.entry(name)
		if linked.Dir {
			return nil
		}
		rec, err := getLinkedFile(tx, linked.ID)
		if err != nil {
			return nil // FileAttribute's and OpenFile's to report
		}
		if v := tx.Bucket(attrsBucket).Get(idKey(linked.ID)); v != nil {
			// bbolt's memory is only valid inside the transaction.
			linked.Attribute, linked.HasAttribute = bytes.Clone(v), true
		}
		if open {
			plan, err = planLinkedOpen(tx, linked.ID, rec)
			planned = err == nil
		}
		return nil
	})
	if err != nil {
		return store.LinkedFile{}, fmt.Errorf("lookup: %w", err)
	}
	if planned {
		if f, err := s.openPlanned(linked.ID, plan); err == nil {
			linked.File = f
		}
	}
	return linked, nil
}
