package s3api

import (
	"io"
	"net/http"

	"github.com/terngate/terngate/auth/policy"
	"github.com/terngate/terngate/s3err"
)

// maxPolicySize is S3's limit on a bucket policy document.
const maxPolicySize = 20 << 10

// putBucketPolicy stores a bucket policy (PUT /bucket?policy) after
// checking that the gateway understands every part of it.
func (s *server) putBucketPolicy(r *request) error {
	body, err := s.payload(r)
	if err != nil {
		return err
	}
	doc, err := io.ReadAll(io.LimitReader(body, maxPolicySize+1))
	if err != nil {
		return err
	}
	if len(doc) > maxPolicySize {
		return policy.MalformedPolicy.With("Policies must be at most %d bytes.", maxPolicySize)
	}
	p, err := policy.Parse(r.bucket, doc)
	if err != nil {
		return err
	}
	if err := s.layer.SetBucketPolicy(r.ctx, r.bucket, doc, refusePublicPolicy(p)); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

// getBucketPolicy returns the policy document as it was stored.
func (s *server) getBucketPolicy(r *request) error {
	info, err := s.layer.HeadBucket(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	if len(info.Policy) == 0 {
		return s3err.NoSuchBucketPolicy
	}
	resp := r.c.Response()
	resp.SetStatusCode(http.StatusOK)
	resp.Header.SetContentType("application/json")
	resp.SetBodyRaw(info.Policy)
	return nil
}

// deleteBucketPolicy removes the policy; removing none succeeds, as in S3.
func (s *server) deleteBucketPolicy(r *request) error {
	if _, err := s.layer.HeadBucket(r.ctx, r.bucket); err != nil {
		return err
	}
	if err := s.layer.SetBucketPolicy(r.ctx, r.bucket, nil, nil); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}
