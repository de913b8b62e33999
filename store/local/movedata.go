package local

import (
	"context"
	"errors"

	"github.com/terngate/terngate/store"
)

// MoveData is not implemented yet: the multipart work replaces this file.
func (s *Store) MoveData(ctx context.Context, dst, src store.Transient) error {
	return errors.New("local store: MoveData not implemented yet")
}
