package local

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/terngate/terngate/store"
)

var _ store.SortedDirReader = (*Store)(nil)

// ReadDirFrom returns up to limit edges of dir whose names are >= from, in
// name byte order: the edges bucket keys are dirID + name, so they are
// already sorted and a seek finds the first.
func (s *Store) ReadDirFrom(ctx context.Context, dir store.ID, from string, limit int) ([]store.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix := idKey(dir)
	var out []store.Entry
	err := s.view(func(tx *bolt.Tx) error {
		if _, err := getDirectory(tx, dir); err != nil {
			return err
		}
		c := tx.Bucket(edgesBucket).Cursor()
		for k, v := c.Seek(edgeKey(dir, from)); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Next() {
			e, err := decodeEdge(v)
			if err != nil {
				return err
			}
			out = append(out, e.entry(string(k[len(prefix):])))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read directory %d from %q: %w", dir, from, err)
	}
	return out, nil
}
