package sse

import (
	"errors"
	"fmt"
	"io"

	"github.com/minio/sio"
)

// DARE 2.0's geometry: each package holds up to packageSize plaintext bytes
// and adds packageOverhead (header and GCM tag).
const (
	packageSize     = 64 << 10
	packageOverhead = 32
	storedPackage   = packageSize + packageOverhead
)

// ErrTampered reports stored bytes that do not open under the object's key.
var ErrTampered = errors.New("sse: stored object bytes fail authentication")

func sioConfig(key *ObjectKey, seq uint32) sio.Config {
	return sio.Config{
		MinVersion:     sio.Version20,
		MaxVersion:     sio.Version20,
		CipherSuites:   []byte{sio.AES_256_GCM},
		Key:            key[:],
		SequenceNumber: seq,
	}
}

// EncryptReader returns the stored form of plain, read as it is read.
func EncryptReader(plain io.Reader, key *ObjectKey) (io.Reader, error) {
	r, err := sio.EncryptReader(plain, sioConfig(key, 0))
	if err != nil {
		return nil, fmt.Errorf("sse: start encryption: %w", err)
	}
	return r, nil
}

// StoredSize is the size of the stored form of size plaintext bytes.
func StoredSize(size int64) int64 {
	full, rest := size/packageSize, size%packageSize
	n := full * storedPackage
	if rest > 0 {
		n += rest + packageOverhead
	}
	return n
}

// PlainSize is the plaintext size of size stored bytes.
func PlainSize(stored int64) int64 {
	full, rest := stored/storedPackage, stored%storedPackage
	n := full * packageSize
	if rest > packageOverhead {
		n += rest - packageOverhead
	}
	return n
}

// StoredRange is the span of stored bytes holding plaintext bytes
// [off, off+length) of an object of plainSize bytes: whole packages, from the
// first one the range touches.
type StoredRange struct {
	Offset, Length int64
	// firstPackage is the sequence number of the package at Offset; skip is
	// how many plaintext bytes of it precede off.
	firstPackage int64
	skip         int64
	length       int64
}

// RangeOf maps a plaintext range onto the stored packages it touches.
func RangeOf(off, length, plainSize int64) StoredRange {
	if length <= 0 {
		return StoredRange{}
	}
	first := off / packageSize
	last := (off + length - 1) / packageSize
	start := first * storedPackage
	end := StoredSize(plainSize)
	if lastEnd := (last + 1) * storedPackage; lastEnd < end {
		end = lastEnd
	}
	return StoredRange{Offset: start, Length: end - start, firstPackage: first, skip: off - first*packageSize, length: length}
}

// DecryptRange reads the plaintext of rng from stored, the stored bytes of
// rng.Offset..rng.Offset+rng.Length. A package that fails to open ends the
// read with ErrTampered: no unauthenticated byte is returned.
func DecryptRange(stored io.Reader, key *ObjectKey, rng StoredRange) (io.Reader, error) {
	if rng.length == 0 {
		return eofReader{}, nil
	}
	if rng.firstPackage > int64(^uint32(0)) {
		return nil, fmt.Errorf("sse: package %d is past the format's limit", rng.firstPackage)
	}
	// Version 2.0 of the format reads one whole stored package per read
	// (io.ReadFull of header, payload and tag): stored is read directly, as
	// a buffer in between would only copy every byte once more.
	r, err := sio.DecryptReader(stored, sioConfig(key, uint32(rng.firstPackage)))
	if err != nil {
		return nil, fmt.Errorf("sse: start decryption: %w", err)
	}
	plain := &tamperReader{r: r}
	if rng.skip > 0 {
		if _, err := io.CopyN(io.Discard, plain, rng.skip); err != nil {
			return nil, err
		}
	}
	return &exactReader{r: plain, left: rng.length}, nil
}

// tamperReader turns the format's authentication errors into ErrTampered.
type tamperReader struct{ r io.Reader }

func (t *tamperReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	var se sio.Error
	if errors.As(err, &se) {
		return n, fmt.Errorf("%w: %v", ErrTampered, se)
	}
	return n, err
}

// exactReader yields exactly left bytes; stored bytes ending early are an
// error rather than a short object.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, fmt.Errorf("%w: stored bytes end %d bytes early", ErrTampered, e.left)
	}
	if e.left == 0 {
		return n, io.EOF
	}
	return n, err
}

// writeChunk is how many plaintext bytes WriteTo decrypts per write: whole
// packages, so the format opens each straight into the buffer instead of
// into its own and copying out (it does so for reads of at least a
// package), and few, large writes reach the connection.
const writeChunk = 4 * packageSize

// WriteTo copies the remaining plaintext to w. io.Copy prefers it to Read,
// whose callers (net's generic ReadFrom) read 32 KiB at a time: half a
// package, decrypted into the format's buffer and copied out twice.
func (e *exactReader) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, min(e.left, writeChunk))
	var written int64
	for e.left > 0 {
		n, err := io.ReadFull(e, buf[:min(e.left, int64(len(buf)))])
		if n > 0 {
			m, werr := w.Write(buf[:n])
			written += int64(m)
			if werr != nil {
				return written, werr
			}
		}
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return written, err
		}
		if err != nil && e.left > 0 {
			return written, fmt.Errorf("%w: stored bytes end %d bytes early", ErrTampered, e.left)
		}
	}
	return written, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
