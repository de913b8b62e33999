package s3bench

import (
	"fmt"
	"sync"

	"github.com/terngate/terngate/bench/payload"
)

// bodies hands out object bodies and their SHA-256, each hash computed
// once, during set-up, so no timed phase pays for it (see
// s3client.WithPayloadHash). Bodies depend only on seed and size, so every
// target and round receives identical bytes.
type bodies struct {
	pattern *payload.Pattern
	mu      sync.Mutex
	sha     map[[2]int64]string // (seed, size) → hex SHA-256
}

func newBodies() *bodies {
	return &bodies{pattern: payload.NewPattern(), sha: map[[2]int64]string{}}
}

// hash returns the hex SHA-256 of the body of seed and size.
func (b *bodies) hash(seed, size int64) (string, error) {
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

// warm computes the hashes of seeds [0, seeds) at every size.
func (b *bodies) warm(seeds int, sizes ...int64) error {
	for seed := range seeds {
		for _, size := range sizes {
			if _, err := b.hash(int64(seed), size); err != nil {
				return err
			}
		}
	}
	return nil
}

// partSizes splits an object into multipart parts of partSize, the last
// one shorter if need be.
func partSizes(size, partSize int64) []int64 {
	var parts []int64
	for left := size; left > 0; left -= partSize {
		parts = append(parts, min(left, partSize))
	}
	return parts
}
