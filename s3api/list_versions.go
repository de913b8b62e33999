package s3api

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// versionEntry is a Version or, XMLName saying so, a DeleteMarker element:
// one list keeps them interleaved in S3's order (API_ListObjectVersions).
// A DeleteMarker has no ETag, Size or StorageClass.
type versionEntry struct {
	XMLName      xml.Name
	Key          string  `xml:"Key"`
	VersionID    string  `xml:"VersionId"`
	IsLatest     bool    `xml:"IsLatest"`
	LastModified string  `xml:"LastModified"`
	ETag         *string `xml:"ETag"`
	Size         *int64  `xml:"Size"`
	Owner        *owner  `xml:"Owner,omitempty"`
	StorageClass *string `xml:"StorageClass"`
}

var (
	versionElement      = xml.Name{Local: "Version"}
	deleteMarkerElement = xml.Name{Local: "DeleteMarker"}
)

type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	Xmlns               string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	Versions            []versionEntry `xml:"Version"`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// listObjectVersions serves ?versions. Without versioning every object has
// exactly one version, "null", and it is the latest.
func (s *server) listObjectVersions(r *request) error {
	if r.versioned() {
		return s.listVersionedBucket(r)
	}
	// ListObjectVersions words a negative max-keys its own way.
	if raw := r.param("max-keys"); strings.HasPrefix(raw, "-") {
		if _, err := strconv.ParseInt(raw, 10, 32); err == nil {
			return s3err.InvalidArgument.With("max-keys cannot be negative").ForArgument("maxKeys", raw)
		}
	}
	p, err := parseListParams(r)
	if err != nil {
		return err
	}
	keyMarker := r.param("key-marker")
	versionMarker := r.param("version-id-marker")
	if versionMarker != "" {
		// Both name the marker and echo it: S3's document for the first is
		// recorded in versity/versitygw#2174, and its "Invalid version id
		// specified" names the parameter it is about (versitygw#1698).
		if keyMarker == "" {
			return s3err.InvalidArgument.With("A version-id marker cannot be specified without a key marker.").ForArgument("version-id-marker", versionMarker)
		}
		if versionMarker != nullVersionID {
			return s3err.InvalidArgument.With("Invalid version id specified").ForArgument("version-id-marker", versionMarker)
		}
	}
	// Each key has one version, so resuming after (key, "null") or after
	// key alone both continue with the next key.
	out, err := s.page(r, p, keyMarker)
	if err != nil {
		return err
	}
	own, err := s.bucketOwner(r)
	if err != nil {
		return err
	}
	res := listVersionsResult{
		Xmlns:           s3Namespace,
		Name:            r.bucket,
		Prefix:          p.encode(p.prefix),
		KeyMarker:       p.encode(keyMarker),
		VersionIDMarker: versionMarker,
		MaxKeys:         p.maxKeys,
		Delimiter:       p.encode(p.delimiter),
		IsTruncated:     out.IsTruncated,
		EncodingType:    p.encodingType(),
		Versions:        make([]versionEntry, 0, len(out.Objects)),
		CommonPrefixes:  p.commonPrefixes(out.CommonPrefixes),
	}
	for _, o := range out.Objects {
		etag, size, class := quoteETag(o.ETag), o.Size, storageClassOf(o.Metadata)
		res.Versions = append(res.Versions, versionEntry{
			XMLName:      versionElement,
			Key:          p.encode(o.Key),
			VersionID:    nullVersionID,
			IsLatest:     true,
			LastModified: isoTime(o.LastModified),
			ETag:         &etag,
			Size:         &size,
			Owner:        own,
			StorageClass: &class,
		})
	}
	if out.IsTruncated {
		res.NextKeyMarker = p.encode(out.Last)
		if n := len(out.Objects); n > 0 && out.Objects[n-1].Key == out.Last {
			res.NextVersionIDMarker = nullVersionID
		}
	}
	s.writeXML(r, res)
	return nil
}
