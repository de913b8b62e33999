package auth

import "sync"

// maxCachedSigningKeys bounds the cache; past it the cache starts afresh.
// A key lives for one day of one access key in one region, so a gateway
// holds about one per active access key.
const maxCachedSigningKeys = 4096

// signingKeys caches derived SigV4 signing keys. A key depends only on the
// secret and the credential scope, yet deriving it costs four HMACs, a
// third of verifying a small request; every request a client signs on one
// day shares it. The zero value is ready to use.
type signingKeys struct {
	mu   sync.Mutex
	keys map[signingKeyScope][]byte
}

// signingKeyScope is what a signing key is derived from. The secret is part
// of it so that a changed secret never meets a key derived from the old one.
type signingKeyScope struct {
	secret, date, region, service string
}

// get returns the signing key for the scope, deriving it on first use. The
// returned slice is shared: callers must not modify it.
func (c *signingKeys) get(secret, date, region, service string) []byte {
	scope := signingKeyScope{secret: secret, date: date, region: region, service: service}
	c.mu.Lock()
	key, ok := c.keys[scope]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = deriveSigningKey(secret, date, region, service)
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedSigningKeys {
		c.keys = make(map[signingKeyScope][]byte)
	}
	c.keys[scope] = key
	c.mu.Unlock()
	return key
}
