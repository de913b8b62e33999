package s3api

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// putObject stores the request body as the object.
func (s *server) putObject(r *request) error {
	if err := checkCannedACL(r); err != nil {
		return err
	}
	up, err := s.openUpload(r)
	if err != nil {
		return err
	}
	md5sum, err := contentMD5(r)
	if err != nil {
		return err
	}
	md, err := metadataFromRequest(r)
	if err != nil {
		return err
	}
	if md.Tags, err = requestTags(r); err != nil {
		return err
	}
	md.StorageClass = requestStorageClass(r)
	if err := s.lockForWrite(r, &md, true); err != nil {
		return err
	}
	if err := checkLockedPutIntegrity(r, md); err != nil {
		return err
	}
	enc, err := s.encryptionForPut(r)
	if err != nil {
		return err
	}
	defer enc.zero()
	in := objects.PutInput{
		Bucket:       r.bucket,
		Key:          r.key,
		Body:         up.body,
		Size:         up.size,
		ContentMD5:   md5sum,
		Metadata:     md,
		BeforeCommit: up.commitChecksums,
		Encryption:   enc.input(),
	}
	if err := putPreconditions(r, &in); err != nil {
		return err
	}
	info, err := s.layer.Put(r.ctx, in)
	if err != nil {
		return err
	}
	r.setHeader("ETag", quoteETag(info.ETag))
	setWrittenVersionHeader(r, info)
	setStoredChecksumHeaders(r, info.Metadata)
	enc.setHeaders(r)
	r.c.Status(http.StatusOK)
	return nil
}

// declaredLength is the body length the client announced: Content-Length,
// or -1 for a chunked body. A missing length is refused, as S3 does, and so
// is one over the single-PUT limit.
func declaredLength(r *request, max int64) (int64, error) {
	hdr := &r.c.Request().Header
	cl := hdr.ContentLength()
	if cl == -1 {
		// Transfer-Encoding: chunked; sizedBody enforces max as it reads.
		return -1, nil
	}
	if !rawHeaderPresent(hdr.RawHeaders(), "Content-Length") {
		return 0, s3err.MissingContentLength
	}
	// fasthttp parses Content-Length into an int; re-read it so lengths
	// past its range are reported as too large rather than malformed.
	n, err := strconv.ParseInt(strings.TrimSpace(r.header("Content-Length")), 10, 64)
	if err != nil || n < 0 {
		return 0, s3err.InvalidArgument.With("Invalid Content-Length.")
	}
	if n > max {
		return 0, s3err.EntityTooLargeFor(n, max)
	}
	return n, nil
}

// rawHeaderPresent reports whether the request head, as received, has the
// header. fasthttp rewrites a missing Content-Length to 0, so the parsed
// headers cannot tell "absent" from "0".
func rawHeaderPresent(raw []byte, name string) bool {
	for _, line := range bytes.Split(raw, []byte("\n")) {
		k, _, ok := bytes.Cut(line, []byte(":"))
		if ok && strings.EqualFold(strings.TrimSpace(string(k)), name) {
			return true
		}
	}
	return false
}

// contentMD5 decodes the Content-MD5 header: base64 of 16 bytes.
func contentMD5(r *request) ([]byte, error) {
	if !r.hasHeader("Content-MD5") {
		return nil, nil
	}
	sent := r.header("Content-MD5")
	sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sent))
	if err != nil || len(sum) != 16 {
		return nil, s3err.InvalidDigestFor(sent)
	}
	return sum, nil
}

// putPreconditions maps conditional-write headers onto the layer's input.
func putPreconditions(r *request, in *objects.PutInput) error {
	if r.hasHeader("If-None-Match") {
		if strings.TrimSpace(r.header("If-None-Match")) != "*" {
			return s3err.NotImplementedValue("If-None-Match")
		}
		in.IfNoneMatchStar = true
	}
	if r.hasHeader("If-Match") {
		etag := unquoteETag(strings.TrimSpace(r.header("If-Match")))
		if etag == "" {
			return s3err.InvalidArgument.With("If-Match must name an ETag.")
		}
		in.IfMatch = etag
	}
	return nil
}

// selfCopyPreconditions judges a copy onto itself's conditional-write
// headers against the object, which is both source and destination: it
// exists, so If-None-Match: * fails, and If-Match must name its ETag.
func selfCopyPreconditions(r *request, cur objects.ObjectInfo) error {
	var in objects.PutInput
	if err := putPreconditions(r, &in); err != nil {
		return err
	}
	if in.IfNoneMatchStar {
		return s3err.PreconditionFailedOn("If-None-Match")
	}
	if !(objects.Conditions{IfMatch: in.IfMatch}).Matches(cur.ETag) {
		return s3err.PreconditionFailedOn("If-Match")
	}
	return nil
}
