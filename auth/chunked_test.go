package auth

import (
	"bytes"
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
	"testing"
	"testing/iotest"
	"time"

	"github.com/minio/minio-go/v7/pkg/signer"

	"github.com/terngate/terngate/s3err"
)

// The streaming example of the S3 SigV4 documentation: a 66560-byte object
// of 'a' sent as a 65536-byte chunk, a 1024-byte chunk and the final chunk,
// with the published seed and chunk signatures.
func TestChunkedAWSDocumentationExample(t *testing.T) {
	docTime := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	v := &Verifier{
		Region:      "us-east-1",
		Credentials: staticCreds{"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		Now:         func() time.Time { return docTime },
	}
	r := &Request{Method: "PUT", Host: "s3.amazonaws.com", RawPath: "/examplebucket/chunkObject.txt", Header: http.Header{
		"X-Amz-Date":                   {"20130524T000000Z"},
		"X-Amz-Storage-Class":          {"REDUCED_REDUNDANCY"},
		"X-Amz-Content-Sha256":         {StreamingPayload},
		"Content-Encoding":             {"aws-chunked"},
		"X-Amz-Decoded-Content-Length": {"66560"},
		"Content-Length":               {"66824"},
		"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
			"Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
	}}
	res, err := v.Verify(r)
	if err != nil {
		t.Fatalf("seed request: %v", err)
	}
	var body bytes.Buffer
	body.WriteString("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n")
	body.Write(bytes.Repeat([]byte("a"), 65536))
	body.WriteString("\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n")
	body.Write(bytes.Repeat([]byte("a"), 1024))
	body.WriteString("\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")
	if body.Len() != 66824 {
		t.Fatalf("example body is %d bytes", body.Len())
	}
	got, err := io.ReadAll(NewChunkedReader(&body, res, res.PayloadHash, WithDecodedLength(66560)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.Repeat([]byte("a"), 66560)) {
		t.Fatalf("decoded %d bytes", len(got))
	}
}

// sha256Hasher satisfies minio-go's md5simd.Hasher with the stdlib.
type sha256Hasher struct{ hash.Hash }

func (sha256Hasher) Close() {}

// minioSigned signs a PUT of data with minio-go's streaming signer and
// returns the verified Result and the encoded body.
func minioSigned(t testing.TB, data []byte, trailer http.Header) (Result, []byte) {
	t.Helper()
	req, err := http.NewRequest("PUT", "https://"+testHost+"/bucket/obj%20ect", io.NopCloser(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	req.Trailer = trailer
	req = signer.StreamingSignV4(req, testAccessKey, testSecret, "", testRegion, int64(len(data)), testTime, sha256Hasher{sha256.New()})
	encoded, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	// minio-go reports no length for an empty object.
	if len(data) > 0 && int64(len(encoded)) != req.ContentLength {
		t.Fatalf("minio body %d bytes, Content-Length %d", len(encoded), req.ContentLength)
	}
	sr := &Request{Method: "PUT", Host: req.Host, RawPath: "/bucket/obj%20ect", Header: req.Header}
	res, err := newTestVerifier().Verify(sr)
	if err != nil {
		t.Fatalf("seed request: %v", err)
	}
	return res, encoded
}

func patterned(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestChunkedMinioSigned(t *testing.T) {
	for _, size := range []int{0, 1, 65535, 65536, 200000} {
		for _, withTrailer := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/trailer=%v", size, withTrailer), func(t *testing.T) {
				data := patterned(size)
				var trailer http.Header
				if withTrailer {
					trailer = http.Header{"x-amz-checksum-crc32c": {"sOO8/Q=="}}
				}
				res, encoded := minioSigned(t, data, trailer)
				wantMode := StreamingPayload
				if withTrailer {
					wantMode = StreamingPayloadTrailer
				}
				if res.PayloadHash != wantMode {
					t.Fatalf("mode %q", res.PayloadHash)
				}
				cr := NewChunkedReader(bytes.NewReader(encoded), res, res.PayloadHash, WithDecodedLength(int64(size)), WithTrailer("x-amz-checksum-crc32c"))
				got, err := io.ReadAll(iotest.HalfReader(cr))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("decoded %d bytes, want %d", len(got), size)
				}
				if withTrailer && cr.Trailers().Get("X-Amz-Checksum-Crc32c") != "sOO8/Q==" {
					t.Fatalf("trailers %v", cr.Trailers())
				}
			})
		}
	}
}

// flipAt returns a copy of b with the byte at i changed.
func flipAt(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

func TestChunkedMinioSignedTampering(t *testing.T) {
	data := patterned(200000)
	res, encoded := minioSigned(t, data, nil)
	header1 := bytes.Index(encoded, []byte("\r\n")) + 2 // start of chunk 1 data
	secondChunk := header1 + 65536 + 2
	header2 := bytes.Index(encoded[secondChunk:], []byte("\r\n")) + 2 + secondChunk

	tests := []struct {
		name     string
		body     []byte
		want     *s3err.Error
		released int // bytes that may reach the caller before the failure
	}{
		{"data byte in chunk 2", flipAt(encoded, header2+100), s3err.SignatureDoesNotMatch, 65536},
		{"signature of chunk 1", flipAt(encoded, header1-5), s3err.SignatureDoesNotMatch, 0},
		{"truncated in chunk 2", encoded[:header2+10], s3err.IncompleteBody, 65536},
		{"final chunk dropped", encoded[:bytes.LastIndex(encoded, []byte("0;chunk-signature"))], s3err.IncompleteBody, 200000},
		{"trailing garbage", append(bytes.Clone(encoded), "junk"...), s3err.IncompleteBody, 200000},
		{"chunk 1 replayed as chunk 2", append(bytes.Clone(encoded[:secondChunk]), encoded[:]...), s3err.SignatureDoesNotMatch, 65536},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := io.ReadAll(NewChunkedReader(bytes.NewReader(tc.body), res, res.PayloadHash))
			wantS3Err(t, err, tc.want, "")
			if len(got) > tc.released {
				t.Fatalf("released %d bytes before failing, at most %d allowed", len(got), tc.released)
			}
			if !bytes.Equal(got, data[:len(got)]) {
				t.Fatal("released bytes differ from the signed data")
			}
		})
	}
	t.Run("wrong seed", func(t *testing.T) {
		bad := res
		bad.Signature = strings.Repeat("0", 64)
		_, err := io.ReadAll(NewChunkedReader(bytes.NewReader(encoded), bad, bad.PayloadHash))
		wantS3Err(t, err, s3err.SignatureDoesNotMatch, "")
	})
	t.Run("decoded length mismatch", func(t *testing.T) {
		_, err := io.ReadAll(NewChunkedReader(bytes.NewReader(encoded), res, res.PayloadHash, WithDecodedLength(199999)))
		wantS3Err(t, err, s3err.IncompleteBody, "")
		_, err = io.ReadAll(NewChunkedReader(bytes.NewReader(encoded), res, res.PayloadHash, WithDecodedLength(200001)))
		wantS3Err(t, err, s3err.IncompleteBody, "")
	})
	t.Run("chunk above the limit", func(t *testing.T) {
		_, err := io.ReadAll(NewChunkedReader(bytes.NewReader(encoded), res, res.PayloadHash, WithMaxChunkSize(1024)))
		wantS3Err(t, err, ErrInvalidChunkSize, "")
	})
}

