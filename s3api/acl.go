package s3api

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// errACLNotSupported is AWS's answer to ACLs on a bucket whose object
// ownership is BucketOwnerEnforced (ACLs disabled), which is how every
// bucket of the gateway behaves: access is the owner's and the policy's.
var errACLNotSupported = &s3err.Error{
	Code:    "AccessControlListNotSupported",
	Status:  http.StatusBadRequest,
	Message: "The bucket does not allow ACLs",
}

// acceptedCannedACLs are the canned ACLs that grant nothing beyond the
// bucket owner's full control, so AWS accepts them with ACLs disabled.
var acceptedCannedACLs = map[string]bool{
	"private":                   true,
	"bucket-owner-full-control": true,
}

// checkCannedACL accepts a write's x-amz-acl only if it grants nothing
// beyond the owner. Explicit grants (x-amz-grant-*) are refused with every
// other header terngate does not honour (unsupportedHeaders).
func checkCannedACL(r *request) error {
	if r.hasHeader("x-amz-acl") && !acceptedCannedACLs[strings.TrimSpace(r.header("x-amz-acl"))] {
		return errACLNotSupported
	}
	return nil
}

type aclGrantee struct {
	XMLNSXsi    string `xml:"xmlns:xsi,attr"`
	XsiType     string `xml:"xsi:type,attr"`
	ID          string `xml:"ID,omitempty"`
	DisplayName string `xml:"DisplayName,omitempty"`
	URI         string `xml:"URI,omitempty"`
	// EmailAddress names a grantee by e-mail (AmazonCustomerByEmail);
	// read only to be refused.
	EmailAddress string `xml:"EmailAddress,omitempty"`
}

type aclGrant struct {
	Grantee    aclGrantee `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

type accessControlPolicy struct {
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Owner   owner      `xml:"Owner"`
	Grants  []aclGrant `xml:"AccessControlList>Grant"`
}

// ownerOnlyACL is the ACL every bucket and object has: the bucket owner
// with FULL_CONTROL.
func ownerOnlyACL(name string) accessControlPolicy {
	return accessControlPolicy{
		Xmlns: s3Namespace,
		Owner: owner{ID: name, DisplayName: name},
		Grants: []aclGrant{{
			Grantee: aclGrantee{
				XMLNSXsi: "http://www.w3.org/2001/XMLSchema-instance", XsiType: "CanonicalUser",
				ID: name, DisplayName: name,
			},
			Permission: "FULL_CONTROL",
		}},
	}
}

// getBucketACL answers GET /bucket?acl.
func (s *server) getBucketACL(r *request) error {
	if _, err := s.layer.HeadBucket(r.ctx, r.bucket); err != nil {
		return err
	}
	s.writeXML(r, ownerOnlyACL(r.access.owner))
	return nil
}

// getObjectACL answers GET /bucket/key?acl: objects belong to the bucket
// owner (BucketOwnerEnforced).
func (s *server) getObjectACL(r *request) error {
	if err := s.currentVersionOnly(r); err != nil {
		return err
	}
	if _, err := s.layer.Stat(r.ctx, r.bucket, r.key); err != nil {
		return err
	}
	s.writeXML(r, ownerOnlyACL(r.access.owner))
	return nil
}

// putACL answers PUT ?acl on a bucket or an object: setting the ACL the
// resource already has (private: the owner alone) succeeds; any other ACL
// is refused as ACLs are disabled.
func (s *server) putACL(r *request) error {
	if r.key == "" {
		if _, err := s.layer.HeadBucket(r.ctx, r.bucket); err != nil {
			return err
		}
	} else if _, err := s.layer.Stat(r.ctx, r.bucket, r.key); err != nil {
		return err
	}
	if err := checkCannedACL(r); err != nil {
		return err
	}
	data, err := s.readOptionalDocument(r)
	if err != nil {
		return err
	}
	hasBody := len(strings.TrimSpace(string(data))) > 0
	if !hasBody && !r.hasHeader("x-amz-acl") {
		return s3err.MalformedXML.With("The request must contain an ACL: the x-amz-acl header or an AccessControlPolicy document.")
	}
	if hasBody {
		if r.hasHeader("x-amz-acl") {
			return s3err.InvalidRequest.With("Specifying both Canned ACLs and Header Grants is not allowed")
		}
		var acp accessControlPolicy
		if err := decodeXML(data, &acp); err != nil {
			return err
		}
		if !grantsOwnerOnly(acp, r.access.owner) {
			return errACLNotSupported
		}
	}
	r.c.Status(http.StatusOK)
	return nil
}

// grantsOwnerOnly reports whether an ACL document gives the owner full
// control and nobody anything else.
func grantsOwnerOnly(acp accessControlPolicy, ownerName string) bool {
	if len(acp.Grants) == 0 {
		return false
	}
	for _, g := range acp.Grants {
		if g.Grantee.URI != "" || g.Grantee.EmailAddress != "" || g.Grantee.ID != ownerName || g.Permission != "FULL_CONTROL" {
			return false
		}
	}
	return true
}
