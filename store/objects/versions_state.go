package objects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// Bucket versioning states, as GetBucketVersioning names them. A bucket that
// was never versioned has none (VersioningUnversioned).
const (
	VersioningUnversioned = ""
	VersioningEnabled     = "Enabled"
	VersioningSuspended   = "Suspended"
)

// versioningDocumentName is the versioning state's file in the bucket's
// metadata directory.
const versioningDocumentName = "versioning"

// versioningChange is one change of a bucket's versioning state and when it
// happened, on the store's clock: the creation time of the edge of the
// document that recorded it, so that it compares with the creation times of
// object edges without the gateway's clock in between.
type versioningChange struct {
	Status string `json:"s"`
	At     int64  `json:"t"` // Unix nanoseconds
}

// versioningDocument is what the file holds: the current status and the
// changes before it. The current status's time is not in the body (the
// file's edge is created after the body is written): it is the edge's
// creation time.
type versioningDocument struct {
	Status  string             `json:"s"`
	Earlier []versioningChange `json:"h,omitempty"`
}

// VersioningState is a bucket's versioning status and its history, oldest
// change first.
type VersioningState struct {
	Status  string
	Changes []versioningChange
}

// firstEnabled is when versioning was first enabled, and whether it ever
// was: edges created before it are from the unversioned bucket.
func (s VersioningState) firstEnabled() (time.Time, bool) {
	for _, c := range s.Changes {
		if c.Status == VersioningEnabled {
			return time.Unix(0, c.At), true
		}
	}
	return time.Time{}, false
}

// statusAt is the status in force at t.
func (s VersioningState) statusAt(t time.Time) string {
	status := VersioningUnversioned
	for _, c := range s.Changes {
		if time.Unix(0, c.At).After(t) {
			break
		}
		status = c.Status
	}
	return status
}

// BucketVersioning reads a bucket's versioning state.
func (l *Layer) BucketVersioning(ctx context.Context, bucket string) (VersioningState, error) {
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return VersioningState{}, err
	}
	doc, at, err := l.readVersioningDocument(ctx, bid)
	if err != nil || doc.Status == VersioningUnversioned {
		return VersioningState{}, err
	}
	changes := append(doc.Earlier, versioningChange{Status: doc.Status, At: at.UnixNano()})
	return VersioningState{Status: doc.Status, Changes: changes}, nil
}

// readVersioningDocument returns the document and its edge's creation time;
// a bucket without one has the zero document.
func (l *Layer) readVersioningDocument(ctx context.Context, bid store.ID) (versioningDocument, time.Time, error) {
	meta, err := l.st.Lookup(ctx, bid, metaDirName)
	if errors.Is(err, store.ErrNotFound) {
		return versioningDocument{}, time.Time{}, nil
	}
	if err != nil {
		return versioningDocument{}, time.Time{}, fmt.Errorf("objects: metadata directory: %w", err)
	}
	e, err := l.st.Lookup(ctx, meta.ID, versioningDocumentName)
	if errors.Is(err, store.ErrNotFound) {
		return versioningDocument{}, time.Time{}, nil
	}
	if err != nil {
		return versioningDocument{}, time.Time{}, fmt.Errorf("objects: versioning state: %w", err)
	}
	body, err := l.readSmallFile(ctx, e.ID)
	if err != nil {
		return versioningDocument{}, time.Time{}, fmt.Errorf("objects: versioning state: %w", err)
	}
	var doc versioningDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return versioningDocument{}, time.Time{}, fmt.Errorf("objects: versioning state: %w", err)
	}
	return doc, e.CreationTime, nil
}

// errVersioningUnsupported refuses versioning on a store that cannot keep
// versions.
var errVersioningUnsupported = s3err.NotImplemented.With("This store does not keep object versions.")

// setBucketVersioning records status (Enabled or Suspended). Enabling makes
// the bucket's directories keep snapshot edges first, and its metadata
// directory not (replaced records and documents are not versions), so that
// no version written after the document says Enabled can be lost. A bucket
// never returns to unversioned; Suspended keeps what was kept.
//
// Unexported until the S3 surface is whole (docs/versioning.md).
func (l *Layer) setBucketVersioning(ctx context.Context, bucket, status string) error {
	// The whole change under the bucket's hold: it reads the versioning
	// document and writes it back with this change added to its history,
	// and another gateway's change in between would be lost.
	hold, err := l.holdBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer hold.release(ctx)
	return l.setBucketVersioningHeld(ctx, hold, bucket, status)
}

// setBucketVersioningHeld is setBucketVersioning for a caller that holds
// the bucket (holdBucket).
func (l *Layer) setBucketVersioningHeld(ctx context.Context, hold *nameHold, bucket, status string) error {
	if status != VersioningEnabled && status != VersioningSuspended {
		return fmt.Errorf("objects: versioning status %q", status)
	}
	vd, ok := l.st.(store.VersionedDirs)
	if !ok {
		return errVersioningUnsupported
	}
	if err := l.checkVersioningChange(ctx, bucket, status); err != nil {
		return err
	}
	defer l.bucketLocks.rlock(bucket)()
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return err
	}
	meta, err := l.makeDirs(ctx, bid, []string{metaDirName}, false)
	if err != nil {
		return fmt.Errorf("objects: metadata directory: %w", err)
	}
	doc, at, err := l.readVersioningDocument(ctx, bid)
	if err != nil {
		return err
	}
	rec, err := l.readBucketRecord(ctx, bid)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if doc.Status == status && rec.Versioning == status {
		return nil
	}
	if status == VersioningEnabled {
		if err := vd.SetKeepSnapshots(ctx, bid, true); err != nil {
			return fmt.Errorf("objects: keep versions of %q: %w", bucket, err)
		}
		if err := vd.SetKeepSnapshots(ctx, meta, false); err != nil {
			return fmt.Errorf("objects: metadata of %q: %w", bucket, err)
		}
	}
	// The record says it before the document: a record that says versioned
	// only stops pruning, while a document that says Enabled in a bucket
	// whose record does not would let deletes prune directories that hold
	// versions. A crash in between is mended by setting the status again.
	if err := l.rewriteBucketRecord(ctx, hold, bucket, func(r *bucketRecord) error {
		r.Versioning = status
		return nil
	}); err != nil {
		return err
	}
	if doc.Status == status {
		return nil
	}
	next := versioningDocument{Status: status, Earlier: doc.Earlier}
	if doc.Status != VersioningUnversioned {
		next.Earlier = append(next.Earlier, versioningChange{Status: doc.Status, At: at.UnixNano()})
	}
	body, err := json.Marshal(next)
	if err != nil {
		return err
	}
	if err := hold.commit(l); err != nil {
		return err
	}
	if err := l.writeSmallFile(ctx, meta, versioningDocumentName, noteBucket, body); err != nil {
		return fmt.Errorf("objects: write versioning state of %q: %w", bucket, err)
	}
	return nil
}
