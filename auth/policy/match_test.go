package policy

import (
	"strings"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "a/b/c", true},
		{"a*", "a", true},
		{"a*", "ba", false},
		{"*a", "bba", true},
		{"*a", "ab", false},
		{"a*b*c", "a-b-b-c", true},
		{"a*b*c", "a-b-b-", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "abbc", false},
		{"a?c", "aéc", true}, // '?' is one character, not one byte
		{"é*", "éa", true},
		{"**", "x", true},
		{"a*?", "a", false},
		{"a*?", "ab", true},
		{"arn:aws:s3:::b/p/*", "arn:aws:s3:::b/p/x/y", true},
		{"arn:aws:s3:::b/p/*", "arn:aws:s3:::b/q/x", false},
	} {
		if got := match(c.pattern, c.s); got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

// A pattern built to make naive backtracking exponential must stay fast.
func TestMatchNoBlowup(t *testing.T) {
	pattern := strings.Repeat("*a", 50) + "b"
	s := strings.Repeat("a", 1000)
	start := time.Now()
	if match(pattern, s) {
		t.Fatal("matched")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v", d)
	}
}
