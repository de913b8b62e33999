package s3api

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// maxKeyLen is S3's limit on a key's UTF-8 length.
const maxKeyLen = 1024

// target is what a request addresses: a bucket (empty for the service) and
// a key (empty for the bucket itself).
type target struct {
	bucket string
	key    string
	// version is a copy source's versionId ("" for the current object).
	version string
}

// resolveTarget finds the bucket and key from the Host header and the path
// exactly as sent. With a Domain configured, a Host of "<bucket>.<Domain>"
// is virtual-host addressing and the whole path is the key; anything else is
// path-style "/bucket/key".
func resolveTarget(host, rawPath, domain string) (target, error) {
	if !strings.HasPrefix(rawPath, "/") {
		return target{}, s3err.InvalidURI
	}
	rest := rawPath[1:]
	if bucket, ok := virtualHostBucket(host, domain); ok {
		key, err := unescapePath(rest)
		if err != nil {
			return target{}, err
		}
		return target{bucket: bucket, key: key}, nil
	}
	rawBucket, rawKey, _ := strings.Cut(rest, "/")
	bucket, err := unescapePath(rawBucket)
	if err != nil {
		return target{}, err
	}
	key, err := unescapePath(rawKey)
	if err != nil {
		return target{}, err
	}
	if bucket == "" && key != "" {
		// "//key": a key with no bucket.
		return target{}, s3err.InvalidBucketName
	}
	return target{bucket: bucket, key: key}, nil
}

// virtualHostBucket returns the bucket named by a "<bucket>.<domain>" host.
func virtualHostBucket(host, domain string) (string, bool) {
	if domain == "" || host == "" {
		return "", false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	suffix := "." + strings.ToLower(strings.TrimSuffix(domain, "."))
	if !strings.HasSuffix(host, suffix) || len(host) == len(suffix) {
		return "", false
	}
	return host[:len(host)-len(suffix)], true
}

// unescapePath percent-decodes one part of the path. '+' stays '+': S3
// paths are not form-encoded.
func unescapePath(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	out, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("%w (%v)", s3err.InvalidURI, err)
	}
	return out, nil
}

// validateKey applies S3's key rules that do not depend on the store.
func validateKey(key string) error {
	if len(key) > maxKeyLen {
		return s3err.KeyTooLongFor(len(key), maxKeyLen)
	}
	return nil
}
