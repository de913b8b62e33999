package auth

import (
	"bytes"
	"io"
	"testing"
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
	if limit := chunks + 4; src.reads > limit {
		t.Errorf("%d reads of the body for %d chunks, want at most %d", src.reads, chunks, limit)
	}
}
