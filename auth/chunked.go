package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/terngate/terngate/s3err"
)

const (
	// DefaultMaxChunkSize bounds a signed chunk, which must be held in
	// memory until its signature is checked. Clients use 64 KiB to 1 MiB.
	DefaultMaxChunkSize = 16 << 20

	// maxChunkLine bounds a chunk header line; a signed one is ~90 bytes.
	maxChunkLine = 1024
	// maxTrailerBytes bounds the whole trailer section.
	maxTrailerBytes = 16 << 10

	chunkSignaturePrefix = "chunk-signature="
	trailerSignatureName = "x-amz-trailer-signature"
)

// ChunkedReader decodes an aws-chunked request body (Content-Encoding:
// aws-chunked) into the object's bytes.
//
// With STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] every chunk carries a
// signature chained from the request's seed signature; a chunk is buffered
// and its bytes are released only once its signature verifies, so nothing
// unauthenticated reaches the caller. With STREAMING-UNSIGNED-PAYLOAD-TRAILER
// the chunks are unsigned and stream through without buffering (SDKs send a
// whole object as one chunk); integrity then rests on the checksum trailer,
// which the caller checks.
type ChunkedReader struct {
	src         *chunkSource
	signed      bool // chunks carry chunk-signature extensions
	withTrailer bool // a trailer section may follow the final chunk
	maxChunk    int64
	wantDecoded int64 // -1 when unknown
	decoded     int64
	// trailerName is the one trailer x-amz-trailer declared (lower case),
	// "" when it declared none: any other trailer is malformed.
	trailerName string

	chunks   int   // chunk headers read so far
	lastSize int64 // size of the previous chunk

	// Signature chaining state (signed modes only).
	mac     hash.Hash
	date    string
	scope   string
	prevSig string

	pending   []byte // verified bytes of the current signed chunk not yet read
	buf       []byte // storage behind pending, reused across chunks
	left      int64  // unread bytes of the current unsigned chunk
	afterData bool   // an unsigned chunk's data ended; its CRLF is due

	trailers http.Header
	err      error // sticky; io.EOF after a clean end
}

// ChunkedOption tunes a ChunkedReader.
type ChunkedOption func(*ChunkedReader)

// WithMaxChunkSize sets the largest signed chunk accepted (default
// DefaultMaxChunkSize); n <= 0 keeps the default.
func WithMaxChunkSize(n int) ChunkedOption {
	return func(c *ChunkedReader) {
		if n > 0 {
			c.maxChunk = int64(n)
		}
	}
}

// WithDecodedLength makes the reader fail with ErrChunkedBodyIncomplete unless
// the decoded bytes total n (the x-amz-decoded-content-length header).
func WithDecodedLength(n int64) ChunkedOption {
	return func(c *ChunkedReader) { c.wantDecoded = n }
}

// WithTrailer declares the trailer the x-amz-trailer header announced (its
// value as sent: one name, blanks and empty list items aside; the caller
// refuses more than one). A trailer section holding any other, or lacking
// it, is MalformedTrailerError; without a declared name any trailer at all
// is.
func WithTrailer(header string) ChunkedOption {
	return func(c *ChunkedReader) {
		for _, name := range strings.Split(header, ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				c.trailerName = name
				return
			}
		}
	}
}

// NewChunkedReader decodes body, sent with x-amz-content-sha256 mode, using
// res (the verified request) to check chunk and trailer signatures. An
// unsupported mode, or a signed mode without a signing key, makes every Read
// fail.
func NewChunkedReader(body io.Reader, res Result, mode string, opts ...ChunkedOption) *ChunkedReader {
	c := &ChunkedReader{
		src:         newChunkSource(body),
		maxChunk:    DefaultMaxChunkSize,
		wantDecoded: -1,
	}
	for _, o := range opts {
		o(c)
	}
	switch mode {
	case StreamingPayload:
		c.signed = true
	case StreamingPayloadTrailer:
		c.signed, c.withTrailer = true, true
	case StreamingUnsignedPayloadTrailer:
		c.withTrailer = true
	default:
		c.err = s3err.InvalidArgument.With("x-amz-content-sha256 %q is not an aws-chunked mode", mode)
		return c
	}
	if c.signed {
		if len(res.SigningKey) == 0 || res.Signature == "" {
			c.err = fmt.Errorf("auth: chunk signatures need the verified request's signing key: %w", s3err.InternalError)
			return c
		}
		c.mac = hmac.New(sha256.New, res.SigningKey)
		c.date = res.Date.UTC().Format(iso8601Basic)
		c.scope = res.Scope
		c.prevSig = res.Signature
	}
	return c
}