func TestChunkedMinioSignedTrailerTampering(t *testing.T) {
	data := patterned(70000)
	res, encoded := minioSigned(t, data, http.Header{"x-amz-checksum-crc32c": {"sOO8/Q=="}})
	value := bytes.Index(encoded, []byte("sOO8/Q=="))
	sigAt := bytes.Index(encoded, []byte(trailerSignatureName+":"))
	withoutSig := append(bytes.Clone(encoded[:sigAt]), "\r\n"...)
	tests := []struct {
		name string
		body []byte
		want *s3err.Error
	}{
		{"trailer value", flipAt(encoded, value), s3err.SignatureDoesNotMatch},
		{"trailer signature", flipAt(encoded, sigAt+len(trailerSignatureName)+3), s3err.SignatureDoesNotMatch},
		{"trailer signature missing", withoutSig, ErrMalformedTrailer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cr := NewChunkedReader(bytes.NewReader(tc.body), res, res.PayloadHash, WithTrailer("x-amz-checksum-crc32c"))
			_, err := io.ReadAll(cr)
			wantS3Err(t, err, tc.want, "")
			if cr.Trailers() != nil {
				t.Fatal("trailers exposed after a failure")
			}
		})
	}
}

func TestChunkedMinioUnsignedTrailer(t *testing.T) {
	for _, size := range []int{0, 10, 65536, 150000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			data := patterned(size)
			req, err := http.NewRequest("PUT", "https://"+testHost+"/bucket/key", io.NopCloser(bytes.NewReader(data)))
			if err != nil {
				t.Fatal(err)
			}
			req.Trailer = http.Header{"x-amz-checksum-crc32": {"NhCmhg=="}}
			req = signer.StreamingUnsignedV4(req, "", int64(size), testTime)
			encoded, err := io.ReadAll(req.Body)
			if err != nil {
				t.Fatal(err)
			}
			cr := NewChunkedReader(bytes.NewReader(encoded), Result{}, StreamingUnsignedPayloadTrailer, WithDecodedLength(int64(size)), WithTrailer("x-amz-checksum-crc32"))
			got, err := io.ReadAll(cr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("decoded %d bytes, want %d", len(got), size)
			}
			if cr.Trailers().Get("x-amz-checksum-crc32") != "NhCmhg==" {
				t.Fatalf("trailers %v", cr.Trailers())
			}
		})
	}
}

