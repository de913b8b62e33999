package s3api

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"

	"github.com/terngate/terngate/store/objects"
)

// routeBucketTagging routes ?tagging on a bucket:
// Put/Get/DeleteBucketTagging.
func routeBucketTagging(r *request) (handlerFunc, bool, error) {
	return routeBucketDocument(r, "tagging", (*server).getBucketTagging, (*server).putBucketTagging, (*server).deleteBucketTagging)
}

// putBucketTagging replaces the bucket's tag set (API_PutBucketTagging).
// An empty TagSet leaves the bucket without one.
func (s *server) putBucketTagging(r *request) error {
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	tags, err := parseTagging(data, bucketTagRules)
	if err != nil {
		return err
	}
	if err := s.setBucketTags(r, tags); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

// setBucketTags stores tags as the bucket's tag set document.
func (s *server) setBucketTags(r *request, tags []objects.Tag) error {
	var doc []byte
	if len(tags) > 0 {
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		if err := xml.NewEncoder(&buf).Encode(taggingDocument(tags)); err != nil {
			return fmt.Errorf("encoding the tag set of %s: %w", r.bucket, err)
		}
		doc = buf.Bytes()
	}
	return s.layer.SetBucketTagging(r.ctx, r.bucket, doc)
}

// getBucketTagging answers the stored tag set, or NoSuchTagSet "The TagSet
// does not exist" (API_GetBucketTagging; ceph/s3-tests
// test_set_bucket_tagging).
func (s *server) getBucketTagging(r *request) error {
	doc, err := s.layer.BucketTagging(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	return writeStoredXML(r, doc)
}

// deleteBucketTagging removes the tag set: 204 (API_DeleteBucketTagging).
func (s *server) deleteBucketTagging(r *request) error {
	if err := s.layer.SetBucketTagging(r.ctx, r.bucket, nil); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}
