package s3api

import (
	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/store/objects"
)

// maxAttributeParts is the most parts one GetObjectAttributes answer lists,
// as for ListParts.
const maxAttributeParts = 1000

// objectParts is GetObjectAttributes' ObjectParts element. The SDKs read
// the total from PartsCount; TotalPartsCount is kept for clients that
// read the member name.
type objectParts struct {
	TotalPartsCount      int          `xml:"TotalPartsCount"`
	PartsCount           int          `xml:"PartsCount"`
	PartNumberMarker     *int         `xml:"PartNumberMarker,omitempty"`
	NextPartNumberMarker *int         `xml:"NextPartNumberMarker,omitempty"`
	MaxParts             *int         `xml:"MaxParts,omitempty"`
	IsTruncated          *bool        `xml:"IsTruncated,omitempty"`
	Parts                []objectPart `xml:"Part"`
}

// objectPart is one Part element: its number, size and checksum.
type objectPart struct {
	checksumFields
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
}

// partsPage is the page of parts x-amz-max-parts and
// x-amz-part-number-marker ask for.
type partsPage struct {
	maxParts int
	marker   int
}

func parsePartsPage(r *request) (partsPage, error) {
	maxParts, err := parseLimitValue("x-amz-max-parts", r.header("x-amz-max-parts"), maxAttributeParts)
	if err != nil {
		return partsPage{}, err
	}
	marker, err := parseLimitValue("x-amz-part-number-marker", r.header("x-amz-part-number-marker"), 0)
	if err != nil {
		return partsPage{}, err
	}
	return partsPage{maxParts: min(maxParts, maxAttributeParts), marker: marker}, nil
}

// objectPartsOf answers ObjectParts for a multipart object. S3 lists the
// parts themselves only of an object whose parts carry an additional
// checksum (API_GetObjectAttributesParts: otherwise "the response doesn't
// return the Part element"), which here is a COMPOSITE one; the others get
// the count alone.
func objectPartsOf(info objects.ObjectInfo, page partsPage) *objectParts {
	n := len(info.PartSizes)
	res := &objectParts{TotalPartsCount: n, PartsCount: n}
	if len(info.PartChecksums) != n || len(info.Metadata.Checksums) != 1 {
		return res
	}
	var alg checksum.Algorithm
	for a := range info.Metadata.Checksums {
		alg = checksum.Algorithm(a)
	}
	truncated := false
	for i := page.marker; i < n; i++ {
		if len(res.Parts) == page.maxParts {
			truncated = true
			break
		}
		part := objectPart{PartNumber: i + 1, Size: info.PartSizes[i]}
		part.set(alg, info.PartChecksums[i])
		res.Parts = append(res.Parts, part)
	}
	marker, maxParts := page.marker, page.maxParts
	res.PartNumberMarker, res.MaxParts, res.IsTruncated = &marker, &maxParts, &truncated
	if len(res.Parts) > 0 {
		next := res.Parts[len(res.Parts)-1].PartNumber
		res.NextPartNumberMarker = &next
	}
	return res
}
