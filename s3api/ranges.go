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
	// rangeWhole: no usable Range; S3 serves the whole object when the
	// header is absent, malformed or asks for several ranges.
	rangeWhole rangeResult = iota
	rangePartial
	rangeUnsatisfiable
)

// parseRange interprets a Range header against an object of size bytes.
// Only a single "bytes=" range is honoured: "a-b" (b clamped to the end),
// "a-" and "-n" (the last n bytes).
func parseRange(header string, size int64) (byteRange, rangeResult) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !ok || spec == "" || strings.Contains(spec, ",") {
		return byteRange{}, rangeWhole
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return byteRange{}, rangeWhole
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return byteRange{}, rangeWhole
		}
		if n == 0 || size == 0 {
			return byteRange{}, rangeUnsatisfiable
		}
		if n > size {
			n = size
		}
		return byteRange{start: size - n, end: size - 1}, rangePartial
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return byteRange{}, rangeWhole
	}
	end := size - 1
	if last != "" {
		end, err = strconv.ParseInt(last, 10, 64)
		if err != nil || end < start {
			return byteRange{}, rangeWhole
		}
		if end > size-1 {
			end = size - 1
		}
	}
	if start >= size {
		return byteRange{}, rangeUnsatisfiable
	}
	return byteRange{start: start, end: end}, rangePartial
}
