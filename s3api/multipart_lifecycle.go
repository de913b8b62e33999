package s3api

import (
	"net/http"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/s3err"
)

// routeLifecycle routes ?lifecycle on a bucket. Its rules are performed by
// the multipart sweeper (AbortIncompleteMultipartUpload) and the expirer
// beside it (Expiration), so it lives here.
func routeLifecycle(r *request) (handlerFunc, bool, error) {
	return routeBucketDocument(r, "lifecycle", (*server).getBucketLifecycle, (*server).putBucketLifecycle, (*server).deleteBucketLifecycle)
}

// putBucketLifecycle validates and stores a LifecycleConfiguration. S3
// requires Content-MD5 or an x-amz-checksum-* header; the gateway verifies
// whichever is sent and accepts neither.
func (s *server) putBucketLifecycle(r *request) error {
	// Rules are acted on by the multipart sweeper and expirer: without
	// multipart uploads neither runs, so nothing would act on them.
	if _, err := s.multipart(); err != nil {
		return err
	}
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	if _, err := multipart.ParseLifecycle(data); err != nil {
		return err
	}
	if err := s.layer.SetBucketLifecycle(r.ctx, r.bucket, data); err != nil {
		return err
	}
	r.setHeader("x-amz-transition-default-minimum-object-size", transitionMinimumSizeDefault)
	r.c.Status(http.StatusOK)
	return nil
}

// checkBodyChecksum verifies an optional x-amz-checksum-<alg> header over a
// body held in memory.
func checkBodyChecksum(r *request, data []byte) error {
	spec, err := checksum.FromHeaders(requestHeaders(r))
	if err != nil || spec.IsZero() || spec.Trailer {
		return err
	}
	h := spec.Algorithm.New()
	h.Write(data)
	if checksum.Encode(h.Sum(nil)) != spec.Value {
		return s3err.BadDigest.With("The %s you specified did not match the calculated checksum.", spec.Algorithm)
	}
	return nil
}

// getBucketLifecycle returns the configuration as it was stored.
func (s *server) getBucketLifecycle(r *request) error {
	// Rules are acted on by the multipart sweeper and expirer: without
	// multipart uploads neither runs, so nothing would act on them.
	if _, err := s.multipart(); err != nil {
		return err
	}
	doc, err := s.layer.BucketLifecycle(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	r.setHeader("x-amz-transition-default-minimum-object-size", transitionMinimumSizeDefault)
	return writeStoredXML(r, doc)
}

func (s *server) deleteBucketLifecycle(r *request) error {
	// Rules are acted on by the multipart sweeper and expirer: without
	// multipart uploads neither runs, so nothing would act on them.
	if _, err := s.multipart(); err != nil {
		return err
	}
	if err := s.layer.SetBucketLifecycle(r.ctx, r.bucket, nil); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}