// Trailers returns the trailer headers (x-amz-checksum-*, ...) once Read has
// returned io.EOF; before that, or after a failure, it returns nil.
func (c *ChunkedReader) Trailers() http.Header {
	if c.err != io.EOF {
		return nil
	}
	if c.trailers == nil {
		return http.Header{}
	}
	return c.trailers
}

// Read returns decoded object bytes.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	for {
		switch {
		case c.err != nil:
			return 0, c.err
		case len(c.pending) > 0:
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		case c.left > 0:
			return c.readUnsigned(p)
		case len(p) == 0:
			return 0, nil
		}
		var n int
		n, c.err = c.nextChunk(p)
		if n > 0 {
			return n, nil
		}
	}
}

// readUnsigned streams the current unsigned chunk straight from the source.
func (c *ChunkedReader) readUnsigned(p []byte) (int, error) {
	n, err := c.src.read(p, int(min(int64(len(p)), c.left)))
	c.left -= int64(n)
	switch {
	case err == io.EOF && c.left > 0:
		c.err = ErrChunkedBodyIncomplete
	case err != nil && err != io.EOF:
		c.err = fmt.Errorf("reading aws-chunked body: %w", err)
	}
	if n == 0 && c.err != nil {
		return 0, c.err
	}
	return n, nil
}

// nextChunk reads the next chunk header and, for signed chunks, the data,
// which it verifies. A signed chunk that fits in p is read straight into p
// and reported as n bytes delivered, saving a copy of every byte; the
// caller sees them only once the signature matched (n is 0 otherwise).
// After the final chunk it reads the trailers and returns io.EOF.
func (c *ChunkedReader) nextChunk(p []byte) (int, error) {
	if c.afterData {
		if err := c.expectCRLF(); err != nil {
			return 0, err
		}
		c.afterData = false
	}
	line, err := c.readLine(maxChunkLine)
	if err != nil {
		return 0, err
	}
	size, sig, err := c.parseChunkHeader(line)
	if err != nil {
		return 0, err
	}
	c.decoded += size
	if c.wantDecoded >= 0 && c.decoded > c.wantDecoded {
		return 0, ErrChunkedBodyIncomplete
	}
	if !c.signed {
		if size == 0 {
			return 0, c.finish()
		}
		c.left, c.afterData = size, true
		return 0, nil
	}
	direct := size > 0 && size <= int64(len(p))
	into := c.buf
	if direct {
		into = p
	}
	data, err := c.readSignedData(size, into)
	if err != nil {
		return 0, err
	}
	if err := c.verifyChunk(data, sig); err != nil {
		return 0, err
	}
	if size == 0 {
		return 0, c.finish()
	}
	if direct {
		return len(data), nil
	}
	c.buf, c.pending = data[:cap(data)], data
	return 0, nil
}

// parseChunkHeader reads "hex-size;chunk-signature=sig" (signed modes) or
// "hex-size" (unsigned): S3 knows no other chunk extension, and refuses
// one, or a signature missing, as a broken body (s3rver
// lib/signature/v4.js records S3's answer).
func (c *ChunkedReader) parseChunkHeader(line string) (int64, string, error) {
	sizeText, ext, hasExt := strings.Cut(line, ";")
	size, err := parseChunkSize(sizeText)
	if err != nil {
		return 0, "", err
	}
	c.chunks++
	// Only the last data chunk may be under 8 KiB; the rule shows when
	// another data chunk follows it.
	if size > 0 && c.chunks > 1 && c.lastSize < minChunkSize {
		return 0, "", invalidChunkSize(c.chunks, c.lastSize)
	}
	c.lastSize = size
	if !c.signed {
		if hasExt {
			return 0, "", ErrChunkedBodyIncomplete
		}
		return size, "", nil
	}
	sig, ok := strings.CutPrefix(ext, chunkSignaturePrefix)
	if !hasExt || !ok || sig == "" || strings.ContainsAny(sig, ";=") {
		return 0, "", ErrChunkedBodyIncomplete
	}
	if size > c.maxChunk {
		// Our own bound (a signed chunk is held in memory until it
		// verifies), reported in S3's words for a chunk size it refuses.
		return 0, "", ErrInvalidChunkSize.WithFields("Chunk", strconv.Itoa(c.chunks), "BadChunkSize", strconv.FormatInt(size, 10))
	}
	return size, sig, nil
}

