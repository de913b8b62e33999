package syncbuf

import (
	"strings"
	"sync"
	"testing"
)

func TestConcurrentWritesAllArrive(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				b.Write([]byte("x"))
			}
		})
	}
	wg.Wait()
	if got := b.String(); got != strings.Repeat("x", 800) {
		t.Fatalf("got %d bytes, want 800", len(got))
	}
}

func TestTail(t *testing.T) {
	if got := Tail("abcdef", 10); got != "abcdef" {
		t.Errorf("short string: %q", got)
	}
	if got := Tail("abcdef", 2); got != "…ef" {
		t.Errorf("cut string: %q", got)
	}
}
