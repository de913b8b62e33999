package s3api

import (
	"strconv"
	"strings"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// deleteConditions reads DeleteObject's conditional headers: If-Match (an
// ETag or "*"), x-amz-if-match-last-modified-time and x-amz-if-match-size.
func deleteConditions(r *request) (objects.DeleteConditions, error) {
	var c objects.DeleteConditions
	if r.hasHeader("If-Match") {
		if c.IfMatch = unquoteETag(strings.TrimSpace(r.header("If-Match"))); c.IfMatch == "" {
			return c, s3err.InvalidArgument.With("If-Match must name an ETag or '*'.")
		}
	}
	if r.hasHeader("x-amz-if-match-last-modified-time") {
		t, ok := parseHTTPDate(strings.TrimSpace(r.header("x-amz-if-match-last-modified-time")))
		if !ok {
			return c, s3err.InvalidArgument.With("Invalid x-amz-if-match-last-modified-time: not a date.")
		}
		c.LastModified = t
	}
	if r.hasHeader("x-amz-if-match-size") {
		n, err := strconv.ParseInt(strings.TrimSpace(r.header("x-amz-if-match-size")), 10, 64)
		if err != nil || n < 0 {
			return c, s3err.InvalidArgument.With("Invalid x-amz-if-match-size: not a size in bytes.")
		}
		c.Size, c.HasSize = n, true
	}
	return c, nil
}

// conditions are the preconditions one DeleteObjects entry carries in its
// ETag, LastModifiedTime and Size elements. S3's model gives
// LastModifiedTime the HTTP-date format (the SDKs send that); ISO 8601 is
// accepted as well.
func (o deleteTarget) conditions() (objects.DeleteConditions, error) {
	var c objects.DeleteConditions
	if etag := strings.TrimSpace(o.ETag); etag != "" {
		c.IfMatch = unquoteETag(etag)
	}
	if v := strings.TrimSpace(o.LastModifiedTime); v != "" {
		t, ok := parseHTTPDate(v)
		if !ok {
			return c, s3err.MalformedXML
		}
		c.LastModified = t
	}
	if v := strings.TrimSpace(o.Size); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return c, s3err.MalformedXML
		}
		c.Size, c.HasSize = n, true
	}
	return c, nil
}
