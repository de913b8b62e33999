package sse

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// PartKey is the key that encrypts part number of a multipart object whose
// object key is key. Each part is its own DARE stream under its own key, so
// a part's packages cannot be moved into another part, and the parts'
// spans can be moved into the object without being rewritten. A part
// uploaded again under the same number gets the same key but a fresh
// random stream nonce (sio draws one per stream). Zero it once done.
func PartKey(key *ObjectKey, number int) *ObjectKey {
	mac := hmac.New(sha256.New, key[:])
	mac.Write([]byte("terngate-sse-part-v1"))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(number))
	mac.Write(n[:])
	k := new(ObjectKey)
	mac.Sum(k[:0])
	return k
}
