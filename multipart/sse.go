package multipart

import (
	"context"
	"encoding/hex"
	"errors"
	"io"

	"github.com/terngate/terngate/sse"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
)

// Encryption is how an upload's parts are encrypted, kept in the upload's
// state so that any gateway serves its parts. It holds the object key only
// sealed, as the single-PUT path seals it (any mode of package sse), and
// never an SSE-C key, only that key's MD5.
type Encryption struct {
	Info sse.Info `json:"i"`
	// PlainETag keeps part ETags the MD5 of their plaintext (SSE-S3, as
	// AWS); otherwise each is opaque (sse.OpaqueETag).
	PlainETag bool `json:"pe,omitempty"`
	// Method is x-amz-server-side-encryption's value in the upload's
	// responses; empty for SSE-C.
	Method string `json:"me,omitempty"`
	// CustomerKeyMD5 is the SSE-C key's MD5 (base64), which every part's
	// key must match and the responses echo.
	CustomerKeyMD5 string `json:"ck,omitempty"`
}

// errNoPartKey is a caller's bug: an encrypted upload's part came without
// the upload's object key.
var errNoPartKey = errors.New("multipart: part of an encrypted upload without its object key")

// unsealPartKey asks the caller for the upload's object key.
func unsealPartKey(u Upload, in PartInput) (*sse.ObjectKey, error) {
	var key *sse.ObjectKey
	if in.Unseal != nil {
		var err error
		if key, err = in.Unseal(u.Encryption); err != nil {
			return nil, err
		}
	}
	if u.Encryption != nil && key == nil {
		return nil, errNoPartKey
	}
	return key, nil
}

// countingReader counts the plaintext bytes that go into the encryption.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// partStream is what is stored for one part's plaintext: plain itself, or
// its own DARE stream under the part's key (sse.PartKey). plainCount
// reports the plaintext bytes read once the stream is drained. The
// returned key is nil for a plain upload; zero it once done.
func partStream(u Upload, number int, key *sse.ObjectKey, plain io.Reader) (stored io.Reader, plainCount func(stored int64) int64, partKey *sse.ObjectKey, err error) {
	if u.Encryption == nil {
		return plain, func(n int64) int64 { return n }, nil, nil
	}
	partKey = sse.PartKey(key, number)
	counted := &countingReader{r: plain}
	stored, err = sse.EncryptReader(counted, partKey)
	if err != nil {
		partKey.Zero()
		return nil, nil, nil, err
	}
	return stored, func(int64) int64 { return counted.n }, partKey, nil
}

// partETag is a part's ETag (hex) from its plaintext's MD5: that MD5, or
// for modes whose ETags must not reveal it, an opaque digest of it under
// the part's key. Either is 16 bytes, so the object's ETag is still the MD5
// of the parts' ETags.
func partETag(u Upload, partKey *sse.ObjectKey, md5sum []byte) string {
	if u.Encryption == nil || u.Encryption.PlainETag {
		return hex.EncodeToString(md5sum)
	}
	return sse.OpaqueETag(partKey, md5sum)
}

// link links an assembled object, with its encryption if the upload is
// encrypted.
func (m *Manager) link(ctx context.Context, u Upload, whole store.Transient, md objects.Metadata, etag string, parts []objects.AssembledPart, cond objects.Conditions) (objects.ObjectInfo, error) {
	if u.Encryption == nil {
		return m.objects.LinkAssembled(ctx, u.Bucket, u.Key, whole, md, etag, parts, cond)
	}
	return m.objects.LinkAssembledEncrypted(ctx, u.Bucket, u.Key, whole, md, etag, parts, u.Encryption.Info, cond)
}

// plainSize is the plaintext size of the object the listed parts make.
func (p completePlan) plainSize() int64 {
	var n int64
	for _, part := range p.listed {
		n += part.Size
	}
	return n
}
