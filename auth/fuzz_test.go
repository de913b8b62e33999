package auth

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// FuzzCanonicalURI checks that canonicalisation is idempotent, emits only
// unreserved bytes, '/' and %XX escapes, and never resolves segments.
func FuzzCanonicalURI(f *testing.F) {
	for _, s := range []string{"/", "/bucket/key", "/a//../b", "/caf%C3%A9", "/a+b%2Fc", "/%7E~", "/%zz", "/%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := canonicalURI(raw)
		if err != nil {
			return
		}
		again, err := canonicalURI(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", raw, got, again, err)
		}
		for i := 0; i < len(got); i++ {
			c := got[i]
			if c == '%' {
				if i+2 >= len(got) || !strings.ContainsRune(upperHex, rune(got[i+1])) || !strings.ContainsRune(upperHex, rune(got[i+2])) {
					t.Fatalf("bad escape in %q", got)
				}
				i += 2
				continue
			}
			if !isUnreserved(c) && c != '/' {
				t.Fatalf("unescaped %q in %q", c, got)
			}
		}
		if raw != "" && strings.Count(got, "/") != strings.Count(strings.ReplaceAll(strings.ReplaceAll(raw, "%2F", "/"), "%2f", "/"), "/") {
			t.Fatalf("segments changed: %q -> %q", raw, got)
		}
	})
}

// FuzzParseAuthorization checks the header parser never panics and that a
// successful parse yields all three fields.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20240517/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	f.Add("AWS4-HMAC-SHA256 Credential=a,SignedHeaders=b,Signature=c,Signature=d")
	f.Add("AWS AK:sig")
	f.Add("")
	f.Fuzz(func(t *testing.T, header string) {
		a, err := parseAuthorization(header)
		if err != nil {
			return
		}
		if a.credential == "" || a.signedHeaders == "" || a.signature == "" {
			t.Fatalf("parsed %q into %+v", header, a)
		}
		_, _ = parseCredential(a.credential, "us-east-1", headerCredentialErrors)
		parseSignedHeaders(a.signedHeaders)
	})
}

// FuzzChunkedReader feeds arbitrary bodies to the decoder in every mode: it
// must never panic, never yield more bytes than the body holds, and expose
// trailers exactly when it ended cleanly.
func FuzzChunkedReader(f *testing.F) {
	s := newChunkSigner()
	f.Add([]byte(s.chunk("hello")+s.chunk("")+s.trailer("x-amz-checksum-crc32:DUoRhQ==")), uint8(1))
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"), uint8(2))
	f.Add([]byte("0;chunk-signature="+strings.Repeat("0", 64)+"\r\n\r\n"), uint8(0))
	f.Add([]byte("ffffffffffffffff\r\n"), uint8(2))
	// Error cases: an undersized chunk before another, an unknown chunk
	// extension, a trailer not declared (modes 0-2 declare none), the
	// declared trailer missing (mode index +3 declares crc32).
	f.Add([]byte("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"), uint8(2))
	f.Add([]byte("5;ext=1\r\nhello\r\n0\r\n\r\n"), uint8(2))
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-meta-a:1\r\n\r\n"), uint8(5))
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), uint8(5))
	f.Fuzz(func(t *testing.T, body []byte, modeIndex uint8) {
		modes := []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer}
		mode := modes[int(modeIndex)%len(modes)]
		opts := []ChunkedOption{WithMaxChunkSize(1 << 16)}
		if modeIndex%6 >= 3 {
			opts = append(opts, WithTrailer("x-amz-checksum-crc32"))
		}
		signer := newChunkSigner()
		cr := NewChunkedReader(bytes.NewReader(body), signer.res, mode, opts...)
		got, err := io.ReadAll(io.LimitReader(cr, int64(len(body))+1))
		if int64(len(got)) > int64(len(body)) {
			t.Fatalf("decoded %d bytes out of a %d-byte body", len(got), len(body))
		}
		if (err == nil) != (cr.Trailers() != nil) {
			t.Fatalf("ended with %v but trailers %v", err, cr.Trailers())
		}
	})
}
