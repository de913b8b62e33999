package sse

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// Each part's key is its own: parts differ from each other and from the
// object key, the same number always gives the same key, and a part's
// packages do not open under another part's key.
func TestPartKeys(t *testing.T) {
	one, two := PartKey(&fuzzKey, 1), PartKey(&fuzzKey, 2)
	if *one == *two || *one == fuzzKey || *PartKey(&fuzzKey, 1) != *one {
		t.Fatal("part keys are not distinct and stable")
	}
	plain := bytes.Repeat([]byte("part one "), 10000)
	r, err := EncryptReader(bytes.NewReader(plain), one)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	rng := RangeOf(0, int64(len(plain)), int64(len(plain)))
	dec, err := DecryptRange(bytes.NewReader(stored), two, rng)
	if err == nil {
		_, err = io.ReadAll(dec)
	}
	if !errors.Is(err, ErrTampered) {
		t.Fatalf("part 1's bytes read under part 2's key: %v", err)
	}
}