// The AWS SDKs send a known-length object as one unsigned chunk, which may
// be far larger than any signed chunk: it must stream, not be refused.
func TestChunkedUnsignedSingleLargeChunk(t *testing.T) {
	size := DefaultMaxChunkSize + 12345
	data := patterned(size)
	body := io.MultiReader(
		strings.NewReader(strconv.FormatInt(int64(size), 16)+"\r\n"),
		bytes.NewReader(data),
		strings.NewReader("\r\n0\r\nx-amz-checksum-sha256:ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=\r\n\r\n"),
	)
	cr := NewChunkedReader(body, Result{}, StreamingUnsignedPayloadTrailer, WithTrailer("x-amz-checksum-sha256"))
	got, err := io.ReadAll(cr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("data differs")
	}
	if cr.Trailers().Get("x-amz-checksum-sha256") != "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=" {
		t.Fatalf("trailers %v", cr.Trailers())
	}
}

// Every broken framing is S3's IncompleteBody "The request body terminated
// unexpectedly"; every trailer problem its one MalformedTrailerError
// sentence (see chunked_errors.go for the sources).
func TestChunkedUnsignedMalformed(t *testing.T) {
	const crc = "x-amz-checksum-crc32:NhCmhg=="
	big := strings.Repeat("b", minChunkSize)
	tests := []struct {
		name, body string
		want       *s3err.Error
	}{
		{"size not hex", "xyz\r\nabc\r\n0\r\n\r\n", ErrChunkedBodyIncomplete},
		{"negative size", "-5\r\nhello\r\n0\r\n\r\n", ErrChunkedBodyIncomplete},
		{"size with a sign", "+5\r\nhello\r\n0\r\n\r\n", ErrChunkedBodyIncomplete},
		{"size past int64", "1000000000000000\r\n", ErrChunkedBodyIncomplete},
		{"empty size", "\r\nhello\r\n0\r\n\r\n", ErrChunkedBodyIncomplete},
		{"chunk extension", "5;name=value\r\nhello\r\n0\r\n\r\n", ErrChunkedBodyIncomplete},
		{"chunk signature in an unsigned body", "5;chunk-signature=" + strings.Repeat("0", 64) + "\r\nhello\r\n0\r\n\r\n", ErrChunkedBodyIncomplete},
		{"data longer than size", "3\r\nhello\r\n0\r\n\r\n", ErrChunkedBodyIncomplete},
		{"data shorter than size", "9\r\nhello\r\n0\r\n\r\n", ErrChunkedBodyIncomplete},
		{"no final chunk", "5\r\nhello\r\n", ErrChunkedBodyIncomplete},
		{"empty body", "", ErrChunkedBodyIncomplete},
		{"endless header line", "5" + strings.Repeat(" ", 70000), ErrChunkedBodyIncomplete},
		{"trailer section never ended", "5\r\nhello\r\n0\r\n" + crc + "\r\n", ErrChunkedBodyIncomplete},
		{"final CRLF missing", "5\r\nhello\r\n0\r\n", ErrChunkedBodyIncomplete},
		{"data after the end", "5\r\nhello\r\n0\r\n" + crc + "\r\n\r\nmore", ErrChunkedBodyIncomplete},
		{"two CRLFs after the end", "5\r\nhello\r\n0\r\n" + crc + "\r\n\r\n\r\n\r\n", ErrChunkedBodyIncomplete},
		{"trailer without colon", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32\r\n\r\n", ErrMalformedTrailer},
		{"duplicate trailer", "5\r\nhello\r\n0\r\n" + crc + "\r\n" + crc + "\r\n\r\n", ErrMalformedTrailer},
		{"undeclared trailer", "5\r\nhello\r\n0\r\n" + crc + "\r\nx-amz-meta-a:1\r\n\r\n", ErrMalformedTrailer},
		{"other checksum than declared", "5\r\nhello\r\n0\r\nx-amz-checksum-sha256:ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=\r\n\r\n", ErrMalformedTrailer},
		{"declared trailer missing", "5\r\nhello\r\n0\r\n\r\n", ErrMalformedTrailer},
		{"small chunk before another", "5\r\nhello\r\n5\r\nworld\r\n0\r\n" + crc + "\r\n\r\n", ErrInvalidChunkSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := io.ReadAll(NewChunkedReader(strings.NewReader(tc.body), Result{}, StreamingUnsignedPayloadTrailer, WithTrailer("x-amz-checksum-crc32")))
			wantS3Err(t, err, tc.want, tc.want.Message)
		})
	}
	t.Run("any trailer when none was declared", func(t *testing.T) {
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader("5\r\nhello\r\n0\r\n"+crc+"\r\n\r\n"), Result{}, StreamingUnsignedPayloadTrailer))
		wantS3Err(t, err, ErrMalformedTrailer, ErrMalformedTrailer.Message)
	})
	t.Run("x-amz-trailer with blanks and an empty item", func(t *testing.T) {
		got, err := io.ReadAll(NewChunkedReader(strings.NewReader("5\r\nhello\r\n0\r\n"+crc+"\r\n\r\n"), Result{}, StreamingUnsignedPayloadTrailer, WithTrailer(" X-Amz-Checksum-CRC32 ,")))
		if err != nil || string(got) != "hello" {
			t.Fatalf("got %q, %v", got, err)
		}
	})
	t.Run("no trailer and none declared", func(t *testing.T) {
		got, err := io.ReadAll(NewChunkedReader(strings.NewReader("5\r\nhello\r\n0\r\n\r\n"), Result{}, StreamingUnsignedPayloadTrailer))
		if err != nil || string(got) != "hello" {
			t.Fatalf("got %q, %v", got, err)
		}
	})
	t.Run("minio-go's extra CRLF", func(t *testing.T) {
		got, err := io.ReadAll(NewChunkedReader(strings.NewReader("5\r\nhello\r\n0\r\n"+crc+"\n\r\n\r\n"), Result{}, StreamingUnsignedPayloadTrailer, WithTrailer("x-amz-checksum-crc32")))
		if err != nil || string(got) != "hello" {
			t.Fatalf("got %q, %v", got, err)
		}
	})
	t.Run("chunks of 8 KiB then a short one", func(t *testing.T) {
		body := "2000\r\n" + big + "\r\n2000\r\n" + big + "\r\n5\r\nhello\r\n0\r\n\r\n"
		got, err := io.ReadAll(NewChunkedReader(strings.NewReader(body), Result{}, StreamingUnsignedPayloadTrailer, WithDecodedLength(2*minChunkSize+5)))
		if err != nil || len(got) != 2*minChunkSize+5 {
			t.Fatalf("got %d bytes, %v", len(got), err)
		}
	})
}

