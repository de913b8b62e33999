package objects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

// Object Lock retention modes (AWS S3 user guide, object-lock-overview).
// GOVERNANCE protects a version from everyone without
// s3:BypassGovernanceRetention and the bypass header; COMPLIANCE from
// everyone, and can only be extended.
const (
	LockGovernance = "GOVERNANCE"
	LockCompliance = "COMPLIANCE"
)

// Legal hold statuses. A version whose legal hold was never set has none
// (""), which GetObjectLegalHold tells apart from OFF.
const (
	LegalHoldOn  = "ON"
	LegalHoldOff = "OFF"
)

// ObjectLockConfig is a bucket's Object Lock configuration. A bucket has one
// only if it was created with Object Lock (or had it enabled while
// versioned), and keeps it: the default retention can change, Object Lock
// cannot be turned off.
type ObjectLockConfig struct {
	// DefaultMode is the default retention's mode; empty for none.
	DefaultMode  string `json:"m,omitempty"`
	DefaultDays  int    `json:"d,omitempty"`
	DefaultYears int    `json:"y,omitempty"`
}

// defaultRetention is the retention a new version created at t gets from
// the bucket's default (empty mode: none).
func (c *ObjectLockConfig) defaultRetention(t time.Time) (string, time.Time) {
	if c == nil || c.DefaultMode == "" {
		return "", time.Time{}
	}
	return c.DefaultMode, t.AddDate(c.DefaultYears, 0, c.DefaultDays)
}

// DefaultRetention applies the bucket's default retention to md, the
// metadata of a version created at t, unless md names a retention itself
// (AWS: "If you don't specify ... the default retention settings apply").
func (c *ObjectLockConfig) DefaultRetention(md *Metadata, t time.Time) {
	if md.LockMode != "" {
		return
	}
	if mode, until := c.defaultRetention(t); mode != "" {
		md.LockMode, md.LockUntil = mode, until.UnixNano()
	}
}

// CheckObjectLockSupported refuses Object Lock on a store that keeps no
// versions: a lock needs the versions it protects.
func (l *Layer) CheckObjectLockSupported() error {
	if _, ok := l.st.(store.VersionedDirs); !ok {
		return errVersioningUnsupported
	}
	return nil
}

// EnableObjectLock turns Object Lock on for a bucket being created with
// it: versioning first (a lock needs versions to protect), then the
// configuration, with no default retention.
func (l *Layer) EnableObjectLock(ctx context.Context, bucket string) error {
	// Both steps under one hold of the bucket: a Suspend from another
	// gateway between them would leave a locked bucket Suspended.
	hold, err := l.holdBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer hold.release(ctx)
	if err := l.setBucketVersioningHeld(ctx, hold, bucket, VersioningEnabled); err != nil {
		return err
	}
	return l.rewriteBucketRecord(ctx, hold, bucket, func(rec *bucketRecord) error {
		if rec.ObjectLock == nil {
			rec.ObjectLock = &ObjectLockConfig{}
		}
		return nil
	})
}

// errLockKeepsVersioning is AWS's answer to suspending versioning on a
// bucket with Object Lock (409 InvalidBucketState, ceph/s3-tests
// test_object_lock_suspend_versioning; the text as S3 emulators that
// pin AWS's quote it).
var errLockKeepsVersioning = s3err.InvalidBucketState.With("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")

// checkVersioningChange refuses any versioning status but Enabled on a
// bucket with Object Lock: suspending would let a PUT replace the null
// version, and with it a locked one.
func (l *Layer) checkVersioningChange(ctx context.Context, bucket, status string) error {
	if status == VersioningEnabled {
		return nil
	}
	info, err := l.HeadBucket(ctx, bucket)
	if err != nil {
		return err
	}
	if info.ObjectLock != nil {
		return errLockKeepsVersioning
	}
	return nil
}

// SetBucketObjectLock replaces the bucket's Object Lock configuration. A
// bucket without one gets it only while its versioning is Enabled, as AWS
// allows for existing buckets; otherwise s3err.InvalidBucketState.
func (l *Layer) SetBucketObjectLock(ctx context.Context, bucket string, cfg ObjectLockConfig) error {
	return l.updateBucketRecord(ctx, bucket, func(rec *bucketRecord) error {
		if rec.ObjectLock == nil && rec.Versioning != VersioningEnabled {
			return s3err.InvalidBucketState
		}
		rec.ObjectLock = &cfg
		return nil
	})
}

// BucketObjectLock returns the bucket's Object Lock configuration, or
// s3err.ObjectLockConfigurationNotFound.
func (l *Layer) BucketObjectLock(ctx context.Context, bucket string) (ObjectLockConfig, error) {
	info, err := l.HeadBucket(ctx, bucket)
	if err != nil {
		return ObjectLockConfig{}, err
	}
	if info.ObjectLock == nil {
		return ObjectLockConfig{}, s3err.ObjectLockConfigurationNotFound
	}
	return *info.ObjectLock, nil
}

// Retention is an object version's retention: Mode empty for none.
type Retention struct {
	Mode  string
	Until time.Time
}

// Retention reads the retention a version's metadata records.
func (md Metadata) Retention() Retention {
	if md.LockMode == "" {
		return Retention{}
	}
	return Retention{Mode: md.LockMode, Until: time.Unix(0, md.LockUntil).UTC()}
}

