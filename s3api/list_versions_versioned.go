package s3api

import (
	"strconv"
	"strings"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// listVersionedBucket serves ?versions for a bucket that was ever
// versioned: every version and delete marker, each key's newest first,
// resumed by key-marker and version-id-marker (API_ListObjectVersions).
func (s *server) listVersionedBucket(r *request) error {
	if raw := r.param("max-keys"); strings.HasPrefix(raw, "-") {
		if _, err := strconv.ParseInt(raw, 10, 32); err == nil {
			return s3err.InvalidArgument.With("max-keys cannot be negative").ForArgument("maxKeys", raw)
		}
	}
	p, err := parseListParams(r)
	if err != nil {
		return err
	}
	in := objects.ListVersionsInput{
		Bucket:          r.bucket,
		Prefix:          p.prefix,
		Delimiter:       p.delimiter,
		KeyMarker:       r.param("key-marker"),
		VersionIDMarker: r.param("version-id-marker"),
		MaxKeys:         p.maxKeys,
	}
	var out objects.ListVersionsOutput
	if p.maxKeys > 0 {
		if out, err = s.layer.ListObjectVersions(r.ctx, in); err != nil {
			return err
		}
	} else if in.VersionIDMarker != "" && in.KeyMarker == "" {
		// The layer's checks, for a page it is not asked for.
		in.MaxKeys = 1
		if _, err := s.layer.ListObjectVersions(r.ctx, in); err != nil {
			return err
		}
	}
	own, err := s.bucketOwner(r)
	if err != nil {
		return err
	}
	res := listVersionsResult{
		Xmlns:           s3Namespace,
		Name:            r.bucket,
		Prefix:          p.encode(p.prefix),
		KeyMarker:       p.encode(in.KeyMarker),
		VersionIDMarker: in.VersionIDMarker,
		MaxKeys:         p.maxKeys,
		Delimiter:       p.encode(p.delimiter),
		IsTruncated:     out.IsTruncated,
		EncodingType:    p.encodingType(),
		Versions:        make([]versionEntry, 0, len(out.Versions)),
		CommonPrefixes:  p.commonPrefixes(out.CommonPrefixes),
	}
	for _, v := range out.Versions {
		e := versionEntry{
			XMLName:      deleteMarkerElement,
			Key:          p.encode(v.Key),
			VersionID:    v.VersionID,
			IsLatest:     v.IsLatest,
			LastModified: isoTime(v.LastModified),
			Owner:        own,
		}
		if !v.DeleteMarker {
			etag, size, class := quoteETag(v.ETag), v.Size, "STANDARD"
			e.XMLName, e.ETag, e.Size, e.StorageClass = versionElement, &etag, &size, &class
		}
		res.Versions = append(res.Versions, e)
	}
	if out.IsTruncated {
		res.NextKeyMarker = p.encode(out.NextKeyMarker)
		res.NextVersionIDMarker = out.NextVersionIDMarker
	}
	s.writeXML(r, res)
	return nil
}
