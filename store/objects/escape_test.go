package objects

import (
	"errors"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
)

func TestEscapeSegment(t *testing.T) {
	cases := map[string]string{
		"plain":    "plain",
		".":        "%2E",
		"..":       "%2E%2E",
		"...":      "...",
		"%":        "%25",
		"%_e":      "%25_e",
		"%2e%2e":   "%252e%252e",
		"a\x00b":   "a%00b",
		"héllo ü+": "héllo ü+",
	}
	for in, want := range cases {
		if got := escapeSegment(in); got != want {
			t.Errorf("escapeSegment(%q) = %q, want %q", in, got, want)
		}
		if got := escapedLen(in); got != len(want) {
			t.Errorf("escapedLen(%q) = %d, want %d", in, got, len(want))
		}
		if back, ok := unescapeName(want); !ok || back != in {
			t.Errorf("unescapeName(%q) = %q, %v", want, back, ok)
		}
	}
}

func TestUnescapeRejectsForeignNames(t *testing.T) {
	for _, name := range []string{"%_e", "%_dir", "%_o.x", "%_meta", "100%", "%2e", "%41", "a%2Eb", "%2", ""} {
		if got, ok := unescapeName(name); ok {
			t.Errorf("unescapeName(%q) = %q, want rejection", name, got)
		}
	}
}

func TestPathOfKey(t *testing.T) {
	cases := []struct {
		key  string
		dirs []string
		name string
	}{
		{"a", nil, "a"},
		{"a/b", []string{"a"}, "b"},
		{"a/b/", []string{"a", "b"}, markerName},
		{"/", []string{emptySegmentName}, markerName},
		{"/a", []string{emptySegmentName}, "a"},
		{"a//b", []string{"a", emptySegmentName}, "b"},
		{"../.", []string{"%2E%2E"}, "%2E"},
		{"%_o.x/%_e", []string{"%25_o.x"}, "%25_e"},
	}
	for _, c := range cases {
		p, err := pathOfKey(c.key)
		if err != nil {
			t.Fatalf("pathOfKey(%q): %v", c.key, err)
		}
		if strings.Join(p.dirs, "|") != strings.Join(c.dirs, "|") || p.name != c.name {
			t.Errorf("pathOfKey(%q) = %q %q, want %q %q", c.key, p.dirs, p.name, c.dirs, c.name)
		}
	}
}

func TestPathOfKeyLimits(t *testing.T) {
	if _, err := pathOfKey(""); !errors.Is(err, s3err.InvalidArgument) {
		t.Errorf("empty key: %v", err)
	}
	if _, err := pathOfKey(strings.Repeat("k", 1025)); !errors.Is(err, s3err.KeyTooLongError) {
		t.Errorf("1025-byte key: %v", err)
	}
	if _, err := pathOfKey(strings.Repeat("k", 1024)); err != nil {
		t.Errorf("1024-byte key: %v", err)
	}
}

func TestLongSegmentsSplit(t *testing.T) {
	for _, seg := range []string{
		strings.Repeat("x", 251),
		strings.Repeat("x", 500),
		strings.Repeat("%", 300),
		strings.Repeat("é", 200),
		strings.Repeat("x", 480) + ".",
		strings.Repeat("\x00", 90) + "tail",
	} {
		p, err := pathOfKey(seg + "/" + seg)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.dirs) < 2 {
			t.Fatalf("segment of %d bytes was not split: %q", len(seg), p.dirs)
		}
		for _, name := range append(p.dirs, shadowPrefix+p.name) {
			if len(name) > store.MaxNameLen {
				t.Fatalf("name of %d bytes: %q", len(name), name)
			}
		}
		assertRoundTrip(t, seg+"/"+seg)
	}
	if p, _ := pathOfKey(strings.Repeat("x", 250)); len(p.dirs) != 0 {
		t.Fatalf("250-byte segment split: %q", p.dirs)
	}
}

// assertRoundTrip checks that a key maps to valid names and back.
func assertRoundTrip(t *testing.T, key string) {
	t.Helper()
	p, err := pathOfKey(key)
	if err != nil {
		t.Fatalf("pathOfKey(%q): %v", key, err)
	}
	for _, name := range append(p.dirs, p.name) {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") ||
			len(name)+len(shadowPrefix) > store.MaxNameLen {
			t.Fatalf("key %q: invalid store name %q", key, name)
		}
	}
	back, err := keyOfPath(p.dirs, p.name)
	if err != nil || back != key {
		t.Fatalf("key %q came back as %q (%v) via %q %q", key, back, err, p.dirs, p.name)
	}
}

func FuzzEscapeRoundTrip(f *testing.F) {
	for _, s := range []string{"a", ".", "..", "%", "%2E", "%_e", "a//b/", "/", "x\x00y", "é/ü", strings.Repeat("%", 260)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if seg := key; seg != "" && !strings.Contains(seg, "/") {
			esc := escapeSegment(seg)
			if strings.HasPrefix(esc, reservedPrefix) {
				t.Fatalf("escapeSegment(%q) = reserved name %q", seg, esc)
			}
			if back, ok := unescapeName(esc); !ok || back != seg {
				t.Fatalf("segment %q escaped to %q came back as %q", seg, esc, back)
			}
		}
		if key == "" || len(key) > maxKeyLen {
			return
		}
		assertRoundTrip(t, key)
	})
}
