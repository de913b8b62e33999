package multipart

import (
	"context"
	"errors"

	"github.com/terngate/terngate/s3err"
)

// bucketRules reads each bucket's lifecycle once per sweep.
type bucketRules struct {
	m     *Manager
	cache map[string]Lifecycle
}

func newBucketRules(m *Manager) *bucketRules {
	return &bucketRules{m: m, cache: make(map[string]Lifecycle)}
}

// of returns the bucket's lifecycle; none when it has no configuration, or
// one that cannot be read (logged: the default expiry then applies).
func (b *bucketRules) of(ctx context.Context, bucket string) Lifecycle {
	if lc, ok := b.cache[bucket]; ok {
		return lc
	}
	var lc Lifecycle
	doc, err := b.m.objects.BucketLifecycle(ctx, bucket)
	switch {
	case err == nil:
		if lc, err = ParseLifecycle(doc); err != nil {
			b.m.log.Warn("multipart: stored lifecycle does not parse", "bucket", bucket, "err", err)
		}
	case errors.Is(err, s3err.NoSuchLifecycleConfiguration), errors.Is(err, s3err.NoSuchBucket):
	default:
		b.m.log.Warn("multipart: cannot read lifecycle", "bucket", bucket, "err", err)
	}
	b.cache[bucket] = lc
	return lc
}

// abortByLifecycle aborts the uploads a rule of their bucket has expired:
// counted from initiation, whatever their activity, as S3 does.
func (s *Sweeper) abortByLifecycle(ctx context.Context, rules *bucketRules) error {
	now := s.now()
	var expired []Upload
	err := s.m.tracker.Active(ctx, func(u Upload, _ []Part) error {
		if after, ok := rules.of(ctx, u.Bucket).AbortAfter(u.Key); ok && now.Sub(u.Initiated) >= after {
			expired = append(expired, u)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Aborted after the walk: the tracker may hold a transaction during it.
	for _, u := range expired {
		if err := s.m.Abort(ctx, u.Bucket, u.Key, u.ID); err != nil {
			s.m.log.Info("multipart: cannot abort upload expired by lifecycle", "upload", u.ID, "err", err)
			continue
		}
		s.m.log.Info("multipart: aborted upload per bucket lifecycle", "bucket", u.Bucket, "key", u.Key, "upload", u.ID)
		s.m.sweepDone(SweepAbortLifecycle)
	}
	return nil
}