// parseChunkSize reads a chunk size: hex digits only (no sign, no space),
// at most fifteen so that it cannot overflow int64.
func parseChunkSize(s string) (int64, error) {
	if s == "" || len(s) > 15 {
		return 0, ErrChunkedBodyIncomplete
	}
	for i := 0; i < len(s); i++ {
		if _, ok := unhex(s[i]); !ok {
			return 0, ErrChunkedBodyIncomplete
		}
	}
	n, err := strconv.ParseInt(s, 16, 64)
	if err != nil {
		return 0, ErrChunkedBodyIncomplete
	}
	return n, nil
}

// readSignedData reads a chunk's size bytes into buf, or into a new buffer
// when buf is too small. Room in buf past size lets the framing after the
// chunk arrive in the same read.
func (c *ChunkedReader) readSignedData(size int64, buf []byte) ([]byte, error) {
	if int64(cap(buf)) < size {
		buf = make([]byte, size+chunkSourceSize)
	}
	buf = buf[:cap(buf)]
	if err := c.src.readFull(buf, int(size)); err != nil {
		return nil, c.sourceError(err)
	}
	data := buf[:size]
	if size > 0 {
		if err := c.expectCRLF(); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// verifyChunk checks a chunk's signature, chained from the previous one.
func (c *ChunkedReader) verifyChunk(data []byte, sig string) error {
	sum := sha256.Sum256(data)
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.date + "\n" + c.scope + "\n" + c.prevSig + "\n" + emptySHA256 + "\n" + hex.EncodeToString(sum[:])
	if !c.signatureMatches(sts, sig) {
		return s3err.SignatureDoesNotMatch
	}
	c.prevSig = sig
	return nil
}

func (c *ChunkedReader) signatureMatches(stringToSign, sig string) bool {
	c.mac.Reset()
	c.mac.Write([]byte(stringToSign))
	return signatureMatches(c.mac.Sum(nil), sig)
}

// finish reads what follows the final chunk and checks the totals: the
// CRLF ending the body, or the trailer section and the empty line ending
// it. Nothing may follow, so a body cut short by its last bytes is refused
// like any other truncated one.
func (c *ChunkedReader) finish() error {
	if c.withTrailer {
		if err := c.readTrailers(); err != nil {
			return err
		}
		// minio-go's unsigned-trailer encoder writes one CRLF more.
		if err := c.skipCRLF(); err != nil {
			return err
		}
	} else if err := c.expectCRLF(); err != nil {
		return err
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	if c.wantDecoded >= 0 && c.decoded != c.wantDecoded {
		return ErrChunkedBodyIncomplete
	}
	return io.EOF
}

// expectEnd accepts only the end of the body.
func (c *ChunkedReader) expectEnd() error {
	_, err := c.src.readByte()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return c.sourceError(err)
	}
	return ErrChunkedBodyIncomplete
}

// skipCRLF consumes a CRLF if one comes next.
func (c *ChunkedReader) skipCRLF() error {
	next, err := c.src.peek(2)
	if err != nil && err != io.EOF {
		return c.sourceError(err)
	}
	if string(next) == "\r\n" {
		c.src.discard(2)
	}
	return nil
}

func (c *ChunkedReader) expectCRLF() error {
	crlf, err := c.src.peek(2)
	if len(crlf) < 2 {
		return c.sourceError(err)
	}
	if string(crlf) != "\r\n" {
		return ErrChunkedBodyIncomplete
	}
	c.src.discard(2)
	return nil
}

// readLine reads one line ending in "\n" (optionally "\r\n") without its
// terminator. The end of the body before a terminator is
// ErrChunkedBodyIncomplete.
func (c *ChunkedReader) readLine(limit int) (string, error) {
	line, err := c.src.readLine()
	switch {
	case errors.Is(err, errLineTooLong):
		return "", ErrChunkedBodyIncomplete
	case err == io.EOF:
		return "", ErrChunkedBodyIncomplete
	case err != nil:
		return "", c.sourceError(err)
	case len(line) > limit:
		return "", ErrChunkedBodyIncomplete
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return string(line), nil
}

// sourceError maps a read failure of the underlying body.
func (c *ChunkedReader) sourceError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrChunkedBodyIncomplete
	}
	return fmt.Errorf("reading aws-chunked body: %w", err)
}
