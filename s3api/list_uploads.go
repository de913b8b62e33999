package s3api

import (
	"time"

	"github.com/terngate/terngate/multipart"
)

// listMultipartUploads serves GET /bucket?uploads.
func (s *server) listMultipartUploads(r *request) error {
	m, err := s.multipart()
	if err != nil {
		return err
	}
	if _, err := s.layer.HeadBucket(r.ctx, r.bucket); err != nil {
		return err
	}
	maxUploads, err := parseLimit(r, "max-uploads", maxListKeys)
	if err != nil {
		return err
	}
	urlEncode, err := parseEncodingType(r)
	if err != nil {
		return err
	}
	p := listParams{urlEncode: urlEncode}
	in := multipart.ListUploadsInput{
		Bucket: r.bucket, Prefix: r.param("prefix"), Delimiter: r.param("delimiter"),
		KeyMarker: r.param("key-marker"), UploadIDMarker: r.param("upload-id-marker"),
		MaxUploads: min(maxUploads, maxListKeys),
	}
	out, err := m.ListUploads(r.ctx, in)
	if err != nil {
		return err
	}
	res := listUploadsResult{
		Xmlns: s3Namespace, Bucket: r.bucket, KeyMarker: p.encode(in.KeyMarker), UploadIDMarker: in.UploadIDMarker,
		Prefix: p.encode(in.Prefix), Delimiter: p.encode(in.Delimiter), MaxUploads: in.MaxUploads,
		IsTruncated: out.IsTruncated, EncodingType: p.encodingType(),
	}
	if out.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = p.encode(out.NextKeyMarker), out.NextUploadIDMarker
	}
	for _, u := range out.Uploads {
		own := &owner{ID: u.Owner, DisplayName: u.Owner}
		res.Uploads = append(res.Uploads, uploadXML{
			Key: p.encode(u.Key), UploadID: u.ID, Initiator: own, Owner: own, StorageClass: storageClassOf(u.Metadata),
			Initiated: u.Initiated.UTC().Format(time.RFC3339Nano), ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType,
		})
	}
	res.CommonPrefixes = p.commonPrefixes(out.CommonPrefixes)
	s.writeXML(r, res)
	return nil
}
