// Package s3object moves the benchmarks' deterministic bodies (package
// payload) over S3: PUTs signed with a SHA-256 computed once, outside any
// timing, and GETs checked byte for byte as they are read. Every benchmark
// that talks S3 uses it, so they all send and check the same bytes the
// same way.
package s3object

import (
	"fmt"
	"sync"

	"github.com/terngate/terngate/bench/payload"
)

// Bodies hands out object bodies and their SHA-256, each hash computed
// once, during set-up, so no timed phase pays for it (see
// s3client.WithPayloadHash). Bodies depend only on seed and size, so every
// target and round receives identical bytes.
type Bodies struct {
	pattern *payload.Pattern
	mu      sync.Mutex
	sha     map[[2]int64]string // (seed, size) → hex SHA-256
}

// NewBodies returns an empty hash cache over the one fixed pattern.
func NewBodies() *Bodies {
	return &Bodies{pattern: payload.NewPattern(), sha: map[[2]int64]string{}}
}

// Pattern is what the bodies are cut from, for callers that need a body
// as a reader (multipart parts, local files).
func (b *Bodies) Pattern() *payload.Pattern { return b.pattern }

// Hash returns the hex SHA-256 of the body of seed and size.
func (b *Bodies) Hash(seed, size int64) (string, error) {
	k := [2]int64{seed, size}
	b.mu.Lock()
	defer b.mu.Unlock()
	if h, ok := b.sha[k]; ok {
		return h, nil
	}
	h, err := b.pattern.SHA256Hex(seed, size)
	if err != nil {
		return "", fmt.Errorf("hash body: %w", err)
	}
	b.sha[k] = h
	return h, nil
}

// Warm computes the hashes of seeds [0, seeds) at every size.
func (b *Bodies) Warm(seeds int, sizes ...int64) error {
	for seed := range seeds {
		for _, size := range sizes {
			if _, err := b.Hash(int64(seed), size); err != nil {
				return err
			}
		}
	}
	return nil
}
