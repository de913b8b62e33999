package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"io"

	"github.com/terngate/terngate/s3err"
)

// payloadVerifier hashes the body as it streams through and, at the end,
// turns EOF into an error if the digest is not the one the client signed.
type payloadVerifier struct {
	src  io.Reader
	h    hash.Hash
	want []byte
	err  error // sticky terminal result: io.EOF or the mismatch
}

// NewPayloadVerifier returns a reader yielding body's bytes unchanged while
// computing their SHA-256 in the same pass. When body ends it returns
// io.EOF if the digest equals expectedHex (64 hex digits), and
// s3err.XAmzContentSHA256Mismatch otherwise, so a writer consuming it aborts
// instead of committing a body that was not the signed one.
func NewPayloadVerifier(body io.Reader, expectedHex string) io.Reader {
	want, err := hex.DecodeString(expectedHex)
	if err != nil || len(want) != sha256.Size {
		return &payloadVerifier{err: invalidContentSHA256(expectedHex)}
	}
	return &payloadVerifier{src: body, h: sha256.New(), want: want}
}

func (p *payloadVerifier) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.src.Read(b)
	if n > 0 {
		p.h.Write(b[:n])
	}
	switch {
	case err == io.EOF:
		p.err = p.finish()
		return n, p.err
	case err != nil:
		p.err = err
	}
	return n, err
}

// finish compares the digests. S3's error names both, as
// ClientComputedContentSHA256 and S3ComputedContentSHA256 (as in S3's
// answers recorded by OpenStack Swift's s3api functional tests).
func (p *payloadVerifier) finish() error {
	var sum [sha256.Size]byte
	got := p.h.Sum(sum[:0])
	if subtle.ConstantTimeCompare(got, p.want) != 1 {
		return s3err.XAmzContentSHA256Mismatch.WithFields(
			"ClientComputedContentSHA256", hex.EncodeToString(p.want),
			"S3ComputedContentSHA256", hex.EncodeToString(got))
	}
	return io.EOF
}
