package s3api

import (
	"encoding/xml"
	"strings"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/s3err"
)

// objectChecksum is S3's Checksum element (GetObjectAttributes,
// CopyObjectResult): the per-algorithm values and the checksum type.
type objectChecksum struct {
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type getObjectAttributesResponse struct {
	XMLName      xml.Name        `xml:"GetObjectAttributesResponse"`
	Xmlns        string          `xml:"xmlns,attr"`
	ETag         string          `xml:"ETag,omitempty"`
	Checksum     *objectChecksum `xml:"Checksum,omitempty"`
	ObjectParts  *objectParts    `xml:"ObjectParts,omitempty"`
	StorageClass string          `xml:"StorageClass,omitempty"`
	ObjectSize   *int64          `xml:"ObjectSize,omitempty"`
}

// objectAttributeNames are the values x-amz-object-attributes may list.
var objectAttributeNames = map[string]bool{
	"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true,
}

// getObjectAttributes answers GET /bucket/key?attributes with the
// attributes listed in x-amz-object-attributes.
func (s *server) getObjectAttributes(r *request) error {
	if err := s.currentVersionOnly(r); err != nil {
		return err
	}
	want, err := requestedAttributes(r)
	if err != nil {
		return err
	}
	page, err := parsePartsPage(r)
	if err != nil {
		return err
	}
	info, err := s.layer.Stat(r.ctx, r.bucket, r.key)
	if err != nil {
		return err
	}
	key, err := objectReadKey(r, info)
	if err != nil {
		return err
	}
	key.zero()
	if err := checkConditions(r, readConditions, info); err != nil {
		return err
	}
	res := getObjectAttributesResponse{Xmlns: s3Namespace}
	if want["ETag"] {
		res.ETag = info.ETag // unquoted here, unlike everywhere else
	}
	if want["Checksum"] && len(info.Metadata.Checksums) > 0 {
		res.Checksum = xmlChecksum(info.Metadata.Checksums, info.Metadata.ChecksumType)
	}
	if want["ObjectParts"] && len(info.PartSizes) > 0 {
		res.ObjectParts = objectPartsOf(info, page)
	}
	if want["StorageClass"] {
		res.StorageClass = storageClassOf(info.Metadata)
	}
	if want["ObjectSize"] {
		size := info.Size
		res.ObjectSize = &size
	}
	r.setHeader("Last-Modified", httpTime(info))
	s.writeXML(r, res)
	return nil
}

func requestedAttributes(r *request) (map[string]bool, error) {
	// SDKs send the list as one comma-separated value or as the header
	// repeated, one attribute each.
	raw := strings.Join(requestHeaders(r).Values("X-Amz-Object-Attributes"), ",")
	// S3's answers to a missing header and to an unknown name are
	// recorded in versity/versitygw#915 and #917, #1000.
	if strings.TrimSpace(raw) == "" {
		return nil, s3err.InvalidRequest.With("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	}
	want := map[string]bool{}
	for _, name := range strings.Split(raw, ",") {
		name = strings.TrimSpace(name)
		if !objectAttributeNames[name] {
			return nil, s3err.InvalidArgument.With("Invalid attribute name specified.").ForArgument("x-amz-object-attributes", name)
		}
		want[name] = true
	}
	return want, nil
}

// xmlChecksum renders stored checksums as S3's Checksum element.
func xmlChecksum(sums map[string]string, typ string) *objectChecksum {
	if typ == "" {
		typ = checksumTypeFullObject
	}
	c := &objectChecksum{ChecksumType: typ}
	for alg, v := range sums {
		c.set(checksum.Algorithm(alg), v)
	}
	return c
}
