package ternfs

import (
	"context"
	"fmt"
	"strings"

	"github.com/terngate/terngate/store"

	"github.com/terngate/terngate/store/ternfs/wire"
)

// ResolvePath finds the directory at an absolute path of the cluster
// ("/data/photos", from the cluster's root, not the store's Root) without
// creating anything. It answers the directory's edge: its id and creation
// time, named by the path's last component (empty for "/").
// store.ErrNotFound if a component is missing, store.ErrNotDirectory if
// one is a file.
func (s *Store) ResolvePath(ctx context.Context, path string) (store.Entry, error) {
	if !strings.HasPrefix(path, "/") {
		return store.Entry{}, fmt.Errorf("ternfs: path %q is not absolute: %w", path, store.ErrInvalidName)
	}
	e := store.Entry{ID: store.ID(wire.RootDirectory), Dir: true}
	for _, name := range strings.Split(path, "/") {
		if name == "" {
			continue // leading, trailing or doubled slashes
		}
		if err := validateName(name); err != nil {
			return store.Entry{}, fmt.Errorf("ternfs: path %q: %w", path, err)
		}
		if !e.Dir {
			return store.Entry{}, fmt.Errorf("ternfs: path %q: %q is a file: %w", path, e.Name, store.ErrNotDirectory)
		}
		resp, err := s.client.Lookup(ctx, wire.InodeID(e.ID), name)
		if err != nil {
			return store.Entry{}, fmt.Errorf("ternfs: path %q: %w", path, err)
		}
		e = entryOf(name, resp.TargetID, resp.CreationTime)
	}
	if !e.Dir {
		return store.Entry{}, fmt.Errorf("ternfs: path %q is a file: %w", path, store.ErrNotDirectory)
	}
	return e, nil
}
