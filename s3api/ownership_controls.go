package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/terngate/terngate/s3err"
)

// Every terngate bucket has S3 Object Ownership "BucketOwnerEnforced": ACLs
// are disabled and the bucket owner owns every object, the setting AWS
// gives every new bucket (user guide, about-object-ownership.html). The
// other two settings enable ACLs (ObjectWriter: the writer owns the
// object; BucketOwnerPreferred: the owner takes objects written with
// bucket-owner-full-control), which terngate does not implement, so they
// are refused as CreateBucket's x-amz-object-ownership refuses them.
// Deleting the controls would leave the bucket as ObjectWriter, so it is
// refused too; GetBucketOwnershipControls therefore always has an answer.
const bucketOwnerEnforced = "BucketOwnerEnforced"

// ownershipControls is the document of Put/GetBucketOwnershipControls
// (API_OwnershipControls): exactly one rule.
type ownershipControls struct {
	XMLName xml.Name                `xml:"OwnershipControls"`
	Xmlns   string                  `xml:"xmlns,attr,omitempty"`
	Rules   []ownershipControlsRule `xml:"Rule"`
}

type ownershipControlsRule struct {
	ObjectOwnership string `xml:"ObjectOwnership"`
}

// putBucketOwnershipControls accepts BucketOwnerEnforced, which every
// bucket already has; it verifies Content-MD5 or x-amz-checksum-* if sent.
func (s *server) putBucketOwnershipControls(r *request) error {
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	var doc ownershipControls
	if err := decodeXML(data, &doc); err != nil {
		return err
	}
	if len(doc.Rules) != 1 {
		return s3err.MalformedXML
	}
	switch doc.Rules[0].ObjectOwnership {
	case bucketOwnerEnforced:
	case "BucketOwnerPreferred", "ObjectWriter":
		return s3err.NotImplemented
	default:
		return s3err.MalformedXML
	}
	r.c.Status(http.StatusOK)
	return nil
}

// getBucketOwnershipControls answers the one setting terngate has.
func (s *server) getBucketOwnershipControls(r *request) error {
	s.writeXML(r, ownershipControls{
		Xmlns: s3Namespace,
		Rules: []ownershipControlsRule{{ObjectOwnership: bucketOwnerEnforced}},
	})
	return nil
}

// deleteBucketOwnershipControls refuses: without controls an S3 bucket is
// ObjectWriter, with ACLs enabled.
func (s *server) deleteBucketOwnershipControls(*request) error {
	return s3err.NotImplemented
}
