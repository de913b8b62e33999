package s3api

import (
	"errors"
	"io"
	"strings"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// checksumTypeFullObject is the checksum type of a checksum over the whole
// object (as opposed to COMPOSITE, a checksum of part checksums).
const checksumTypeFullObject = "FULL_OBJECT"

// upload is an object body as the object layer consumes it: decoded from
// its transfer form and checked, as it is read, against every signature and
// checksum the client sent. Its last Read before EOF fails instead if any
// check fails, so the layer never links a body that did not verify.
type upload struct {
	body io.Reader
	// size is the object's length (the decoded length of an aws-chunked
	// body), or -1 when the client did not announce it.
	size int64
	sums *checksum.Reader
}

// openUpload prepares a PutObject (or UploadPart) body.
func (s *server) openUpload(r *request) (*upload, error) {
	spec, err := checksum.FromHeaders(requestHeaders(r))
	if err != nil {
		return nil, err
	}
	mode, err := payloadMode(r)
	if err != nil {
		return nil, err
	}
	if spec.Trailer && !carriesTrailer(mode) {
		return nil, s3err.InvalidRequest.With("The x-amz-trailer header needs an aws-chunked body with trailers (x-amz-content-sha256 %s).", auth.StreamingUnsignedPayloadTrailer)
	}
	up := &upload{}
	var decoded io.Reader
	if strings.HasPrefix(mode, streamingPrefix) {
		body, err := s.payload(r)
		if err != nil {
			return nil, err
		}
		// The chunked reader enforces the decoded length itself and must
		// be read to its own EOF so that the trailer is parsed.
		up.size, _ = decodedLength(r, s.cfg.MaxPutSize)
		decoded = &trailerHandoff{body: body, name: spec.TrailerName(), up: up}
	} else {
		// Only an aws-chunked body may come in the chunked transfer
		// coding: S3 answers NotImplemented for any other.
		if r.c.Request().Header.ContentLength() == -1 {
			return nil, errTransferEncoding
		}
		if up.size, err = declaredLength(r, s.cfg.MaxPutSize); err != nil {
			return nil, err
		}
		body, err := s.payload(r)
		if err != nil {
			return nil, err
		}
		decoded = newSizedBody(body, up.size, s.cfg.MaxPutSize)
	}
	up.sums = checksum.NewVerifier(decoded, spec)
	up.body = up.sums
	return up, nil
}

// commitChecksums is the PutInput.BeforeCommit hook: it records the
// verified checksum in the object's metadata.
func (up *upload) commitChecksums(md *objects.Metadata) error {
	sums := up.sums.Sums()
	if len(sums) == 0 {
		// The layer calls the hook only after a clean EOF, which is when
		// the verifier sets its sums.
		return errors.New("s3api: checksum verifier finished without a checksum")
	}
	md.Checksums = make(map[string]string, len(sums))
	for alg, v := range sums {
		md.Checksums[string(alg)] = v
	}
	md.ChecksumType = checksumTypeFullObject
	return nil
}

// carriesTrailer reports whether a payload mode has a trailer section.
func carriesTrailer(mode string) bool {
	return mode == auth.StreamingUnsignedPayloadTrailer || mode == auth.StreamingPayloadTrailer
}

// trailerHandoff hands the checksum trailer that the aws-chunked decoder
// parsed at the end of the body to the checksum verifier, which reads
// through it and checks the value at the same EOF.
type trailerHandoff struct {
	body io.Reader
	name string
	up   *upload
}

func (t *trailerHandoff) Read(p []byte) (int, error) {
	n, err := t.body.Read(p)
	if errors.Is(err, io.EOF) && t.name != "" {
		if cr, ok := t.body.(*auth.ChunkedReader); ok {
			if v := cr.Trailers().Get(t.name); v != "" {
				t.up.sums.SetTrailer(v)
			}
		}
	}
	return n, err
}