// active reports whether the retention still protects its version at now.
func (r Retention) active(now time.Time) bool {
	return r.Mode != "" && now.Before(r.Until)
}

// SetObjectRetention replaces the retention of a version of key (the
// current object when versionID is empty; PutObjectRetention; a zero
// Retention removes it), as far as the current
// one allows: a COMPLIANCE retention in force can only be extended, a
// GOVERNANCE one only extended unless the context carries the governance
// bypass (WithGovernanceBypass). ceph/s3-tests test_object_lock_* pins
// these answers (AccessDenied) against AWS.
func (l *Layer) SetObjectRetention(ctx context.Context, bucket, key, versionID string, want Retention) (ObjectInfo, error) {
	return l.rewriteVersionRecord(ctx, bucket, key, versionID, func(rec *record) error {
		if err := checkRetentionChange(ctx, rec.Meta.Retention(), want, time.Now()); err != nil {
			return err
		}
		rec.Meta.LockMode, rec.Meta.LockUntil = want.Mode, 0
		if want.Mode != "" {
			rec.Meta.LockUntil = want.Until.UnixNano()
		}
		return nil
	})
}

// checkRetentionChange decides whether cur may become want at now.
func checkRetentionChange(ctx context.Context, cur, want Retention, now time.Time) error {
	if !cur.active(now) {
		return nil
	}
	keeps := want.Mode == cur.Mode && !want.Until.Before(cur.Until)
	switch {
	case keeps:
		return nil
	case cur.Mode == LockGovernance && GovernanceBypassed(ctx):
		return nil
	}
	return s3err.ObjectLocked
}

// SetObjectLegalHold sets the legal hold of a version of key (the current
// object when versionID is empty) to status, LegalHoldOn or LegalHoldOff
// (PutObjectLegalHold). A legal hold is independent of retention and needs
// no bypass to be removed.
func (l *Layer) SetObjectLegalHold(ctx context.Context, bucket, key, versionID, status string) (ObjectInfo, error) {
	if status != LegalHoldOn && status != LegalHoldOff {
		return ObjectInfo{}, fmt.Errorf("objects: legal hold status %q", status)
	}
	return l.rewriteVersionRecord(ctx, bucket, key, versionID, func(rec *record) error {
		rec.Meta.LegalHold = status
		return nil
	})
}

// governanceBypassKey marks a context whose request may bypass GOVERNANCE
// retention: it sent x-amz-bypass-governance-retention: true and holds
// s3:BypassGovernanceRetention. A context value rather than a parameter,
// so that every delete path (a version delete, DeleteObjects) honours it
// without each carrying a flag through.
type governanceBypassKey struct{}

// WithGovernanceBypass returns ctx allowing GOVERNANCE retention to be
// shortened, removed or deleted through.
func WithGovernanceBypass(ctx context.Context) context.Context {
	return context.WithValue(ctx, governanceBypassKey{}, true)
}

// GovernanceBypassed reports whether ctx carries the governance bypass.
func GovernanceBypassed(ctx context.Context) bool {
	on, _ := ctx.Value(governanceBypassKey{}).(bool)
	return on
}

// checkVersionUnlocked refuses the removal of a version that a legal hold
// or a retention in force protects (s3err.ObjectLocked). Delete markers
// carry no lock. A version whose record is gone (a file another client
// wrote) has no lock either.
func (l *Layer) checkVersionUnlocked(ctx context.Context, bid store.ID, v keyVersion) error {
	if v.isMarker {
		return nil
	}
	rec, err := l.readRecord(ctx, bid, v.edge.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("objects: lock of version %s: %w", v.id, err)
	}
	return checkDeletable(ctx, rec.Meta, time.Now())
}

// checkDeletable decides whether a version with metadata md may go at now.
func checkDeletable(ctx context.Context, md Metadata, now time.Time) error {
	if md.LegalHold == LegalHoldOn {
		return s3err.ObjectLocked
	}
	r := md.Retention()
	if !r.active(now) || r.Mode == LockGovernance && GovernanceBypassed(ctx) {
		return nil
	}
	return s3err.ObjectLocked
}

// BucketLockConfig is the bucket's Object Lock configuration (nil for a
// bucket without), as this request's HeadBucket read it (bucketCache.latest):
// every PUT asks, and an unlocked bucket must pay no round trip for it. A
// bucket not cached is read. The configuration is the cache's: callers
// must not modify it.
func (l *Layer) BucketLockConfig(ctx context.Context, bucket string) (*ObjectLockConfig, error) {
	if e, ok := l.buckets.entries.get(bucket); ok {
		if rec, ok := l.buckets.latest.get(e.ID); ok {
			return rec.ObjectLock, nil
		}
	}
	info, err := l.HeadBucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	return info.ObjectLock, nil
}

// ApplyDefaultRetention gives md, the metadata of a version created now,
// the bucket's default retention unless it names its own (a multipart
// upload's, when it completes).
func (l *Layer) ApplyDefaultRetention(ctx context.Context, bucket string, md *Metadata) error {
	cfg, err := l.BucketLockConfig(ctx, bucket)
	if err != nil {
		return err
	}
	cfg.DefaultRetention(md, time.Now())
	return nil
}
