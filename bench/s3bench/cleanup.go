package s3bench

import (
	"context"
	"fmt"
)

// cleanup deletes every object the run left under its prefix, for
// endpoints the run did not start (a started server's data dir is simply
// removed).
func (t *s3Target) cleanup(ctx context.Context) error {
	if err := t.objects.DeleteAll(ctx, t.prefix); err != nil {
		return fmt.Errorf("%s: %w", t.label, err)
	}
	return nil
}
