package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// NameLeases serialises writes to one name across processes sharing the
// store (gateway replicas): package lease implements it over Redis. The
// in-process name lock is still taken first, so one process asks for a
// name's lease once at a time.
type NameLeases interface {
	// Acquire waits for and takes the lease on name for holder, the
	// transient file the caller will link under it (zero if it links none).
	// A holder whose lease expired is fenced with fence before the lease
	// passes on. Errors carry the S3 error to answer with.
	Acquire(ctx context.Context, name string, holder store.Transient, fence func(context.Context, store.Transient) error) (NameLease, error)
}

// NameLease is a granted lease.
type NameLease interface {
	// Valid reports whether the holder may still commit.
	Valid() bool
	// Release gives the lease up.
	Release(ctx context.Context)
}

// errLeaseLost answers a write whose lease ran out (its process paused, or
// Redis unreachable) before it could commit, or whose file was fenced by
// the replica that took the lease over. AWS answers a conflicting
// concurrent write so: "If a conflicting operation occurs during the upload
// S3 returns a 409 ConditionalRequestConflict response" (the SDKs' docs of
// CompleteMultipartUpload/CopyObject If-None-Match, e.g.
// https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/s3/aws.sdk.kotlin.services.s3.model/-complete-multipart-upload-request/if-none-match.html).
var errLeaseLost = s3err.ConditionalRequestConflict

// nameHold is the right to change one name of one directory: the
// in-process lock and, when leases are configured, the name's lease.
type nameHold struct {
	unlock func()
	lease  NameLease
}

// holdName locks name in dir and, with leases, takes its lease for holder.
func (l *Layer) holdName(ctx context.Context, bucket, dir store.ID, name string, holder store.Transient) (*nameHold, error) {
	h := &nameHold{unlock: l.names.lock(dir, name)}
	if l.opts.Leases == nil {
		return h, nil
	}
	ls, err := l.opts.Leases.Acquire(ctx, leaseName(bucket, dir, name), holder, l.fence)
	if err != nil {
		h.unlock()
		return nil, fmt.Errorf("objects: lease of %q: %w", name, err)
	}
	h.lease = ls
	return h, nil
}

// leaseName is unique in the store: directory IDs are never reused.
func leaseName(bucket, dir store.ID, name string) string {
	return fmt.Sprintf("%016x/%016x/%s", uint64(bucket), uint64(dir), name)
}

// commit reports whether the holder may link or unlink now; it is called
// immediately before the store call. It runs the layer's test hook last,
// so a test can pause a writer exactly where only fencing protects it.
func (h *nameHold) commit(l *Layer) error {
	if h.lease != nil && !h.lease.Valid() {
		return fmt.Errorf("objects: the name's lease ran out before the write could commit: %w", errLeaseLost)
	}
	if l.beforeCommit != nil {
		l.beforeCommit()
	}
	return nil
}

// fenced turns the store's answer to a link under a lease that is no
// longer valid into the conflict it means: the file was scrapped by the
// replica that took the lease over (store.ErrNotFound).
func (h *nameHold) fenced(err error) error {
	if h.lease != nil && errors.Is(err, store.ErrNotFound) && !h.lease.Valid() {
		return fmt.Errorf("objects: fenced by another gateway after the lease ran out (%v): %w", err, errLeaseLost)
	}
	return err
}

func (h *nameHold) release(ctx context.Context) {
	if h.lease != nil {
		h.lease.Release(context.WithoutCancel(ctx))
	}
	h.unlock()
}

// fence makes an expired holder's transient file unlinkable by scrapping
// it. A file that is already linked (the holder won before it expired) or
// gone is fine: the precondition check that follows sees the outcome.
func (l *Layer) fence(ctx context.Context, t store.Transient) error {
	err := l.st.ScrapTransient(ctx, t)
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	// Stores differ in how they refuse to scrap a linked file.
	if _, serr := l.st.StatFile(ctx, t.ID); serr == nil {
		return nil
	}
	return fmt.Errorf("objects: scrap transient file %016x: %w", uint64(t.ID), err)
}
