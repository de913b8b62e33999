package multipart

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// SweepExpireObject is the action reported to Options.OnSweep for an
// object deleted by its bucket's lifecycle (Expiration).
const SweepExpireObject = "expire_lifecycle_object"

// SweepExpireVersion is the action reported for a noncurrent version or
// expired object delete marker removed by its bucket's lifecycle.
const SweepExpireVersion = "expire_lifecycle_version"

// expirerKey is the Redis lock that makes one gateway expire at a time.
const expirerKey = "tg:lifecycle:expirer"

// expirePage is how many keys one listing call of the expirer reads.
const expirePage = 1000

// Expirer deletes objects their bucket's lifecycle has expired, once
// across all gateways, as a DELETE would (on TernFS: unlinked).
type Expirer struct {
	m *Manager
	// now is the clock (tests move it forward).
	now func() time.Time
}

// NewExpirer returns an expirer over m's object layer, leading through m's
// tracker.
func NewExpirer(m *Manager) *Expirer {
	return &Expirer{m: m, now: time.Now}
}

// Run expires every interval until ctx ends.
func (e *Expirer) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if e.m.leads(ctx, expirerKey, interval) {
			if err := e.Expire(ctx); err != nil && ctx.Err() == nil {
				e.m.log.Warn("lifecycle: expiration round failed", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Expire runs one round over every bucket.
func (e *Expirer) Expire(ctx context.Context) error {
	buckets, err := e.m.objects.ListBuckets(ctx)
	if err != nil {
		return err
	}
	rules := newBucketRules(e.m)
	for _, b := range buckets {
		lc := rules.of(ctx, b.Name)
		if lc.Expires() {
			if err := e.expireBucket(ctx, b.Name, lc); err != nil {
				if ctx.Err() != nil {
					return err
				}
				e.m.log.Warn("lifecycle: cannot expire objects", "bucket", b.Name, "err", err)
			}
		}
		if lc.ExpiresVersions() {
			if err := e.expireVersions(ctx, b.Name, lc); err != nil {
				if ctx.Err() != nil {
					return err
				}
				e.m.log.Warn("lifecycle: cannot expire versions", "bucket", b.Name, "err", err)
			}
		}
	}
	return nil
}

// expireBucket walks the bucket's keys the rules may cover, a page at a
// time, deleting the expired ones.
func (e *Expirer) expireBucket(ctx context.Context, bucket string, lc Lifecycle) error {
	in := objects.ListInput{Bucket: bucket, Prefix: lc.expirationPrefix(), MaxKeys: expirePage}
	for {
		page, err := e.m.objects.List(ctx, in)
		if err != nil {
			return fmt.Errorf("list %q after %q: %w", bucket, in.After, err)
		}
		now := e.now()
		for _, o := range page.Objects {
			if lc.Expired(o.Key, o.Size, o.Metadata.Tags, o.LastModified, now) {
				e.expireObject(ctx, o)
			}
		}
		if !page.IsTruncated {
			return nil
		}
		in.After = page.Last
	}
}

// expireVersions permanently removes the noncurrent versions and expired
// object delete markers the rules expire. A bucket never versioned has
// none. Current objects are expireBucket's: in a versioned bucket their
// DELETE leaves a delete marker, as S3's expiration does.
func (e *Expirer) expireVersions(ctx context.Context, bucket string, lc Lifecycle) error {
	now := e.now()
	n, err := e.m.objects.ExpireVersions(ctx, bucket, lc.versionsPrefix(), func(c objects.ExpiryCandidate) bool {
		return lc.VersionExpired(c, now)
	})
	for range n {
		e.m.sweepDone(SweepExpireVersion)
	}
	if n > 0 {
		e.m.log.Info("lifecycle: expired versions", "bucket", bucket, "count", n)
	}
	return err
}

// expireObject deletes o if it is still the object listed: one overwritten
// since is newer and not expired.
func (e *Expirer) expireObject(ctx context.Context, o objects.ObjectInfo) {
	err := e.m.objects.DeleteIf(ctx, o.Bucket, o.Key, objects.DeleteConditions{IfMatch: o.ETag, LastModified: o.LastModified})
	switch {
	case err == nil:
		e.m.log.Info("lifecycle: expired object", "bucket", o.Bucket, "key", o.Key)
		e.m.sweepDone(SweepExpireObject)
	case errors.Is(err, s3err.NoSuchKey), errors.Is(err, s3err.PreconditionFailed):
		// Deleted or overwritten meanwhile: nothing to expire.
	default:
		e.m.log.Warn("lifecycle: cannot expire object", "bucket", o.Bucket, "key", o.Key, "err", err)
	}
}
