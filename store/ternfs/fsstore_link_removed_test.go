package ternfs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// TestLinkIntoRemovedDirectoryIntegration: a directory removed after a
// writer resolved it (another gateway pruned it) is not found by
// StatDirectory (TernFS keeps it, ownerless), and makes LinkFile fail with
// store.ErrNotFound that is also a 503 SlowDown for an S3 client, and the
// file is left transient, for the writer to scrap.
func TestLinkIntoRemovedDirectoryIntegration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	dir, err := s.MakeDirectory(ctx, s.Root(), "pruned")
	if err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	data := storeTestBytes(4096, 7)
	tr := mustWrite(t, ctx, s, dir, "put", data)
	if err := s.RemoveDirectory(ctx, s.Root(), "pruned"); err != nil {
		t.Fatalf("rmdir: %v", err)
	}
	if _, err := s.StatDirectory(ctx, dir); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("StatDirectory of the removed directory: %v, want store.ErrNotFound", err)
	}
	if _, err := s.StatDirectory(ctx, s.Root()); err != nil {
		t.Fatalf("StatDirectory of the root: %v", err)
	}
	_, err = s.LinkFile(ctx, tr, dir, "object")
	var s3e *s3err.Error
	if !errors.Is(err, store.ErrNotFound) || !errors.As(err, &s3e) || s3e.Code != "SlowDown" {
		t.Fatalf("LinkFile into a removed directory: %v; want store.ErrNotFound and s3err.SlowDown", err)
	}
	// The file is still transient: the writer scraps it (a directory made
	// again lives on another shard, so the retry writes a new file).
	if err := s.ScrapTransient(ctx, tr); err != nil {
		t.Fatalf("scrap the file left transient: %v", err)
	}
}
