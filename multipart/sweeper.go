package multipart

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/terngate/terngate/store"
)

// ExpiryFunc returns how long uploads in bucket may stay idle, or ok=false
// for the default. Uploads a rule of the bucket's lifecycle covers
// (AbortIncompleteMultipartUpload) follow the rule instead.
type ExpiryFunc func(ctx context.Context, bucket string) (time.Duration, bool)

// Sweeper does the background work of multipart uploads, once across all
// gateways: it aborts idle uploads, keeps live parts' transient files from
// reaching their deadline, and scraps transient files of uploads the
// tracker no longer knows (after Redis lost data).
type Sweeper struct {
	m      *Manager
	expiry ExpiryFunc
	// unknown remembers when a transient file of an unknown upload was
	// first seen, so it is scrapped only after OrphanGrace.
	unknown map[store.ID]time.Time
	// now is the clock (tests move it forward).
	now func() time.Time
}

// NewSweeper returns a sweeper over m; expiry may be nil.
func NewSweeper(m *Manager, expiry ExpiryFunc) *Sweeper {
	return &Sweeper{m: m, expiry: expiry, unknown: make(map[store.ID]time.Time), now: time.Now}
}

// leaderKey is the Redis lock that makes one gateway sweep at a time.
const leaderKey = "tg:mpu:sweeper"

// Run sweeps every interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if s.lead(ctx, interval) {
			if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				s.m.log.Warn("multipart: sweep failed", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// lead reports whether this gateway sweeps this round.
func (s *Sweeper) lead(ctx context.Context, interval time.Duration) bool {
	return s.m.leads(ctx, leaderKey, interval)
}

// Sweep runs one round.
func (s *Sweeper) Sweep(ctx context.Context) error {
	rules := newBucketRules(s.m)
	if err := s.abortByLifecycle(ctx, rules); err != nil {
		return err
	}
	if err := s.abortIdle(ctx, rules); err != nil {
		return err
	}
	if err := s.keepAlive(ctx); err != nil {
		return err
	}
	return s.scrapUnknown(ctx)
}

// abortIdle aborts uploads idle for longer than the default expiry (or the
// bucket's, from the ExpiryFunc); uploads a lifecycle rule covers are left
// to abortByLifecycle.
func (s *Sweeper) abortIdle(ctx context.Context, rules *bucketRules) error {
	now := s.now()
	// An ExpiryFunc counts whole days; the default may be shorter.
	shortest := min(s.m.opts.Expiry, 24*time.Hour)
	idle, err := s.m.tracker.Idle(ctx, now.Add(-shortest))
	if err != nil {
		return err
	}
	limits := map[string]time.Duration{}
	for _, u := range idle {
		if _, ruled := rules.of(ctx, u.Bucket).AbortAfter(u.Key); ruled {
			continue
		}
		limit, seen := limits[u.Bucket]
		if !seen {
			limit = s.m.opts.Expiry
			if s.expiry != nil {
				if d, ok := s.expiry(ctx, u.Bucket); ok {
					limit = d
				}
			}
			limits[u.Bucket] = limit
		}
		if active, err := s.lastActive(ctx, u); err != nil || now.Sub(active) < limit {
			continue
		}
		if err := s.m.Abort(ctx, u.Bucket, u.Key, u.ID); err != nil {
			s.m.log.Info("multipart: cannot abort idle upload", "upload", u.ID, "err", err)
			continue
		}
		s.m.log.Info("multipart: aborted idle upload", "bucket", u.Bucket, "key", u.Key, "upload", u.ID)
		s.m.sweepDone(SweepAbortIdle)
	}
	return nil
}

// lastActive is the upload's latest activity: its newest part or creation.
func (s *Sweeper) lastActive(ctx context.Context, u Upload) (time.Time, error) {
	parts, _, err := s.m.tracker.Parts(ctx, u.ID, 0, 0)
	if err != nil {
		return time.Time{}, err
	}
	last := u.Initiated
	for _, p := range parts {
		if p.LastModified.After(last) {
			last = p.LastModified
		}
	}
	return last, nil
}

func (s *Sweeper) keepAlive(ctx context.Context) error {
	return s.m.tracker.Active(ctx, func(u Upload, parts []Part) error {
		for _, p := range parts {
			if err := s.m.st.KeepAlive(ctx, p.File); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
}

func (s *Sweeper) scrapUnknown(ctx context.Context) error {
	var files []store.TransientInfo
	err := s.m.st.VisitTransient(ctx, func(ti store.TransientInfo) error {
		if strings.HasPrefix(ti.Note, "mpu:") {
			files = append(files, ti)
		}
		return nil
	})
	if err != nil {
		return err
	}
	now := time.Now()
	seen := make(map[store.ID]time.Time, len(s.unknown))
	for _, f := range files {
		id := strings.TrimPrefix(f.Note, "mpu:")
		if _, err := s.m.tracker.Get(ctx, id); !errors.Is(err, ErrNoSuchUpload) {
			continue // live (or the tracker is unreachable: do nothing)
		}
		first, ok := s.unknown[f.ID]
		if !ok {
			first = now
		}
		if now.Sub(first) < s.m.opts.OrphanGrace {
			seen[f.ID] = first
			continue
		}
		s.m.scrap(ctx, f.Transient)
		s.m.log.Info("multipart: released file of an unknown upload", "upload", id, "file", f.ID)
		s.m.sweepDone(SweepReleaseUnknown)
	}
	s.unknown = seen
	return nil
}
