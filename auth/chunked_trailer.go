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
// in.
func (c *ChunkedReader) readTrailers() error {
	var signedText strings.Builder
	var sig string
	budget := maxTrailerBytes
	for {
		line, err := c.readLine(maxChunkLine)
		if err == errChunkTruncated {
			break // the body may end right after the last line
		}
		if err != nil {
			return err
		}
		if budget -= len(line) + 2; budget < 0 {
			return ErrMalformedTrailer.With("The trailer section exceeds %d bytes.", maxTrailerBytes)
		}
		if line == "" {
			if c.signed && sig == "" && len(c.trailers) > 0 {
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
				return ErrMalformedTrailer.With("The trailer signature is given more than once.")
			}
			sig = value
			continue
		}
		if sig != "" {
			return ErrMalformedTrailer.With("A trailer follows the trailer signature.")
		}
		if c.trailers == nil {
			c.trailers = http.Header{}
		}
		if c.trailers.Get(name) != "" {
			return ErrMalformedTrailer.With("The trailer %s is given more than once.", name)
		}
		c.trailers.Set(name, value)
		signedText.WriteString(line)
		signedText.WriteByte('\n')
	}
	if !c.signed {
		return nil
	}
	if sig == "" {
		if len(c.trailers) > 0 {
			return ErrMalformedTrailer.With("The trailers lack their x-amz-trailer-signature.")
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