// S3 reports the undersized chunk with its size and the 1-based number of
// the chunk after it, where it noticed (s3rver lib/signature/v4.js).
func TestChunkedUndersizedChunkElements(t *testing.T) {
	big := strings.Repeat("b", minChunkSize)
	body := "2000\r\n" + big + "\r\n1fff\r\n" + big[:minChunkSize-1] + "\r\n2000\r\n" + big + "\r\n0\r\n\r\n"
	got, err := io.ReadAll(NewChunkedReader(strings.NewReader(body), Result{}, StreamingUnsignedPayloadTrailer))
	wantS3Err(t, err, ErrInvalidChunkSize, "Only the last chunk is allowed to have a size less than 8192 bytes")
	e := s3err.As(err)
	if e.Status != http.StatusForbidden || e.Field("Chunk") != "3" || e.Field("BadChunkSize") != "8191" {
		t.Fatalf("status %d, Chunk %q, BadChunkSize %q", e.Status, e.Field("Chunk"), e.Field("BadChunkSize"))
	}
	if len(got) > 2*minChunkSize {
		t.Fatalf("released %d bytes", len(got))
	}
}

// chunkSigner builds signed aws-chunked bodies by the spec formula, for
// framing cases no client library produces.
type chunkSigner struct {
	res  Result
	prev string
}

