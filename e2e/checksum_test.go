package e2e

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"hash/crc64"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBoto3ChecksumsHTTP(t *testing.T) {
	runBoto3Script(t, startGateway(t, newDataDir(t)), "testdata/boto3_checksums.py", "boto3-sums")
}

func TestBoto3ChecksumsHTTPS(t *testing.T) {
	runBoto3Script(t, startTLSGateway(t, newDataDir(t)), "testdata/boto3_checksums.py", "boto3-sums")
}

// botocore needs awscrt for CRC32C and CRC64NVME; aws-sdk-go-v2 has them
// built in, so those two always get an end-to-end run through it.

func TestSDKChecksumsHTTP(t *testing.T) {
	checkSDKChecksums(t, startGateway(t, newDataDir(t)))
}

func TestSDKChecksumsHTTPS(t *testing.T) {
	checkSDKChecksums(t, startTLSGateway(t, newDataDir(t)))
}

func checkSDKChecksums(t *testing.T, g *gateway) {
	ctx := testContext(t, 2*time.Minute)
	client := g.sdkClient()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-sums")})
	mustNoErr(t, err, "CreateBucket")
	body := patternBytes(81, 3<<19+5)
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme} {
		t.Run(string(alg), func(t *testing.T) {
			want := checksumBase64(alg, body)
			key := "alg/" + string(alg)
			_, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("sdk-sums"), Key: aws.String(key),
				Body: bytes.NewReader(body), ChecksumAlgorithm: alg,
			})
			mustNoErr(t, err, "PutObject %s", alg)
			got, err := client.GetObject(ctx, &s3.GetObjectInput{
				Bucket: aws.String("sdk-sums"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled,
			})
			mustNoErr(t, err, "GetObject")
			data, err := io.ReadAll(got.Body) // the SDK fails the read on a checksum mismatch
			got.Body.Close()
			mustNoErr(t, err, "read GetObject body")
			if !bytes.Equal(data, body) {
				t.Errorf("GetObject returned %d bytes differing from the %d put", len(data), len(body))
			}
			if have := sdkChecksum(alg, got.ChecksumCRC32C, got.ChecksumCRC64NVME); have != want {
				t.Errorf("GetObject %s = %q, want %q (computed in Go)", alg, have, want)
			}
			attrs, err := client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{
				Bucket: aws.String("sdk-sums"), Key: aws.String(key),
				ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum, types.ObjectAttributesObjectSize},
			})
			mustNoErr(t, err, "GetObjectAttributes")
			if attrs.Checksum == nil {
				t.Fatalf("GetObjectAttributes has no Checksum")
			}
			if have := sdkChecksum(alg, attrs.Checksum.ChecksumCRC32C, attrs.Checksum.ChecksumCRC64NVME); have != want {
				t.Errorf("GetObjectAttributes %s = %q, want %q", alg, have, want)
			}
			if aws.ToInt64(attrs.ObjectSize) != int64(len(body)) || `"`+aws.ToString(attrs.ETag)+`"` != quotedMD5(body) {
				t.Errorf("GetObjectAttributes size %d ETag %s, want %d %s", aws.ToInt64(attrs.ObjectSize), aws.ToString(attrs.ETag), len(body), quotedMD5(body))
			}
		})
	}
}

func sdkChecksum(alg types.ChecksumAlgorithm, crc32c, crc64nvme *string) string {
	if alg == types.ChecksumAlgorithmCrc32c {
		return aws.ToString(crc32c)
	}
	return aws.ToString(crc64nvme)
}

// crc64NVMETable is CRC-64/NVME (the reversed polynomial, as hash/crc64
// wants it).
var crc64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// checksumBase64 computes an x-amz-checksum-* value in Go.
func checksumBase64(alg types.ChecksumAlgorithm, data []byte) string {
	var raw []byte
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		raw = binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	case types.ChecksumAlgorithmCrc32c:
		raw = binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	case types.ChecksumAlgorithmCrc64nvme:
		raw = binary.BigEndian.AppendUint64(nil, crc64.Checksum(data, crc64NVMETable))
	case types.ChecksumAlgorithmSha1:
		sum := sha1.Sum(data)
		raw = sum[:]
	case types.ChecksumAlgorithmSha256:
		sum := sha256.Sum256(data)
		raw = sum[:]
	}
	return base64.StdEncoding.EncodeToString(raw)
}

func TestCRC64NVMECheckValue(t *testing.T) {
	// The catalogue check value of CRC-64/NVME over "123456789".
	if got := crc64.Checksum([]byte("123456789"), crc64NVMETable); got != 0xae8b14860a799888 {
		t.Fatalf("CRC-64/NVME(123456789) = %#x, want 0xae8b14860a799888", got)
	}
}
