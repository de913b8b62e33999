package auth

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"testing"
	"testing/iotest"
)

// countingReader counts the reads that reach the request body: each is a
// read syscall when the body is a socket.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// A signed chunk's data and the framing after it (CRLF, next chunk header)
// must come in one read of the body when the caller's buffer has room, not
// one read for the data and another to refill a buffer for the framing:
// that second read per chunk cost ~0.24 CPU-s/GiB (issue #15).
func TestChunkedReaderOneReadPerChunk(t *testing.T) {
	const chunk, chunks = 64 << 10, 64
	data := patterned(chunk * chunks)
	res, encoded := minioSigned(t, data, nil)
	src := &countingReader{r: bytes.NewReader(encoded)}
	body := NewChunkedReader(src, res, res.PayloadHash, WithDecodedLength(int64(len(data))))
	var got bytes.Buffer // behind a plain Writer, so that CopyBuffer reads into buf
	if _, err := io.CopyBuffer(struct{ io.Writer }{&got}, onlyReader{body}, make([]byte, 256<<10)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatal("decoded bytes differ from the object")
	}
	// The framing buffer, kept per connection, stays small.
	if n := cap(body.src.buf); n != chunkSourceSize {
		t.Errorf("framing buffer grew to %d bytes, want %d", n, chunkSourceSize)
	}
	// One read per data chunk, plus a few for the final chunk and the end.
	t.Logf("%d reads of the body for %d chunks", src.reads, chunks)
	if limit := chunks + 4; src.reads > limit {
		t.Errorf("%d reads of the body for %d chunks, want at most %d", src.reads, chunks, limit)
	}
}

// Unsigned chunks stream through; they too must not need a second read for
// the framing after each chunk.
func TestChunkedReaderUnsignedOneReadPerChunk(t *testing.T) {
	const chunk, chunks = 64 << 10, 64
	data := patterned(chunk * chunks)
	var encoded bytes.Buffer
	for off := 0; off < len(data); off += chunk {
		encoded.WriteString("10000\r\n")
		encoded.Write(data[off : off+chunk])
		encoded.WriteString("\r\n")
	}
	encoded.WriteString("0\r\n\r\n")
	src := &countingReader{r: &encoded}
	body := NewChunkedReader(src, Result{}, StreamingUnsignedPayloadTrailer, WithDecodedLength(int64(len(data))))
	var got bytes.Buffer // behind a plain Writer, so that CopyBuffer reads into buf
	if _, err := io.CopyBuffer(struct{ io.Writer }{&got}, onlyReader{body}, make([]byte, 256<<10)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatal("decoded bytes differ from the object")
	}
	t.Logf("%d reads of the body for %d chunks", src.reads, chunks)
	if limit := chunks + 4; src.reads > limit {
		t.Errorf("%d reads of the body for %d chunks, want at most %d", src.reads, chunks, limit)
	}
}

// However the body's bytes arrive and whatever the caller reads into, the
// decoder must give the same bytes, trailers and error: reading past a
// chunk's end into the caller's buffer must not change what is accepted.
func TestChunkedReaderSameResultAnyReadSizes(t *testing.T) {
	data := patterned(200000)
	res, encoded := minioSigned(t, data, http.Header{"x-amz-checksum-crc32c": {"sOO8/Q=="}})
	second := bytes.Index(encoded, []byte("\r\n")) + 2 + 64<<10 + 2 // second chunk header
	bodies := map[string][]byte{
		"valid":            encoded,
		"data flipped":     flipAt(encoded, 70000),
		"cut in data":      encoded[:70000],
		"cut in CRLF":      encoded[:second-1],
		"cut in header":    encoded[:second+5],
		"cut in trailer":   encoded[:len(encoded)-20],
		"CRLF replaced":    flipAt(encoded, second-2),
		"extra byte":       append(bytes.Clone(encoded), 'x'),
		"header too long":  append(bytes.Clone(encoded[:second]), bytes.Repeat([]byte("0"), 5000)...),
		"header over 1024": append(bytes.Clone(encoded[:second]), bytes.Repeat([]byte("0"), 2000)...),
	}
	bodies["header over 1024"] = append(bodies["header over 1024"], "\r\n"...)
	type outcome struct {
		data     []byte
		err      string
		trailers http.Header
	}
	decode := func(src io.Reader, bufSize int) outcome {
		cr := NewChunkedReader(src, res, res.PayloadHash, WithTrailer("x-amz-checksum-crc32c"), WithDecodedLength(int64(len(data))))
		var got bytes.Buffer
		_, err := io.CopyBuffer(struct{ io.Writer }{&got}, onlyReader{cr}, make([]byte, bufSize))
		o := outcome{data: got.Bytes(), trailers: cr.Trailers()}
		if err != nil {
			o.err = err.Error()
		}
		return o
	}
	sources := map[string]func([]byte) io.Reader{
		"one byte":   func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"half":       func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
		"data + EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
	}
	for name, body := range bodies {
		want := decode(bytes.NewReader(body), 256<<10)
		if name == "valid" && (want.err != "" || !bytes.Equal(want.data, data)) {
			t.Fatalf("valid body: %q, %d bytes", want.err, len(want.data))
		}
		if name != "valid" && want.err == "" {
			t.Errorf("%s: accepted", name)
		}
		for sourceName, source := range sources {
			for _, bufSize := range []int{1, 100, 70000, 256 << 10} {
				got := decode(source(body), bufSize)
				if got.err != want.err || !bytes.Equal(got.data, want.data) || !reflect.DeepEqual(got.trailers, want.trailers) {
					t.Errorf("%s, %s reads, %d-byte buffer: %d bytes, %q, trailers %v; want %d bytes, %q, trailers %v",
						name, sourceName, bufSize, len(got.data), got.err, got.trailers, len(want.data), want.err, want.trailers)
				}
			}
		}
	}
}
