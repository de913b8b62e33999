package s3api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Complete's optional assertions: x-amz-mp-object-size and the
// conditional headers.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
func TestCompleteAssertions(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "assert")
	id := mpCreate(t, c, "assert", "k")
	p := mpPart(t, c, "assert", "k", id, 1, []byte("12345"))
	complete := func(mod func(*s3.CompleteMultipartUploadInput)) error {
		in := &s3.CompleteMultipartUploadInput{
			Bucket: aws.String("assert"), Key: aws.String("k"), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}},
		}
		mod(in)
		_, err := c.CompleteMultipartUpload(ctx, in)
		return err
	}
	err := complete(func(in *s3.CompleteMultipartUploadInput) { in.MpuObjectSize = aws.Int64(6) })
	expectAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	err = complete(func(in *s3.CompleteMultipartUploadInput) { in.IfMatch = aws.String(`"abc"`) })
	expectAPIError(t, err, "NoSuchKey", http.StatusNotFound)

	g.mustPut(t, "assert", "k", "existing")
	err = complete(func(in *s3.CompleteMultipartUploadInput) { in.IfNoneMatch = aws.String("*") })
	expectAPIError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	err = complete(func(in *s3.CompleteMultipartUploadInput) { in.IfMatch = aws.String(`"0123"`) })
	expectAPIError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	if got := getString(t, c, "assert", "k"); got != "existing" {
		t.Fatalf("a refused Complete changed the object: %q", got)
	}

	// The upload survived the refusals; a matching If-Match and size complete it.
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("assert"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	err = complete(func(in *s3.CompleteMultipartUploadInput) {
		in.IfMatch = head.ETag
		in.MpuObjectSize = aws.Int64(5)
	})
	if err != nil {
		t.Fatalf("Complete with matching If-Match and size: %v", err)
	}
	if got := getString(t, c, "assert", "k"); got != "12345" {
		t.Fatalf("object = %q", got)
	}
}

// Checksum type rules at Create, and the result Complete and ListParts
// report.
func TestMultipartChecksumTypes(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "sums")
	for _, tc := range []struct {
		alg types.ChecksumAlgorithm
		typ types.ChecksumType
	}{
		{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmSha256, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmSha1, types.ChecksumTypeFullObject},
	} {
		_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
			Bucket: aws.String("sums"), Key: aws.String("k"), ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ,
		})
		if code, status := apiErrorCode(t, err); code != "InvalidRequest" || status != 400 {
			t.Errorf("%s/%s: %s/%d, want InvalidRequest/400", tc.alg, tc.typ, code, status)
		}
	}

	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String("sums"), Key: aws.String("k"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ChecksumType: types.ChecksumTypeFullObject,
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.ChecksumType != types.ChecksumTypeFullObject || up.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32 {
		t.Errorf("Create answered %s/%s", up.ChecksumAlgorithm, up.ChecksumType)
	}
	var parts []types.CompletedPart
	for i, body := range []string{"first part ", "second"} {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String("sums"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			Body: bytes.NewReader([]byte(body)), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}

	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("sums"), Key: aws.String("k"), UploadId: up.UploadId, MaxParts: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if lp.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32 || lp.ChecksumType != types.ChecksumTypeFullObject ||
		lp.Initiator == nil || aws.ToString(lp.Initiator.ID) == "" || lp.Owner == nil || aws.ToString(lp.Owner.ID) == "" ||
		lp.StorageClass != types.StorageClassStandard || aws.ToString(lp.NextPartNumberMarker) != "1" ||
		!aws.ToBool(lp.IsTruncated) || len(lp.Parts) != 1 || aws.ToString(lp.Parts[0].ChecksumCRC32) == "" {
		t.Errorf("ListParts = alg %s type %s initiator %v owner %v class %s next %q truncated %v parts %d",
			lp.ChecksumAlgorithm, lp.ChecksumType, lp.Initiator, lp.Owner, lp.StorageClass,
			aws.ToString(lp.NextPartNumberMarker), aws.ToBool(lp.IsTruncated), len(lp.Parts))
	}

	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("sums"), Key: aws.String("k"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		t.Fatal(err)
	}
	// A full-object CRC32 is the CRC32 of the whole object.
	if done.ChecksumType != types.ChecksumTypeFullObject || aws.ToString(done.ChecksumCRC32) != crc32Base64([]byte("first part second")) {
		t.Errorf("Complete answered %s %q, want FULL_OBJECT %q", done.ChecksumType, aws.ToString(done.ChecksumCRC32), crc32Base64([]byte("first part second")))
	}
}

func TestPartNumberLimits(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	g.mustCreateBucket(t, "limits")
	id := mpCreate(t, c, "limits", "k")
	for _, n := range []string{"0", "10001", "x"} {
		resp, body := do(t, g.signedRequest(t, http.MethodPut, "/limits/k?partNumber="+n+"&uploadId="+id, []byte("x"), testSecretKey))
		checkErrorXML(t, resp, body, http.StatusBadRequest, "InvalidArgument")
		if !bytes.Contains(body, []byte("Part number must be an integer between 1 and 10000, inclusive")) {
			t.Errorf("partNumber=%s: message %s", n, body)
		}
	}
	mpPart(t, c, "limits", "k", id, 10000, []byte("last possible part"))
}

// upload-id-marker means nothing without key-marker.
func TestListUploadsIgnoresUploadIDMarkerAlone(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "marks")
	first := mpCreate(t, c, "marks", "a")
	mpCreate(t, c, "marks", "a")
	mpCreate(t, c, "marks", "b")
	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("marks"), UploadIdMarker: aws.String(first)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 3 {
		t.Fatalf("upload-id-marker alone skipped uploads: %d listed", len(out.Uploads))
	}
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("marks"), KeyMarker: aws.String("a"), UploadIdMarker: aws.String(first)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 2 {
		t.Fatalf("key-marker a + upload-id-marker of the first upload listed %d, want 2", len(out.Uploads))
	}
}

// A directory-marker key (a/b/, as Hadoop s3a writes) can be uploaded in
// parts like any other.
func TestMultipartDirectoryMarkerKey(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "marker")
	g.mustPut(t, "marker", "a/b/inside", "x")
	id := mpCreate(t, c, "marker", "a/b/")
	p1 := mpPart(t, c, "marker", "a/b/", id, 1, []byte("mark"))
	p2 := mpPart(t, c, "marker", "a/b/", id, 2, []byte("er"))
	if _, err := mpComplete(c, "marker", "a/b/", id, p1, p2); err != nil {
		t.Fatal(err)
	}
	if got := getString(t, c, "marker", "a/b/"); got != "marker" {
		t.Fatalf("a/b/ = %q", got)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("marker")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if len(keys) != 2 || keys[0] != "a/b/" || keys[1] != "a/b/inside" {
		t.Fatalf("keys = %v", keys)
	}
}

func crc32Base64(b []byte) string {
	var out [4]byte
	binary.BigEndian.PutUint32(out[:], crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(out[:])
}