func newChunkSigner() *chunkSigner {
	key := deriveSigningKey(testSecret, "20240517", testRegion, "s3")
	seed := strings.Repeat("ab", 32)
	return &chunkSigner{
		res:  Result{AccessKey: testAccessKey, PayloadHash: StreamingPayloadTrailer, SigningKey: key, Scope: "20240517/us-east-1/s3/aws4_request", Signature: seed, Date: testTime},
		prev: seed,
	}
}

func (s *chunkSigner) mac(sts string) string {
	m := hmac.New(sha256.New, s.res.SigningKey)
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *chunkSigner) chunk(data string) string {
	sum := sha256.Sum256([]byte(data))
	sig := s.mac("AWS4-HMAC-SHA256-PAYLOAD\n20240517T123000Z\n" + s.res.Scope + "\n" + s.prev + "\n" + emptySHA256 + "\n" + hex.EncodeToString(sum[:]))
	s.prev = sig
	if data == "" {
		// The final chunk: the CRLF after it ends the body or, with
		// trailers, is replaced by the trailer section.
		return "0;chunk-signature=" + sig + "\r\n"
	}
	return strconv.FormatInt(int64(len(data)), 16) + ";chunk-signature=" + sig + "\r\n" + data + "\r\n"
}

// trailer signs trailer lines the AWS way: each line ends in CRLF on the
// wire and in "\n" in the signed text.
func (s *chunkSigner) trailer(lines ...string) string {
	signed := ""
	for _, l := range lines {
		signed += l + "\n"
	}
	sum := sha256.Sum256([]byte(signed))
	sig := s.mac("AWS4-HMAC-SHA256-TRAILER\n20240517T123000Z\n" + s.res.Scope + "\n" + s.prev + "\n" + hex.EncodeToString(sum[:]))
	out := ""
	for _, l := range lines {
		out += l + "\r\n"
	}
	return out + trailerSignatureName + ":" + sig + "\r\n\r\n"
}

