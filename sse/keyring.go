package sse

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

// KeyRing holds the master keys SSE-S3 seals object keys under, by ID. New
// objects are sealed under the current key; the others stay to open the
// objects sealed under them, so rotating is adding a key and making it
// current, without rewriting any object (each record names its key's ID).
type KeyRing struct {
	current string
	keys    map[string][]byte
}

// keyIDPattern keeps IDs printable and short: they are stored in every
// record and appear in logs (keys never do).
var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ParseKeyRing reads a key ring: one key a line, "<id> <base64 of 32 bytes>"
// (or "<id>:<base64>"); blank lines and lines starting with # are skipped.
// The first key is the current one. Errors name lines, never key material.
func ParseKeyRing(data []byte) (*KeyRing, error) {
	ring := &KeyRing{keys: map[string][]byte{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		id, encoded, ok := strings.Cut(text, " ")
		if !ok {
			id, encoded, ok = strings.Cut(text, ":")
		}
		id, encoded = strings.TrimSpace(id), strings.TrimSpace(encoded)
		if !ok || !keyIDPattern.MatchString(id) {
			return nil, fmt.Errorf("sse: key ring line %d: want \"<id> <base64 key>\" with an id of letters, digits, '.', '_' or '-'", line)
		}
		key, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil || len(key) != KeySize {
			clear(key)
			return nil, fmt.Errorf("sse: key ring line %d (key %q): the key must be base64 of %d bytes", line, id, KeySize)
		}
		if _, dup := ring.keys[id]; dup {
			clear(key)
			return nil, fmt.Errorf("sse: key ring line %d: key %q appears twice", line, id)
		}
		ring.keys[id] = key
		if ring.current == "" {
			ring.current = id
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sse: key ring: %w", err)
	}
	if ring.current == "" {
		return nil, fmt.Errorf("sse: key ring holds no key")
	}
	return ring, nil
}

// Current is the ID and key new objects are sealed under.
func (r *KeyRing) Current() (string, []byte) { return r.current, r.keys[r.current] }

// Key is the key of an ID.
func (r *KeyRing) Key(id string) ([]byte, bool) {
	k, ok := r.keys[id]
	return k, ok
}

// IDs lists the ring's key IDs, the current one first.
func (r *KeyRing) IDs() []string {
	ids := []string{r.current}
	for id := range r.keys {
		if id != r.current {
			ids = append(ids, id)
		}
	}
	return ids
}
