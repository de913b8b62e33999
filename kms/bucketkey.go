package kms

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// BucketKeyLifetime is how long a bucket key stays in memory after the
// KMS drew or opened it. AWS keeps its bucket keys "for a limited time"
// (user guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket
// Keys"); minutes bound how long a key disabled in the KMS keeps working.
const BucketKeyLifetime = 5 * time.Minute

// maxBucketKeys bounds the cache: past it, the entry nearest expiry goes.
const maxBucketKeys = 4096

// BucketKeys is the short-lived cache of S3 Bucket Keys in front of a
// Provider: one data key per bucket, master key and context, drawn once
// and then used to seal many objects' keys, and opened once per lifetime
// by readers of those objects. It holds plaintext keys in memory only,
// and serves none past its lifetime.
type BucketKeys struct {
	provider Provider
	lifetime time.Duration
	now      func() time.Time

	mu sync.Mutex
	// drawn is by the key ID asked for and context: the key new objects
	// are sealed under.
	drawn map[string]*bucketKey
	// opened is by the key's ARN, sealed bytes and context: keys readers
	// had the KMS open (and the drawn ones, which need no opening).
	opened map[string]*bucketKey
}

// bucketKey is one cache entry; ready closes once key or err is set.
type bucketKey struct {
	ready   chan struct{}
	key     DataKey
	err     error
	expires time.Time
}

// NewBucketKeys caches provider's bucket keys for lifetime.
func NewBucketKeys(provider Provider, lifetime time.Duration) *BucketKeys {
	return &BucketKeys{
		provider: provider,
		lifetime: lifetime,
		now:      time.Now,
		drawn:    map[string]*bucketKey{},
		opened:   map[string]*bucketKey{},
	}
}

// Generate is the bucket key for new objects sealed under keyID with ec
// (the bucket's ARN and the client's pairs): the cached one while it
// lives, else a fresh one from the KMS. The plaintext is the caller's
// copy, to zero once done.
func (b *BucketKeys) Generate(ctx context.Context, keyID string, ec Context) (DataKey, error) {
	name := keyID + "\x00" + string(ec.canonical())
	dk, err := b.get(ctx, b.drawn, name, func() (DataKey, error) {
		dk, err := b.provider.GenerateDataKey(ctx, keyID, ec)
		if err == nil {
			// Readers on this gateway need not ask the KMS to open it.
			b.put(b.opened, openedName(dk.KeyID, dk.Sealed, ec), dk)
		}
		return dk, err
	})
	if err != nil {
		return DataKey{}, err
	}
	return dk, nil
}

// Decrypt opens a bucket key (as Generate gave it, possibly on another
// gateway): the cached plaintext while it lives, else the KMS's answer.
// The plaintext is the caller's copy, to zero once done.
func (b *BucketKeys) Decrypt(ctx context.Context, keyARN string, sealed []byte, ec Context) ([]byte, error) {
	dk, err := b.get(ctx, b.opened, openedName(keyARN, sealed, ec), func() (DataKey, error) {
		plain, err := b.provider.Decrypt(ctx, keyARN, sealed, ec)
		return DataKey{KeyID: keyARN, Plaintext: plain, Sealed: sealed}, err
	})
	if err != nil {
		return nil, err
	}
	return dk.Plaintext, nil
}

func openedName(keyARN string, sealed []byte, ec Context) string {
	return keyARN + "\x00" + string(sealed) + "\x00" + string(ec.canonical())
}

// get answers name from cache, or fills it with fetch. Concurrent misses
// of one name make one KMS call; a failure is not cached.
func (b *BucketKeys) get(ctx context.Context, cache map[string]*bucketKey, name string, fetch func() (DataKey, error)) (DataKey, error) {
	b.mu.Lock()
	e, ok := cache[name]
	if ok && isReady(e) && !b.now().Before(e.expires) {
		b.evict(cache, name, e)
		ok = false
	}
	if !ok {
		e = &bucketKey{ready: make(chan struct{})}
		cache[name] = e
		b.mu.Unlock()
		e.key, e.err = fetch()
		b.mu.Lock()
		e.expires = b.now().Add(b.lifetime)
		if e.err != nil && cache[name] == e {
			delete(cache, name)
		}
		close(e.ready)
		b.trim(cache)
	}
	b.mu.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		return DataKey{}, fmt.Errorf("kms: waiting for a bucket key: %w", ctx.Err())
	}
	if e.err != nil {
		return DataKey{}, e.err
	}
	dk := e.key
	dk.Plaintext = append([]byte(nil), e.key.Plaintext...)
	return dk, nil
}

// put caches a key another call already holds.
func (b *BucketKeys) put(cache map[string]*bucketKey, name string, dk DataKey) {
	e := &bucketKey{ready: make(chan struct{}), expires: b.now().Add(b.lifetime)}
	e.key = dk
	e.key.Plaintext = append([]byte(nil), dk.Plaintext...)
	close(e.ready)
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := cache[name]; ok {
		if !isReady(old) {
			return
		}
		b.evict(cache, name, old)
	}
	cache[name] = e
	b.trim(cache)
}

// trim drops expired entries once the cache is full, then those nearest
// expiry. Called with mu held.
func (b *BucketKeys) trim(cache map[string]*bucketKey) {
	if len(cache) <= maxBucketKeys {
		return
	}
	now := b.now()
	for name, e := range cache {
		if isReady(e) && !now.Before(e.expires) {
			b.evict(cache, name, e)
		}
	}
	for len(cache) > maxBucketKeys {
		var oldest string
		var first *bucketKey
		for name, e := range cache {
			if isReady(e) && (first == nil || e.expires.Before(first.expires)) {
				oldest, first = name, e
			}
		}
		if first == nil {
			return // all in flight
		}
		b.evict(cache, oldest, first)
	}
}

// evict drops an entry. Its plaintext is not zeroed: a caller woken by
// ready may still be copying it. Called with mu held.
func (b *BucketKeys) evict(cache map[string]*bucketKey, name string, _ *bucketKey) {
	delete(cache, name)
}

func isReady(e *bucketKey) bool {
	select {
	case <-e.ready:
		return true
	default:
		return false
	}
}