func TestChunkedHandBuiltSigned(t *testing.T) {
	t.Run("aws trailer layout", func(t *testing.T) {
		s := newChunkSigner()
		first := strings.Repeat("h", minChunkSize)
		body := s.chunk(first) + s.chunk("world") + s.chunk("") + s.trailer("x-amz-checksum-crc32:DUoRhQ==")
		cr := NewChunkedReader(strings.NewReader(body), s.res, StreamingPayloadTrailer, WithTrailer("x-amz-checksum-crc32"))
		got, err := io.ReadAll(cr)
		if err != nil || string(got) != first+"world" {
			t.Fatalf("got %d bytes, %v", len(got), err)
		}
		if cr.Trailers().Get("x-amz-checksum-crc32") != "DUoRhQ==" {
			t.Fatalf("trailers %v", cr.Trailers())
		}
	})
	t.Run("no trailer in a plain signed stream", func(t *testing.T) {
		s := newChunkSigner()
		body := s.chunk("hello") + s.chunk("") + "\r\n" + s.trailer("x-amz-checksum-crc32:DUoRhQ==")
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader(body), s.res, StreamingPayload))
		wantS3Err(t, err, s3err.IncompleteBody, "")
	})
	t.Run("missing chunk signature", func(t *testing.T) {
		s := newChunkSigner()
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader("5\r\nhello\r\n"), s.res, StreamingPayload))
		wantS3Err(t, err, ErrChunkedBodyIncomplete, ErrChunkedBodyIncomplete.Message)
	})
	t.Run("another extension besides the signature", func(t *testing.T) {
		s := newChunkSigner()
		body := strings.Replace(s.chunk("hello")+s.chunk("")+"\r\n", ";chunk-signature=", ";x=1;chunk-signature=", 1)
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader(body), s.res, StreamingPayload))
		wantS3Err(t, err, ErrChunkedBodyIncomplete, ErrChunkedBodyIncomplete.Message)
	})
	t.Run("final CRLF missing", func(t *testing.T) {
		s := newChunkSigner()
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader(s.chunk("hello")+s.chunk("")), s.res, StreamingPayload))
		wantS3Err(t, err, ErrChunkedBodyIncomplete, ErrChunkedBodyIncomplete.Message)
	})
	t.Run("small signed chunk before another", func(t *testing.T) {
		s := newChunkSigner()
		body := s.chunk("hello") + s.chunk("world") + s.chunk("") + "\r\n"
		got, err := io.ReadAll(NewChunkedReader(strings.NewReader(body), s.res, StreamingPayload))
		wantS3Err(t, err, ErrInvalidChunkSize, "")
		if e := s3err.As(err); e.Field("Chunk") != "2" || e.Field("BadChunkSize") != "5" {
			t.Fatalf("fields %v", e.Fields)
		}
		if len(got) > 5 {
			t.Fatalf("released %d bytes", len(got))
		}
	})
	t.Run("undeclared signed trailer", func(t *testing.T) {
		s := newChunkSigner()
		body := s.chunk("hi") + s.chunk("") + s.trailer("x-amz-checksum-crc32:DUoRhQ==")
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader(body), s.res, StreamingPayloadTrailer))
		wantS3Err(t, err, ErrMalformedTrailer, ErrMalformedTrailer.Message)
	})
	t.Run("absurd chunk size", func(t *testing.T) {
		s := newChunkSigner()
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader("7fffffffffffff;chunk-signature="+strings.Repeat("0", 64)+"\r\n"), s.res, StreamingPayload))
		wantS3Err(t, err, ErrInvalidChunkSize, "")
	})
	t.Run("missing CRLF after data", func(t *testing.T) {
		s := newChunkSigner()
		body := strings.Replace(s.chunk("hello")+s.chunk("")+"\r\n", "hello\r\n", "helloXX", 1)
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader(body), s.res, StreamingPayload))
		wantS3Err(t, err, s3err.IncompleteBody, "")
	})
	t.Run("trailer after signature", func(t *testing.T) {
		s := newChunkSigner()
		body := s.chunk("hi") + s.chunk("") + strings.TrimSuffix(s.trailer("a:1"), "\r\n") + "a:2\r\n\r\n"
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader(body), s.res, StreamingPayloadTrailer, WithTrailer("a")))
		wantS3Err(t, err, ErrMalformedTrailer, "")
	})
	t.Run("no signing key", func(t *testing.T) {
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader(""), Result{}, StreamingPayload))
		if !errors.Is(err, s3err.InternalError) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("not a chunked mode", func(t *testing.T) {
		_, err := io.ReadAll(NewChunkedReader(strings.NewReader(""), Result{}, UnsignedPayload))
		wantS3Err(t, err, s3err.InvalidArgument, "")
	})
}
