package s3api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// postSignatureFields are the fields the form's authentication and the
// response use; postMetadata reads the rest.
var postSignatureFields = map[string]bool{
	"key": true, "bucket": true, "policy": true,
	"x-amz-algorithm": true, "x-amz-credential": true, "x-amz-date": true, "x-amz-signature": true,
	"success_action_status": true, "success_action_redirect": true, "redirect": true,
}

// postHeaderFields are the object headers a form may set.
var postHeaderFields = map[string]bool{
	"content-type": true, "cache-control": true, "content-disposition": true,
	"content-encoding": true, "content-language": true, "expires": true,
}

// postMetadata collects the object's metadata and the checksum to verify
// from the form's fields (postEncryption reads the encryption fields). A
// field the gateway does not implement (SSE-KMS key IDs, website
// redirects, ...) is refused
// with NotImplemented, as the same header on PutObject is; a storage
// class and an ACL are held to PutObject's rules.
func postMetadata(fields map[string]string) (objects.Metadata, checksum.Spec, error) {
	md := objects.Metadata{ContentType: fields["content-type"]}
	if md.ContentType == "" {
		md.ContentType = defaultContentType
	}
	md.CacheControl = fields["cache-control"]
	md.ContentDisposition = fields["content-disposition"]
	md.ContentEncoding = fields["content-encoding"]
	md.ContentLanguage = fields["content-language"]
	md.Expires = fields["expires"]
	sums := make(http.Header)
	userSize := 0
	for name, value := range fields {
		switch {
		case postSignatureFields[name], postHeaderFields[name], strings.HasPrefix(name, "x-ignore-"):
		case name == "acl":
			if !acceptedCannedACLs[strings.TrimSpace(value)] {
				return objects.Metadata{}, checksum.Spec{}, errACLNotSupported
			}
		case strings.HasPrefix(name, userMetaPrefix):
			meta := strings.TrimPrefix(name, userMetaPrefix)
			if meta == "" {
				return objects.Metadata{}, checksum.Spec{}, s3err.InvalidArgument.With("User metadata header names must not be empty.")
			}
			if md.User == nil {
				md.User = make(map[string]string)
			}
			md.User[meta] = value
			userSize += len(meta) + len(value)
		case name == "tagging":
			// The tag set as XML, as PutObjectTagging takes it
			// (RESTObjectPOST: "The tag-set must be encoded as XML").
			tags, err := parseTagging([]byte(value), objectTagRules)
			if err != nil {
				return objects.Metadata{}, checksum.Spec{}, err
			}
			md.Tags = tags
		case name == "x-amz-storage-class":
			// As the header.
			if err := checkStorageClassValue(value); err != nil {
				return objects.Metadata{}, checksum.Spec{}, err
			}
			md.StorageClass = recordedClass(value)
		case name == "x-amz-checksum-algorithm":
			// The form's name for what PutObject calls
			// x-amz-sdk-checksum-algorithm.
			sums.Set("X-Amz-Sdk-Checksum-Algorithm", value)
		case strings.HasPrefix(name, "x-amz-checksum-"):
			sums.Set(name, value)
		case postEncryptionFields[name]:
			// Read by postEncryption.
		default:
			return objects.Metadata{}, checksum.Spec{}, s3err.NotImplemented.ForHeader(name)
		}
	}
	if userSize > maxUserMetadata {
		return objects.Metadata{}, checksum.Spec{}, s3err.MetadataTooLargeFor(userSize, maxUserMetadata)
	}
	spec, err := checksum.FromHeaders(sums)
	if err != nil {
		return objects.Metadata{}, checksum.Spec{}, err
	}
	return md, spec, nil
}

// postFileBody is the form's file as the object layer reads it, held to
// the policy's content-length-range and the gateway's PUT limit. A file
// past max is read on (up to the PUT limit) only to name its size in
// EntityTooLarge; one below min fails at its end, so nothing is stored.
type postFileBody struct {
	part io.Reader
	read int64
	// min and max bound the file; limit is the gateway's PUT limit.
	min, max, limit int64
}

func (b *postFileBody) Read(p []byte) (int, error) {
	n, err := b.part.Read(p)
	b.read += int64(n)
	if b.read > b.max {
		return n, b.tooLarge()
	}
	if errors.Is(err, io.EOF) && b.read < b.min {
		return n, s3err.EntityTooSmall.WithFields("ProposedSize", strconv.FormatInt(b.read, 10),
			"MinSizeAllowed", strconv.FormatInt(b.min, 10))
	}
	return n, err
}

// tooLarge reads the rest of an oversized file, while under the PUT limit,
// to report its size.
func (b *postFileBody) tooLarge() error {
	buf := make([]byte, 32<<10)
	for b.read <= b.limit {
		n, err := b.part.Read(buf)
		b.read += int64(n)
		if err != nil {
			break
		}
	}
	return s3err.EntityTooLargeFor(b.read, b.max)
}
