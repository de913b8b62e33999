package s3api

import (
	"strings"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

const (
	userMetaPrefix = "x-amz-meta-"
	// maxUserMetadata is S3's limit on the summed length of user metadata
	// names and values.
	maxUserMetadata = 2 << 10
	// defaultContentType is what S3 stores when a PUT names none.
	defaultContentType = "binary/octet-stream"
)

// metadataFromRequest collects the object metadata a PUT or a REPLACE copy
// carries in its headers.
func metadataFromRequest(r *request) (objects.Metadata, error) {
	md := objects.Metadata{
		ContentType:        r.header("Content-Type"),
		ContentEncoding:    withoutAWSChunked(r.header("Content-Encoding")),
		ContentDisposition: r.header("Content-Disposition"),
		ContentLanguage:    r.header("Content-Language"),
		CacheControl:       r.header("Cache-Control"),
		Expires:            r.header("Expires"),
	}
	if md.ContentType == "" {
		md.ContentType = defaultContentType
	}
	size := 0
	var err error
	r.c.Request().Header.VisitAll(func(k, v []byte) {
		name := strings.ToLower(string(k))
		if !strings.HasPrefix(name, userMetaPrefix) {
			return
		}
		name = strings.TrimPrefix(name, userMetaPrefix)
		if name == "" {
			err = s3err.InvalidArgument.With("User metadata header names must not be empty.")
			return
		}
		if md.User == nil {
			md.User = make(map[string]string)
		}
		value := string(v)
		if prev, ok := md.User[name]; ok {
			// Repeated headers are joined, as HTTP allows.
			value = prev + "," + value
			size -= len(name) + len(prev)
		}
		md.User[name] = value
		size += len(name) + len(value)
	})
	if err != nil {
		return objects.Metadata{}, err
	}
	if size > maxUserMetadata {
		return objects.Metadata{}, s3err.MetadataTooLargeFor(size, maxUserMetadata)
	}
	return md, nil
}

// setMetadataHeaders writes an object's stored headers and user metadata
// onto the response.
func setMetadataHeaders(r *request, md objects.Metadata) {
	contentType := md.ContentType
	if contentType == "" {
		contentType = defaultContentType
	}
	r.setHeader("Content-Type", contentType)
	for name, value := range map[string]string{
		"Content-Encoding":    md.ContentEncoding,
		"Content-Disposition": md.ContentDisposition,
		"Content-Language":    md.ContentLanguage,
		"Cache-Control":       md.CacheControl,
		"Expires":             md.Expires,
	} {
		if value != "" {
			r.setHeader(name, value)
		}
	}
	for name, value := range md.User {
		r.setHeader(userMetaPrefix+name, value)
	}
}
