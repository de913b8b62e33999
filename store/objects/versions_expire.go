package objects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// ExpiryCandidate is a version that a bucket's lifecycle may remove: a
// noncurrent version or delete marker (NoncurrentVersionExpiration), or a
// delete marker that is the only version of its key (an expired object
// delete marker, ExpiredObjectDeleteMarker).
type ExpiryCandidate struct {
	Key          string
	VersionID    string
	DeleteMarker bool
	Size         int64
	Tags         []Tag
	// Latest is set only for an expired object delete marker.
	Latest bool
	// NoncurrentSince is when the version became noncurrent: when the
	// version after it was created (AWS user guide, "Lifecycle
	// configuration elements": noncurrent days count from then).
	NoncurrentSince time.Time
	// NewerNoncurrent is how many noncurrent versions of the key are newer
	// than this one (what NewerNoncurrentVersions counts).
	NewerNoncurrent int
}

// expiryPage is how many versions one listing call of ExpireVersions reads.
const expiryPage = 1000

// ExpireVersions walks the versions under prefix of a bucket that was ever
// versioned and permanently removes each candidate expired approves,
// returning how many it removed. A bucket never versioned has no
// candidates and costs one read of its versioning state. A candidate is
// removed only if it still is one when it is removed: a delete marker only
// while it is its key's only version, a noncurrent version only while it
// is noncurrent.
func (l *Layer) ExpireVersions(ctx context.Context, bucket, prefix string, expired func(ExpiryCandidate) bool) (int, error) {
	state, err := l.BucketVersioning(ctx, bucket)
	if err != nil || state.Status == VersioningUnversioned {
		return 0, err
	}
	bid, err := l.bucketID(ctx, bucket)
	if err != nil {
		return 0, err
	}
	x := &versionExpiry{l: l, bucket: bucket, bid: bid, expired: expired}
	in := ListVersionsInput{Bucket: bucket, Prefix: prefix, MaxKeys: expiryPage}
	for {
		page, err := l.listObjectVersions(ctx, in)
		if err != nil {
			return x.removed, err
		}
		for _, v := range page.Versions {
			if err := x.see(ctx, v); err != nil {
				return x.removed, err
			}
		}
		if !page.IsTruncated {
			break
		}
		in.KeyMarker, in.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	return x.removed, x.finishKey(ctx)
}

// versionExpiry follows one key's versions, newest first, across listing
// pages, and removes what expired approves once the key is complete (so
// that no page resumes from a version removed meanwhile).
type versionExpiry struct {
	l       *Layer
	bucket  string
	bid     store.ID
	expired func(ExpiryCandidate) bool

	key        string
	seen       int       // versions of key so far
	newerAt    time.Time // creation of the version just newer
	noncurrent int       // noncurrent versions of key so far
	latest     *ExpiryCandidate
	doomed     []ExpiryCandidate
	removed    int
}

func (x *versionExpiry) see(ctx context.Context, v ObjectVersion) error {
	if v.Key != x.key {
		if err := x.finishKey(ctx); err != nil {
			return err
		}
		x.key, x.seen, x.noncurrent, x.latest, x.doomed = v.Key, 0, 0, nil, nil
	}
	x.seen++
	c := ExpiryCandidate{Key: v.Key, VersionID: v.VersionID, DeleteMarker: v.DeleteMarker, Size: v.Size}
	if v.IsLatest {
		if v.DeleteMarker {
			c.Latest = true
			x.latest = &c
		}
		x.newerAt = v.LastModified
		return nil
	}
	c.NoncurrentSince, c.NewerNoncurrent = x.newerAt, x.noncurrent
	x.newerAt = v.LastModified
	x.noncurrent++
	if !c.DeleteMarker {
		tags, err := x.tagsOf(ctx, v.file)
		if err != nil {
			return err
		}
		c.Tags = tags
	}
	if x.expired(c) {
		x.doomed = append(x.doomed, c)
	}
	return nil
}

// finishKey removes the doomed versions of the key just complete, and its
// delete marker if it is left the key's only version and expired approves.
func (x *versionExpiry) finishKey(ctx context.Context) error {
	for _, c := range x.doomed {
		_, err := x.l.deleteVersionIf(ctx, x.bucket, c.Key, c.VersionID, func(_ []keyVersion, i int) bool { return i > 0 })
		if err := x.count(err); err != nil {
			return fmt.Errorf("objects: expire version %s of %q: %w", c.VersionID, c.Key, err)
		}
	}
	if x.latest != nil && x.seen-len(x.doomed) == 1 && x.expired(*x.latest) {
		c := *x.latest
		_, err := x.l.deleteVersionIf(ctx, x.bucket, c.Key, c.VersionID, func(vs []keyVersion, i int) bool { return len(vs) == 1 })
		if err := x.count(err); err != nil {
			return fmt.Errorf("objects: expire delete marker of %q: %w", c.Key, err)
		}
	}
	x.latest, x.doomed = nil, nil
	return nil
}

// count counts a removal; a version gone or changed meanwhile is no error,
// nor is one Object Lock protects: lifecycle never removes a locked version
// and goes on with the others (user guide, "How S3 Object Lock works":
// lifecycle configurations do not override retention or legal holds).
func (x *versionExpiry) count(err error) error {
	switch {
	case err == nil:
		x.removed++
	case errors.Is(err, errVersionMoved), errors.Is(err, s3err.NoSuchVersion), errors.Is(err, s3err.ObjectLocked):
	default:
		return err
	}
	return nil
}

// tagsOf is the tags of the version's file, from its record (none for a
// file without one, written by another client).
func (x *versionExpiry) tagsOf(ctx context.Context, file store.ID) ([]Tag, error) {
	rec, err := x.l.readRecord(ctx, x.bid, file)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("objects: metadata of version %016x: %w", uint64(file), err)
	}
	return rec.Meta.Tags, nil
}
