package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// readTrailers parses the section after the final chunk: "name:value"
// lines, then (signed mode) "x-amz-trailer-signature:sig", then an empty
// line. The signature covers the trailer lines, each ended by "\n".
// minio-go puts an empty line between the trailers and their signature, so
// in signed mode an empty line ends the section only once the signature is
// in. The only trailer allowed is the one x-amz-trailer declared, and it
// must come: S3 answers MalformedTrailerError otherwise.
func (c *ChunkedReader) readTrailers() error {
	var signedText strings.Builder
	var sig string
	blankSeen := false // minio-go's empty line before the signature
	budget := maxTrailerBytes
	for {
		line, err := c.readLine(maxChunkLine)
		if err != nil {
			return err
		}
		if budget -= len(line) + 2; budget < 0 {
			return ErrMalformedTrailer
		}
		if line == "" {
			if c.signed && sig == "" && len(c.trailers) > 0 && !blankSeen {
				blankSeen = true
				continue
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return ErrMalformedTrailer
		}
		value = strings.TrimSpace(value)
		if c.signed && name == trailerSignatureName {
			if sig != "" {
				return ErrMalformedTrailer
			}
			sig = value
			continue
		}
		if sig != "" || name != c.trailerName {
			return ErrMalformedTrailer
		}
		if c.trailers == nil {
			c.trailers = http.Header{}
		}
		if c.trailers.Get(name) != "" {
			return ErrMalformedTrailer
		}
		c.trailers.Set(name, value)
		signedText.WriteString(line)
		signedText.WriteByte('\n')
	}
	if c.trailerName != "" && c.trailers.Get(c.trailerName) == "" {
		return ErrMalformedTrailer
	}
	if !c.signed {
		return nil
	}
	if sig == "" {
		if len(c.trailers) > 0 {
			return ErrMalformedTrailer
		}
		return nil
	}
	sum := sha256.Sum256([]byte(signedText.String()))
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.date + "\n" + c.scope + "\n" + c.prevSig + "\n" + hex.EncodeToString(sum[:])
	if !c.signatureMatches(sts, sig) {
		return s3err.SignatureDoesNotMatch
	}
	return nil
}
