package checksum

import (
	"bytes"
	"errors"
	"hash"
	"io"
	"strings"
)

// Reader passes a request body through while hashing it, and at EOF checks
// the client's checksum. It hashes the caller's own buffer in place: no byte
// is copied beyond what the hash itself reads.
//
// A Reader is used by one goroutine, like the body it wraps.
type Reader struct {
	body io.Reader
	spec Spec
	// alg is what we compute: the client's algorithm, or Default.
	alg  Algorithm
	hash hash.Hash

	trailer    string
	trailerSet bool

	// sum is the base64 checksum, set once the body verified at EOF.
	sum string
	// err is sticky: the verdict at EOF (io.EOF when it verified) or the
	// body's own error.
	err error
}

// NewVerifier wraps body so reading it to EOF verifies spec. With no
// checksum in spec it computes Default, which S3 stores for every object.
// The spec must come from FromHeaders (or name a valid algorithm).
func NewVerifier(body io.Reader, spec Spec) *Reader {
	alg := spec.Algorithm
	if alg == "" {
		alg = Default
	}
	return &Reader{body: body, spec: spec, alg: alg, hash: alg.New()}
}

// SetTrailer supplies the checksum value that arrived as an aws-chunked
// trailer. The decoder calls it once it has read the trailer, before it
// returns EOF; the value is checked at EOF like a header value.
func (r *Reader) SetTrailer(value string) {
	r.trailer, r.trailerSet = value, true
}

// Read reads from the body and hashes what it returns. At the body's EOF it
// checks the expected checksum and returns BadDigest on a mismatch (with the
// final bytes, so a writer that stores them must still abort), or an
// InvalidRequest / MalformedTrailerError for an unusable trailer.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.body.Read(p)
	if n > 0 {
		// hash.Hash.Write never fails.
		r.hash.Write(p[:n])
	}
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		r.err = r.finish()
	default:
		r.err = err
	}
	return n, r.err
}

// finish checks the digest at EOF and returns io.EOF when it matches.
func (r *Reader) finish() error {
	digest := r.hash.Sum(nil)
	if !r.spec.IsZero() {
		want, err := r.expected()
		if err != nil {
			return err
		}
		if !bytes.Equal(digest, want) {
			return errMismatch(r.alg)
		}
	}
	r.sum = Encode(digest)
	return io.EOF
}

// expected is the client's digest, from the header or the trailer.
func (r *Reader) expected() ([]byte, error) {
	if !r.spec.Trailer {
		want, err := Decode(r.alg, r.spec.Value)
		if err != nil {
			// FromHeaders validated it; only a hand-built Spec gets here.
			return nil, errInvalidHeaderValue(r.alg)
		}
		return want, nil
	}
	if !r.trailerSet {
		return nil, errMissingTrailer()
	}
	want, err := Decode(r.alg, strings.TrimSpace(r.trailer))
	if err != nil {
		return nil, errInvalidTrailerValue(r.alg)
	}
	return want, nil
}

// Algorithm is the algorithm the reader computes: the client's, or Default.
func (r *Reader) Algorithm() Algorithm { return r.alg }

// Sums returns the verified checksums, base64, keyed by algorithm, for the
// object's metadata. It is nil until the body has been read to EOF and
// verified.
func (r *Reader) Sums() map[Algorithm]string {
	if r.sum == "" {
		return nil
	}
	return map[Algorithm]string{r.alg: r.sum}
}

// Digest returns the verified raw digest (for COMPOSITE part checksums), or
// nil before a successful EOF.
func (r *Reader) Digest() []byte {
	if r.sum == "" {
		return nil
	}
	return r.hash.Sum(nil)
}
