package s3api

import (
	"strconv"
	"strings"
)

// byteRange is a satisfiable, inclusive byte range of an object.
type byteRange struct {
	start, end int64
}

func (b byteRange) length() int64 { return b.end - b.start + 1 }

// rangeResult is how a Range header applies to an object of a given size.
type rangeResult int

const (
	// rangeWhole: no usable Range; S3 serves the whole object (200) when
	// the header is absent, malformed or asks for several ranges.
	rangeWhole rangeResult = iota
	rangePartial
	rangeUnsatisfiable
)

// parseRange interprets a Range header against an object of size bytes.
// Only a single "bytes=" range is honoured: "a-b" (b clamped to the end),
// "a-" and "-n" (the last n bytes). Anything else, including whitespace
// inside the range, is ignored as S3 ignores it.
func parseRange(header string, size int64) (byteRange, rangeResult) {
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok {
		return byteRange{}, rangeWhole
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok {
		return byteRange{}, rangeWhole
	}
	if first == "" {
		n, ok := rangeNumber(last)
		switch {
		case !ok:
			return byteRange{}, rangeWhole
		case n == 0:
			return byteRange{}, rangeUnsatisfiable
		case size == 0:
			// The last n bytes of nothing: S3 sends the (empty) object.
			return byteRange{}, rangeWhole
		}
		return byteRange{start: size - min(n, size), end: size - 1}, rangePartial
	}
	start, ok := rangeNumber(first)
	if !ok {
		return byteRange{}, rangeWhole
	}
	end := size - 1
	if last != "" {
		if end, ok = rangeNumber(last); !ok || end < start {
			return byteRange{}, rangeWhole
		}
		end = min(end, size-1)
	}
	if start >= size {
		return byteRange{}, rangeUnsatisfiable
	}
	return byteRange{start: start, end: end}, rangePartial
}

// rangeNumber parses a byte position: decimal digits only (RFC 9110's
// 1*DIGIT), so signs and spaces make the whole header unusable.
func rangeNumber(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
