package s3api

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/checksum"
)

// uploadParts writes a multipart object of the given parts through
// aws-sdk-go-v2, with per-part checksums of alg unless alg is empty.
func uploadParts(t *testing.T, c *s3.Client, bucket, key string, alg types.ChecksumAlgorithm, parts [][]byte) {
	t.Helper()
	ctx := context.Background()
	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumAlgorithm: alg})
	if err != nil {
		t.Fatal(err)
	}
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: created.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: created.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatal(err)
	}
}

// GetObjectAttributes' x-amz-max-parts and x-amz-part-number-marker page
// the object's parts (API_GetObjectAttributes); they were accepted and
// ignored, and no Part was ever listed. S3 lists the parts, each with its
// number, size and checksum, only of an object whose parts carry an
// additional checksum (API_GetObjectAttributesParts: otherwise "the
// response doesn't return the Part element"); of another it answers the
// count alone.
func TestGetObjectAttributesPartsPaging(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	g.mustCreateBucket(t, "attrparts")
	c := g.client()
	ctx := context.Background()
	parts := [][]byte{[]byte("first part"), []byte("second"), []byte("third one")}
	uploadParts(t, c, "attrparts", "sums", types.ChecksumAlgorithmCrc32, parts)
	uploadParts(t, c, "attrparts", "plain", "", parts)

	attrs := func(key string, maxParts *int32, marker *string) *s3.GetObjectAttributesOutput {
		t.Helper()
		out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrparts"), Key: aws.String(key),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectParts}, MaxParts: maxParts, PartNumberMarker: marker})
		if err != nil || out.ObjectParts == nil {
			t.Fatalf("GetObjectAttributes %s: %+v %v", key, out, err)
		}
		return out
	}

	first := attrs("sums", aws.Int32(2), nil).ObjectParts
	if aws.ToInt32(first.TotalPartsCount) != 3 || !aws.ToBool(first.IsTruncated) || aws.ToInt32(first.MaxParts) != 2 ||
		aws.ToString(first.NextPartNumberMarker) != "2" || len(first.Parts) != 2 {
		t.Fatalf("first page: %+v", first)
	}
	for i, p := range first.Parts {
		if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != int64(len(parts[i])) ||
			aws.ToString(p.ChecksumCRC32) != checksum.Checksum(checksum.CRC32, parts[i]) {
			t.Errorf("part %d: number %d size %d crc32 %q", i+1, aws.ToInt32(p.PartNumber), aws.ToInt64(p.Size), aws.ToString(p.ChecksumCRC32))
		}
	}
	rest := attrs("sums", nil, first.NextPartNumberMarker).ObjectParts
	if aws.ToBool(rest.IsTruncated) || aws.ToString(rest.PartNumberMarker) != "2" || len(rest.Parts) != 1 ||
		aws.ToInt32(rest.Parts[0].PartNumber) != 3 || aws.ToInt64(rest.Parts[0].Size) != int64(len(parts[2])) {
		t.Fatalf("second page: %+v", rest)
	}

	plain := attrs("plain", aws.Int32(1), nil).ObjectParts
	if aws.ToInt32(plain.TotalPartsCount) != 3 || len(plain.Parts) != 0 {
		t.Fatalf("object without part checksums: %+v", plain)
	}

	// A malformed page is refused as ListParts refuses its max-parts and
	// part-number-marker (no AWS record of the header's own text was
	// found).
	for _, h := range []string{"x-amz-max-parts", "x-amz-part-number-marker"} {
		resp, e := sendWithHeaders(t, g.gateway, "GET", "/attrparts/sums?attributes", nil,
			map[string]string{"x-amz-object-attributes": "ObjectParts", h: "x"})
		if resp.StatusCode != http.StatusBadRequest || e.Code != "InvalidArgument" || e.ArgumentName != h || e.ArgumentValue != "x" {
			t.Errorf("%s: x: %d %s %s=%s", h, resp.StatusCode, e.Code, e.ArgumentName, e.ArgumentValue)
		}
	}
}
