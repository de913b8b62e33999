package payload

import (
	"bytes"
	"io"
	"testing"
)

func TestBodyIsDeterministicAndSeekable(t *testing.T) {
	p := NewPattern()
	const size = 3*patternSize + 123
	whole, err := io.ReadAll(p.NewBody(5, size))
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != size {
		t.Fatalf("read %d bytes, want %d", len(whole), size)
	}
	b := p.NewBody(5, size)
	if _, err := b.Seek(patternSize-10, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 1000)
	if _, err := io.ReadFull(b, part); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(part, whole[patternSize-10:patternSize+990]) {
		t.Fatal("bytes after a seek differ from a sequential read")
	}
	other, _ := io.ReadAll(p.NewBody(6, 4096))
	if bytes.Equal(other, whole[:4096]) {
		t.Fatal("different seeds gave the same bytes")
	}
}

func TestCheckerAcceptsTheBodyAndRejectsACorruption(t *testing.T) {
	p := NewPattern()
	c := p.NewChecker(9)
	n, err := io.Copy(c, p.NewBody(9, 5<<20))
	if err != nil || n != 5<<20 || c.Len() != 5<<20 {
		t.Fatalf("copy of the right body: n=%d err=%v", n, err)
	}
	body, _ := io.ReadAll(p.NewBody(9, 1<<20))
	body[777] ^= 1
	if _, err := p.NewChecker(9).Write(body); err == nil {
		t.Fatal("corrupted body accepted")
	}
}
