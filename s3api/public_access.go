package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/terngate/terngate/auth/policy"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// publicAccessBlockConfiguration is the document of Put/GetPublicAccessBlock
// (API_PublicAccessBlockConfiguration). An element left out is false.
//
// What each setting does in terngate:
//   - BlockPublicPolicy: PutBucketPolicy of a public policy fails with
//     AccessDenied.
//   - RestrictPublicBuckets: a public policy grants anonymous requests
//     nothing (the gateway has one account, so there is no cross-account
//     access to cut off).
//   - BlockPublicAcls, IgnorePublicAcls: recorded only; terngate accepts
//     private ACLs alone, so there is no public ACL to refuse or ignore.
type publicAccessBlockConfiguration struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

// putPublicAccessBlock records the bucket's public access block. Like
// PutBucketCors it verifies a Content-MD5 or x-amz-checksum-* if sent.
func (s *server) putPublicAccessBlock(r *request) error {
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	var cfg publicAccessBlockConfiguration
	if err := decodeXML(data, &cfg); err != nil {
		return err
	}
	block := &objects.PublicAccessBlock{
		BlockPublicAcls:       cfg.BlockPublicAcls,
		IgnorePublicAcls:      cfg.IgnorePublicAcls,
		BlockPublicPolicy:     cfg.BlockPublicPolicy,
		RestrictPublicBuckets: cfg.RestrictPublicBuckets,
	}
	if err := s.layer.SetBucketPublicAccessBlock(r.ctx, r.bucket, block); err != nil {
		return err
	}
	r.c.Status(http.StatusOK)
	return nil
}

// getPublicAccessBlock returns the recorded configuration.
func (s *server) getPublicAccessBlock(r *request) error {
	info, err := s.layer.HeadBucket(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	b := info.PublicAccessBlock
	if b == nil {
		return s3err.NoSuchPublicAccessBlockConfiguration
	}
	s.writeXML(r, publicAccessBlockConfiguration{
		Xmlns:                 s3Namespace,
		BlockPublicAcls:       b.BlockPublicAcls,
		IgnorePublicAcls:      b.IgnorePublicAcls,
		BlockPublicPolicy:     b.BlockPublicPolicy,
		RestrictPublicBuckets: b.RestrictPublicBuckets,
	})
	return nil
}

// deletePublicAccessBlock removes the configuration; removing none
// succeeds.
func (s *server) deletePublicAccessBlock(r *request) error {
	if err := s.layer.SetBucketPublicAccessBlock(r.ctx, r.bucket, nil); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

// refusePublicPolicy is PutBucketPolicy's check against the block: S3
// answers a public policy on a bucket that blocks them with a bare
// AccessDenied (torchbox/buckup#18 records boto3 reporting "Access
// Denied" for it).
func refusePublicPolicy(p *policy.Policy) func(*objects.PublicAccessBlock) error {
	return func(b *objects.PublicAccessBlock) error {
		if b != nil && b.BlockPublicPolicy && p.Public() {
			return s3err.AccessDenied
		}
		return nil
	}
}

// policyStatus is GetBucketPolicyStatus's answer (API_PolicyStatus).
type policyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

// getBucketPolicyStatus says whether the bucket's policy is public; a
// bucket without a policy is NoSuchBucketPolicy, as in S3.
func (s *server) getBucketPolicyStatus(r *request) error {
	access := r.access
	if access.policy == nil {
		return s3err.NoSuchBucketPolicy
	}
	s.writeXML(r, policyStatus{Xmlns: s3Namespace, IsPublic: access.policy.Public()})
	return nil
}
