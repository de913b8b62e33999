package s3api

import (
	"net/http"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

func quoteETag(etag string) string { return `"` + etag + `"` }

// unquoteETag strips the quotes and weak marker clients may send.
func unquoteETag(etag string) string {
	etag = strings.TrimPrefix(etag, "W/")
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}

// etagListMatches reports whether a comma-separated If-Match style list
// names etag ("*" names any).
func etagListMatches(list, etag string) bool {
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "*" || unquoteETag(item) == etag {
			return true
		}
	}
	return false
}

// conditionHeaders names the four precondition headers of one family: the
// request's own (GET/HEAD) or the copy source's.
type conditionHeaders struct {
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string
	// notModified is the error a failing If-None-Match/If-Modified-Since
	// gives: 304 for reads, 412 for copy sources.
	notModified *s3err.Error
	// named: a failure carries <Condition> naming the header. AWS's
	// element is on record for the request's own headers only.
	named bool
}

// failed is PreconditionFailed for header's condition.
func (h conditionHeaders) failed(header string) error {
	if h.named {
		return s3err.PreconditionFailedOn(header)
	}
	return s3err.PreconditionFailed
}

var (
	readConditions = conditionHeaders{
		ifMatch: "If-Match", ifNoneMatch: "If-None-Match",
		ifModifiedSince: "If-Modified-Since", ifUnmodifiedSince: "If-Unmodified-Since",
		notModified: s3err.NotModified, named: true,
	}
	copySourceConditions = conditionHeaders{
		ifMatch: "x-amz-copy-source-if-match", ifNoneMatch: "x-amz-copy-source-if-none-match",
		ifModifiedSince: "x-amz-copy-source-if-modified-since", ifUnmodifiedSince: "x-amz-copy-source-if-unmodified-since",
		notModified: s3err.PreconditionFailed,
	}
)

// checkConditions evaluates preconditions against info with S3's
// precedence: a true If-Match overrides a false If-Unmodified-Since, and a
// false If-None-Match (the ETag differs) overrides a true
// If-Modified-Since. 412 conditions are decided before 304 ones.
func checkConditions(r *request, h conditionHeaders, info objects.ObjectInfo) error {
	modified := info.LastModified.UTC().Truncate(time.Second)

	if r.hasHeader(h.ifMatch) {
		if !etagListMatches(r.header(h.ifMatch), info.ETag) {
			return h.failed(h.ifMatch)
		}
	} else if t, ok := parseHTTPDate(r.header(h.ifUnmodifiedSince)); ok && modified.After(t) {
		return h.failed(h.ifUnmodifiedSince)
	}

	if r.hasHeader(h.ifNoneMatch) {
		if etagListMatches(r.header(h.ifNoneMatch), info.ETag) {
			return h.notModified
		}
	} else if t, ok := parseHTTPDate(r.header(h.ifModifiedSince)); ok && !modified.After(t) {
		return h.notModified
	}
	return nil
}

// parseHTTPDate accepts the date forms HTTP allows; anything else is
// ignored, as S3 ignores an unparseable condition date.
func parseHTTPDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(s)
	if err != nil {
		if t2, err2 := time.Parse(time.RFC3339, s); err2 == nil {
			return t2, true
		}
		return time.Time{}, false
	}
	return t, true
}
