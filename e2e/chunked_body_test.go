package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// aws-chunked bodies built by hand from the SigV4 streaming spec, so that
// tests can break exactly one thing in an otherwise valid request.

const (
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	emptySHA256              = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	chunkSignatureLength     = 64
)

// signedChunkedPut describes a STREAMING-AWS4-HMAC-SHA256-PAYLOAD PUT.
type signedChunkedPut struct {
	rawPath   string
	data      []byte
	chunkSize int
	// corruptChunk, when >= 0, is the index of the chunk whose signature
	// is sent with one hex digit changed.
	corruptChunk int
	// truncateAt, when > 0, cuts the encoded body to this many bytes
	// (Content-Length says the same, so only the aws-chunked framing is
	// incomplete).
	truncateAt int
}

// chunkSizes splits n bytes into chunks of size, then the final empty one.
func chunkSizes(n, size int) []int {
	var sizes []int
	for n > 0 {
		c := min(n, size)
		sizes = append(sizes, c)
		n -= c
	}
	return append(sizes, 0)
}

// encodedLength is the aws-chunked length of signed chunks of these sizes:
// "<hex>;chunk-signature=<64 hex>\r\n<data>\r\n" each.
func encodedLength(sizes []int) int {
	total := 0
	for _, n := range sizes {
		total += len(strconv.FormatInt(int64(n), 16)) + len(";chunk-signature=") + chunkSignatureLength + 2 + n + 2
	}
	return total
}

// send signs the headers (the seed signature), builds the chunk chain
// from it and sends the request.
func (p signedChunkedPut) send(t *testing.T, g *gateway) *rawResponse {
	t.Helper()
	ctx := testContext(t, time.Minute)
	sizes := chunkSizes(len(p.data), p.chunkSize)
	length := encodedLength(sizes)
	if p.truncateAt > 0 {
		length = p.truncateAt
	}
	// The body depends on the seed signature, which depends only on the
	// headers: sign first, fill the buffer before sending.
	body := &bytes.Buffer{}
	header := http.Header{}
	header.Set("Content-Encoding", "aws-chunked")
	header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(p.data)))
	// MultiReader hides the *bytes.Buffer, which http.NewRequest would
	// snapshot while it is still empty.
	req, err := g.newSignedRequest(ctx, rawRequest{method: "PUT", rawPath: p.rawPath, header: header, body: io.MultiReader(body),
		contentLength: int64(length), payloadHash: streamingSigned})
	mustNoErr(t, err, "sign %s", p.rawPath)
	seed, amzDate := seedSignature(t, req)

	key := signingKey(g.secretKey, amzDate[:8])
	scope := amzDate[:8] + "/" + testRegion + "/s3/aws4_request"
	prev, offset := seed, 0
	for i, n := range sizes {
		chunk := p.data[offset : offset+n]
		offset += n
		sig := chunkSignature(key, amzDate, scope, prev, chunk)
		prev = sig
		if i == p.corruptChunk {
			sig = flipHexDigit(sig)
		}
		fmt.Fprintf(body, "%x;chunk-signature=%s\r\n", n, sig)
		body.Write(chunk)
		body.WriteString("\r\n")
	}
	if body.Len() != encodedLength(sizes) {
		t.Fatalf("built %d bytes of aws-chunked body, computed %d", body.Len(), encodedLength(sizes))
	}
	if p.truncateAt > 0 {
		body.Truncate(p.truncateAt)
	}
	return readResponse(t, g, req)
}

// unsignedTrailerPut describes a STREAMING-UNSIGNED-PAYLOAD-TRAILER PUT
// with an x-amz-checksum-crc32 trailer, as botocore sends over HTTPS.
type unsignedTrailerPut struct {
	rawPath   string
	data      []byte
	chunkSize int
	trailer   string // the x-amz-checksum-crc32 value sent
	secretKey string // signs with this secret when set (a wrong signature)
}

func (p unsignedTrailerPut) send(t *testing.T, g *gateway) *rawResponse {
	t.Helper()
	var body bytes.Buffer
	offset := 0
	for _, n := range chunkSizes(len(p.data), p.chunkSize) {
		if n == 0 {
			break // the final chunk carries the trailer
		}
		fmt.Fprintf(&body, "%x\r\n", n)
		body.Write(p.data[offset : offset+n])
		body.WriteString("\r\n")
		offset += n
	}
	fmt.Fprintf(&body, "0\r\nx-amz-checksum-crc32:%s\r\n\r\n", p.trailer)
	header := http.Header{}
	header.Set("Content-Encoding", "aws-chunked")
	header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(p.data)))
	header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	r := rawRequest{method: "PUT", rawPath: p.rawPath, header: header, body: &body, contentLength: int64(body.Len()),
		payloadHash: streamingUnsignedTrailer}
	if p.secretKey != "" {
		r.accessKey, r.secretKey = g.accessKey, p.secretKey
	}
	return g.do(t, testContext(t, time.Minute), r)
}

var authSignature = regexp.MustCompile(`Signature=([0-9a-f]{64})$`)

// seedSignature returns the header signature and X-Amz-Date of req.
func seedSignature(t *testing.T, req *http.Request) (sig, amzDate string) {
	t.Helper()
	m := authSignature.FindStringSubmatch(req.Header.Get("Authorization"))
	amzDate = req.Header.Get("X-Amz-Date")
	if m == nil || len(amzDate) != len("20060102T150405Z") {
		t.Fatalf("no seed signature or date in Authorization %q, X-Amz-Date %q", req.Header.Get("Authorization"), amzDate)
	}
	return m[1], amzDate
}

// signingKey is the SigV4 key: HMAC chain over date, region, service.
func signingKey(secret, date string) []byte {
	key := hmacSHA256([]byte("AWS4"+secret), date)
	key = hmacSHA256(key, testRegion)
	key = hmacSHA256(key, "s3")
	return hmacSHA256(key, "aws4_request")
}

// chunkSignature signs one chunk, chained to the previous signature.
func chunkSignature(key []byte, amzDate, scope, prevSig string, chunk []byte) string {
	stringToSign := "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + prevSig + "\n" + emptySHA256 + "\n" + sha256Hex(chunk)
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func hmacSHA256(key []byte, s string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(s))
	return mac.Sum(nil)
}

func flipHexDigit(sig string) string {
	b := []byte(sig)
	if b[10] == '0' {
		b[10] = '1'
	} else {
		b[10] = '0'
	}
	return string(b)
}

// readResponse sends a prepared request and reads the whole answer.
func readResponse(t *testing.T, g *gateway, req *http.Request) *rawResponse {
	t.Helper()
	resp, err := g.httpClient(time.Minute).Do(req)
	mustNoErr(t, err, "%s %s", req.Method, req.URL.Opaque)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	mustNoErr(t, err, "read the response")
	return &rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}
