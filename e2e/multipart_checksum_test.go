package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestMultipartBoto3 runs testdata/multipart_boto3.py (upload_file with
// 5 MiB parts; low-level uploads with every checksum algorithm and type).
func TestMultipartBoto3(t *testing.T) {
	runBoto3Script(t, startGateway(t, newDataDir(t)), "testdata/multipart_boto3.py", "mpu-boto3")
}

var mpuAlgorithms = []types.ChecksumAlgorithm{
	types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme,
	types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256,
}

// compositeChecksum is base64(hash(concat(part digests)))-N.
func compositeChecksum(alg types.ChecksumAlgorithm, parts [][]byte) string {
	var joined []byte
	for _, p := range parts {
		raw, _ := base64.StdEncoding.DecodeString(checksumBase64(alg, p))
		joined = append(joined, raw...)
	}
	return fmt.Sprintf("%s-%d", checksumBase64(alg, joined), len(parts))
}

func headChecksum(h *s3.HeadObjectOutput, alg types.ChecksumAlgorithm) string {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		return aws.ToString(h.ChecksumCRC32)
	case types.ChecksumAlgorithmCrc32c:
		return aws.ToString(h.ChecksumCRC32C)
	case types.ChecksumAlgorithmCrc64nvme:
		return aws.ToString(h.ChecksumCRC64NVME)
	case types.ChecksumAlgorithmSha1:
		return aws.ToString(h.ChecksumSHA1)
	case types.ChecksumAlgorithmSha256:
		return aws.ToString(h.ChecksumSHA256)
	}
	return ""
}

func splitParts(data []byte, size int) [][]byte {
	var parts [][]byte
	for len(data) > size {
		parts = append(parts, data[:size])
		data = data[size:]
	}
	return append(parts, data)
}

// expectObjectChecksum HEADs key with checksum mode and checks the value
// for the type the gateway reports, and the bytes.
func expectObjectChecksum(t *testing.T, c *s3.Client, bucket, key string, alg types.ChecksumAlgorithm, wantType types.ChecksumType, data []byte, parts [][]byte) {
	t.Helper()
	h, err := c.HeadObject(testContext(t, time.Minute), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	mustNoErr(t, err, "HEAD %s", key)
	typ := h.ChecksumType
	if wantType != "" && typ != wantType {
		t.Errorf("%s: ChecksumType %q, want %q", key, typ, wantType)
	}
	want := checksumBase64(alg, data)
	if typ == types.ChecksumTypeComposite {
		want = compositeChecksum(alg, parts)
	}
	if got := headChecksum(h, alg); got != want {
		t.Errorf("%s: %s checksum %q (%s), want %q", key, alg, got, typ, want)
	}
	if etag := multipartETagOf(md5sOf(parts)); aws.ToString(h.ETag) != etag {
		t.Errorf("%s: ETag %s, want %s", key, aws.ToString(h.ETag), etag)
	}
	if sum, n, _ := getObjectSHA256(t, c, bucket, key); sum != sha256Hex(data) || n != int64(len(data)) {
		t.Errorf("%s: read back %d bytes %s, want %d bytes %s", key, n, sum, len(data), sha256Hex(data))
	}
}

func md5sOf(parts [][]byte) [][]byte {
	out := make([][]byte, len(parts))
	for i, p := range parts {
		out[i] = md5Of(p)
	}
	return out
}

// TestMultipartSDKChecksums: the aws-sdk-go-v2 upload manager (5 MiB parts,
// 10 concurrent) with each checksum algorithm, then explicit uploads with
// ChecksumType FULL_OBJECT and COMPOSITE.
func TestMultipartSDKChecksums(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu-sdk")
	data := patternBytes(500, 16<<20+777)
	parts := splitParts(data, 5<<20)

	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20; u.Concurrency = 10 })
	for _, alg := range append([]types.ChecksumAlgorithm{""}, mpuAlgorithms...) {
		key := "manager/" + string(alg)
		if alg == "" {
			key = "manager/default"
		}
		_, err := up.Upload(testContext(t, 2*time.Minute), &s3.PutObjectInput{
			Bucket: aws.String("mpu-sdk"), Key: aws.String(key), Body: bytes.NewReader(data), ChecksumAlgorithm: alg,
		})
		if err != nil {
			t.Errorf("manager upload %s: %v", key, err)
			continue
		}
		check := alg
		if check == "" {
			check = types.ChecksumAlgorithmCrc32 // the SDK's default when supported
		}
		expectObjectChecksum(t, c, "mpu-sdk", key, check, "", data, parts)
	}

	for _, alg := range mpuAlgorithms {
		for _, typ := range []types.ChecksumType{types.ChecksumTypeFullObject, types.ChecksumTypeComposite} {
			key := fmt.Sprintf("explicit/%s-%s", alg, typ)
			allowed := (typ == types.ChecksumTypeFullObject && strings.HasPrefix(string(alg), "CRC")) ||
				(typ == types.ChecksumTypeComposite && alg != types.ChecksumAlgorithmCrc64nvme)
			ctx := testContext(t, 2*time.Minute)
			cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
				Bucket: aws.String("mpu-sdk"), Key: aws.String(key), ChecksumAlgorithm: alg, ChecksumType: typ,
			})
			if !allowed {
				expectAPIError(t, err, "InvalidRequest", 400, "CreateMultipartUpload "+key)
				continue
			}
			if err != nil {
				t.Errorf("CreateMultipartUpload %s: %v", key, err)
				continue
			}
			if cr.ChecksumAlgorithm != alg || cr.ChecksumType != typ {
				t.Errorf("%s: Create echoed %q %q", key, cr.ChecksumAlgorithm, cr.ChecksumType)
			}
			var done []types.CompletedPart
			for i, p := range parts {
				out, err := c.UploadPart(ctx, &s3.UploadPartInput{
					Bucket: aws.String("mpu-sdk"), Key: aws.String(key), UploadId: cr.UploadId,
					PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: alg,
				})
				mustNoErr(t, err, "UploadPart %s #%d", key, i+1)
				cp := types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag,
					ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME,
					ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256}
				done = append(done, cp)
			}
			in := &s3.CompleteMultipartUploadInput{
				Bucket: aws.String("mpu-sdk"), Key: aws.String(key), UploadId: cr.UploadId, ChecksumType: typ,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
			}
			if typ == types.ChecksumTypeFullObject {
				// The client may state the whole object's CRC up front.
				v := checksumBase64(alg, data)
				switch alg {
				case types.ChecksumAlgorithmCrc32:
					in.ChecksumCRC32 = &v
				case types.ChecksumAlgorithmCrc32c:
					in.ChecksumCRC32C = &v
				case types.ChecksumAlgorithmCrc64nvme:
					in.ChecksumCRC64NVME = &v
				}
			}
			_, err = c.CompleteMultipartUpload(ctx, in)
			if err != nil {
				t.Errorf("Complete %s: %v", key, err)
				continue
			}
			expectObjectChecksum(t, c, "mpu-sdk", key, alg, typ, data, parts)
		}
	}
}
