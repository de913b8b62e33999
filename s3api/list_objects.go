package s3api

import (
	"encoding/xml"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

type objectEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        *owner `xml:"Owner,omitempty"`
	StorageClass string `xml:"StorageClass"`
}

type listBucketResult struct {
	XMLName        xml.Name       `xml:"ListBucketResult"`
	Xmlns          string         `xml:"xmlns,attr"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         string         `xml:"Marker"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      string         `xml:"Delimiter,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	Contents       []objectEntry  `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

type listBucketResultV2 struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	StartAfter            *string        `xml:"StartAfter"`
	ContinuationToken     *string        `xml:"ContinuationToken"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              int            `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	Contents              []objectEntry  `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// listObjects serves GET /bucket: ListObjectsV2 with list-type=2, else V1.
func (s *server) listObjects(r *request) error {
	switch r.param("list-type") {
	case "2":
		return s.listObjectsV2(r)
	case "", "1":
		return s.listObjectsV1(r)
	default:
		return s3err.InvalidArgument.With("Invalid list-type.")
	}
}

func (s *server) listObjectsV1(r *request) error {
	p, err := parseListParams(r)
	if err != nil {
		return err
	}
	marker := r.param("marker")
	out, err := s.page(r, p, marker)
	if err != nil {
		return err
	}
	own, err := s.bucketOwner(r)
	if err != nil {
		return err
	}
	res := listBucketResult{
		Xmlns:          s3Namespace,
		Name:           r.bucket,
		Prefix:         p.encode(p.prefix),
		Marker:         p.encode(marker),
		MaxKeys:        p.maxKeys,
		Delimiter:      p.encode(p.delimiter),
		IsTruncated:    out.IsTruncated,
		EncodingType:   p.encodingType(),
		Contents:       p.objectEntries(out.Objects, own),
		CommonPrefixes: p.commonPrefixes(out.CommonPrefixes),
	}
	// S3 only sends NextMarker with a delimiter; without one the client
	// resumes from the last key.
	if out.IsTruncated && p.delimiter != "" {
		res.NextMarker = p.encode(out.Last)
	}
	s.writeXML(r, res)
	return nil
}

func (s *server) listObjectsV2(r *request) error {
	p, err := parseListParams(r)
	if err != nil {
		return err
	}
	startAfter := r.param("start-after")
	after := startAfter
	// An empty continuation-token starts from the beginning, as AWS does
	// (it is still echoed); a token and start-after together resume from
	// whichever is further on.
	token := r.param("continuation-token")
	if token != "" {
		pos, err := decodeToken(token)
		if err != nil {
			return err
		}
		after = max(pos, startAfter)
	}
	out, err := s.page(r, p, after)
	if err != nil {
		return err
	}
	var own *owner
	if r.param("fetch-owner") == "true" {
		if own, err = s.bucketOwner(r); err != nil {
			return err
		}
	}
	res := listBucketResultV2{
		Xmlns:             s3Namespace,
		Name:              r.bucket,
		Prefix:            p.encode(p.prefix),
		StartAfter:        p.encodeSent(sentParam(r, "start-after")),
		ContinuationToken: sentParam(r, "continuation-token"),
		KeyCount:          len(out.Objects) + len(out.CommonPrefixes),
		MaxKeys:           p.maxKeys,
		Delimiter:         p.encode(p.delimiter),
		IsTruncated:       out.IsTruncated,
		EncodingType:      p.encodingType(),
		Contents:          p.objectEntries(out.Objects, own),
		CommonPrefixes:    p.commonPrefixes(out.CommonPrefixes),
	}
	if out.IsTruncated {
		res.NextContinuationToken = encodeToken(out.Last)
	}
	s.writeXML(r, res)
	return nil
}

func (p listParams) objectEntries(objs []objects.ObjectInfo, own *owner) []objectEntry {
	out := make([]objectEntry, 0, len(objs))
	for _, o := range objs {
		out = append(out, objectEntry{
			Key:          p.encode(o.Key),
			LastModified: isoTime(o.LastModified),
			ETag:         quoteETag(o.ETag),
			Size:         o.Size,
			Owner:        own,
			StorageClass: storageClassOf(o.Metadata),
		})
	}
	return out
}
