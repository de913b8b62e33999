package s3api

import (
	"net/http"
	"strconv"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// routeObjectTagging routes ?tagging on an object:
// Put/Get/DeleteObjectTagging.
func routeObjectTagging(r *request) (handlerFunc, bool, error) {
	if r.key == "" || !r.hasParam("tagging") {
		return nil, false, nil
	}
	h, err := pickMethod(r.method(), map[string]handlerFunc{
		http.MethodGet:    (*server).getObjectTagging,
		http.MethodPut:    (*server).putObjectTagging,
		http.MethodDelete: (*server).deleteObjectTagging,
	})
	return h, true, err
}

// putObjectTagging replaces the object's tag set with the document's
// (API_PutObjectTagging); an empty TagSet removes it. ETag and
// Last-Modified stay as they are.
func (s *server) putObjectTagging(r *request) error {
	if err := s.currentVersionOnly(r); err != nil {
		return err
	}
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	tags, err := parseTagging(data, objectTagRules)
	if err != nil {
		return err
	}
	if _, err := s.layer.ReplaceTags(r.ctx, r.bucket, r.key, tags); err != nil {
		return err
	}
	r.c.Status(http.StatusOK)
	return nil
}

// getObjectTagging answers the object's tag set, an empty TagSet when it
// has none (API_GetObjectTagging; ceph/s3-tests test_put_delete_tags).
func (s *server) getObjectTagging(r *request) error {
	if err := s.currentVersionOnly(r); err != nil {
		return err
	}
	info, err := s.layer.Stat(r.ctx, r.bucket, r.key)
	if err != nil {
		return err
	}
	s.writeXML(r, taggingDocument(info.Metadata.Tags))
	return nil
}

// deleteObjectTagging removes the object's tag set: 204
// (API_DeleteObjectTagging).
func (s *server) deleteObjectTagging(r *request) error {
	if err := s.currentVersionOnly(r); err != nil {
		return err
	}
	if _, err := s.layer.ReplaceTags(r.ctx, r.bucket, r.key, nil); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

// requestTags is the tag set a write asks for in x-amz-tagging (PutObject,
// CreateMultipartUpload, CopyObject with REPLACE).
func requestTags(r *request) ([]objects.Tag, error) {
	return parseTaggingHeader(r.header("x-amz-tagging"))
}

// setsTags reports whether a write also tags the object it writes, which
// needs s3:PutObjectTagging as well ("To use tagging with PutObject, you
// must have the s3:PutObjectTagging permission", API_PutObject;
// CreateMultipartUpload and CopyObject likewise).
func setsTags(r *request, op string) bool {
	switch op {
	case "PutObject", "CreateMultipartUpload":
		return r.hasHeader("x-amz-tagging")
	case "CopyObject":
		return r.hasHeader("x-amz-tagging") && r.header("x-amz-tagging-directive") == "REPLACE"
	}
	return false
}

// copyTags is the tag set of a copy: the source's under the default COPY
// directive, the request's under REPLACE (API_CopyObject). The directive's
// value was checked with the other headers (refuseTaggingDirective).
func copyTags(r *request, source []objects.Tag) ([]objects.Tag, error) {
	if r.header("x-amz-tagging-directive") == "REPLACE" {
		return requestTags(r)
	}
	return source, nil
}

// setTagCountHeader sends x-amz-tagging-count, "the number of tags, if
// any, on the object" (API_GetObject), on GET and HEAD (ceph/s3-tests
// test_get_obj_head_tagging).
func setTagCountHeader(r *request, info objects.ObjectInfo) {
	if n := len(info.Metadata.Tags); n > 0 {
		r.setHeader("x-amz-tagging-count", strconv.Itoa(n))
	}
}

// errTaggingDirective is S3's answer to an unknown x-amz-tagging-directive.
var errTaggingDirective = s3err.InvalidArgument.With("Unknown tagging directive.")
