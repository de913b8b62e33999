package objects

import (
	"strings"
)

// Names starting with reservedPrefix are the gateway's own; the escaper never
// produces one, so they cannot collide with a key.
const (
	reservedPrefix = "%_"
	// emptySegmentName is the directory standing for an empty key segment
	// that is not the last one (`a//b`, a leading '/').
	emptySegmentName = "%_e"
	// markerName is the file holding a key that ends in '/' (a directory
	// marker), inside the directory the key names.
	markerName = "%_dir"
	// shadowPrefix names an object whose key is also a prefix of other keys:
	// it lives beside the directory of the same name.
	shadowPrefix = "%_o."
	// continuationPrefix names a directory holding one piece of a segment too
	// long for a single name.
	continuationPrefix = "%_c"
	// metaDirName and bucketRecordName are the bucket's internal entries.
	metaDirName      = "%_meta"
	bucketRecordName = "%_bucket"
)

const (
	// maxKeyLen is S3's limit on key length in bytes.
	maxKeyLen = 1024
	// maxEscapedSegment is the longest escaped segment stored as one name:
	// 250 leaves room for shadowPrefix within store.MaxNameLen.
	maxEscapedSegment = 250
	// maxEscapedPiece bounds each piece of a split segment.
	maxEscapedPiece = 240
)

// escapeSegment turns a non-empty key segment into a store name: '%' and NUL
// are percent-encoded and the names "." and ".." (which no store accepts) are
// spelled out. The result never starts with reservedPrefix because a '%' in
// the input always becomes "%25".
func escapeSegment(seg string) string {
	switch seg {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	if !strings.ContainsAny(seg, "%\x00") {
		return seg
	}
	var b strings.Builder
	b.Grow(len(seg) + 8)
	for i := 0; i < len(seg); i++ {
		switch c := seg[i]; c {
		case '%':
			b.WriteString("%25")
		case 0:
			b.WriteString("%00")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapedLen is len(escapeSegment(seg)) without building it.
func escapedLen(seg string) int {
	switch seg {
	case ".":
		return 3
	case "..":
		return 6
	}
	n := len(seg)
	for i := 0; i < len(seg); i++ {
		if seg[i] == '%' || seg[i] == 0 {
			n += 2
		}
	}
	return n
}

// unescapeName reverses escapeSegment. It reports false for names the
// escaper cannot have produced (reserved names, stray '%' sequences, "%2E"
// outside the "." and ".." spellings): such names were made by other clients
// of the store and have no key.
func unescapeName(name string) (string, bool) {
	if name == "" || strings.HasPrefix(name, reservedPrefix) {
		return "", false
	}
	switch name {
	case "%2E":
		return ".", true
	case "%2E%2E":
		return "..", true
	}
	if !strings.Contains(name, "%") {
		return name, true
	}
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(name) {
			return "", false
		}
		switch name[i+1 : i+3] {
		case "25":
			b.WriteByte('%')
		case "00":
			b.WriteByte(0)
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// splitLongSegment cuts a segment whose escaped form is too long for one name
// into raw pieces whose escaped forms fit in maxEscapedPiece bytes. The split
// is a pure function of the segment, so a key always maps to one path.
func splitLongSegment(seg string) []string {
	if escapedLen(seg) <= maxEscapedSegment {
		return []string{seg}
	}
	var pieces []string
	for len(seg) > 0 {
		size, end := 0, 0
		for end < len(seg) {
			w := 1
			if seg[end] == '%' || seg[end] == 0 {
				w = 3
			}
			if size+w > maxEscapedPiece {
				break
			}
			size += w
			end++
		}
		pieces = append(pieces, seg[:end])
		seg = seg[end:]
	}
	return pieces
}
