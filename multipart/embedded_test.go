package multipart

import (
	"errors"
	"testing"
	"time"
)

// A claim left by a process that died mid-Complete must not make the next
// process's retried Complete wait out the lease: the data dir lock proves
// the holder is gone.
func TestEmbeddedTrackerExpiresClaimsOfAPreviousProcess(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	tr, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	up := Upload{ID: "u1", Bucket: "b", Key: "k", Initiated: time.Now()}
	if err := tr.Create(ctx, up); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Claim(ctx, up.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Claim(ctx, up.ID, time.Hour); !errors.Is(err, ErrCompleting) {
		t.Fatalf("a live claim must hold within one process: %v", err)
	}
	if err := tr.Close(); err != nil { // the process dies here
		t.Fatal(err)
	}

	tr, err = OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, err := tr.Claim(ctx, up.ID, time.Hour)
	if err != nil {
		t.Fatalf("claim after restart: %v", err)
	}
	if !c.Takeover {
		t.Fatal("the claim after restart must be reported as a takeover, so Complete knows parts may have moved")
	}
}
