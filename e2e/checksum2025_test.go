package e2e

import (
	"bytes"
	"crypto/md5"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"
)

// The 2025 checksum algorithms (issue #18). aws-sdk-go-v2's service/s3
// models them (types.ChecksumAlgorithmMd5 ... Xxhash128, the ChecksumMD5,
// ChecksumSHA512, ChecksumXXHASH64, ChecksumXXHASH3 and ChecksumXXHASH128
// members and their x-amz-checksum-* headers) but its checksum middleware
// computes only SHA512 of them, so the others go as precomputed values.
var algorithms2025 = []types.ChecksumAlgorithm{
	types.ChecksumAlgorithmMd5, types.ChecksumAlgorithmSha512,
	types.ChecksumAlgorithmXxhash64, types.ChecksumAlgorithmXxhash3, types.ChecksumAlgorithmXxhash128,
}

// digest2025 computes alg over data with the reference libraries: seed 0,
// big-endian, XXH128 in its canonical form (high 64 bits first).
func digest2025(alg types.ChecksumAlgorithm, data []byte) []byte {
	switch alg {
	case types.ChecksumAlgorithmMd5:
		s := md5.Sum(data)
		return s[:]
	case types.ChecksumAlgorithmSha512:
		s := sha512.Sum512(data)
		return s[:]
	case types.ChecksumAlgorithmXxhash64:
		return binary.BigEndian.AppendUint64(nil, xxhash.Sum64(data))
	case types.ChecksumAlgorithmXxhash3:
		return binary.BigEndian.AppendUint64(nil, xxh3.Hash(data))
	case types.ChecksumAlgorithmXxhash128:
		s := xxh3.Hash128(data).Bytes()
		return s[:]
	}
	panic("no such algorithm " + string(alg))
}

func sum2025(alg types.ChecksumAlgorithm, data []byte) string {
	return base64.StdEncoding.EncodeToString(digest2025(alg, data))
}

// composite2025 is S3's COMPOSITE value: base64(alg(concat part digests))-N.
func composite2025(alg types.ChecksumAlgorithm, parts [][]byte) string {
	var joined []byte
	for _, p := range parts {
		joined = append(joined, digest2025(alg, p)...)
	}
	return fmt.Sprintf("%s-%d", sum2025(alg, joined), len(parts))
}

// checksumMember is the SDK's member for alg: ChecksumMD5, ChecksumSHA512,
// ChecksumXXHASH64, ChecksumXXHASH3 or ChecksumXXHASH128 (the XML element
// and struct field names match).
func checksumMember(alg types.ChecksumAlgorithm) string {
	return "Checksum" + string(alg)
}

// memberOf reads alg's *string member from an SDK input or output struct.
func memberOf(v any, alg types.ChecksumAlgorithm) string {
	f := reflect.Indirect(reflect.ValueOf(v)).FieldByName(checksumMember(alg))
	if !f.IsValid() {
		panic(fmt.Sprintf("%T has no %s", v, checksumMember(alg)))
	}
	return aws.ToString(f.Interface().(*string))
}

// setMember sets alg's *string member on an SDK input struct.
func setMember(v any, alg types.ChecksumAlgorithm, value string) {
	reflect.ValueOf(v).Elem().FieldByName(checksumMember(alg)).Set(reflect.ValueOf(aws.String(value)))
}

// TestSDKChecksums2025 puts an object with each 2025 algorithm through
// aws-sdk-go-v2 over HTTPS and reads the value back every way S3 offers:
// HEAD and GET with checksum mode, GetObjectAttributes. A wrong value is
// BadDigest with the message S3 gives for the other algorithms. The
// members read back are those of S3's Checksum type (API_Checksum.html).
func TestSDKChecksums2025(t *testing.T) {
	g := startTLSGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "sums2025")
	body := patternBytes(2025, 1<<20+3)
	for _, alg := range algorithms2025 {
		t.Run(string(alg), func(t *testing.T) {
			ctx := testContext(t, 2*time.Minute)
			want := sum2025(alg, body)
			key := "put/" + string(alg)
			in := &s3.PutObjectInput{Bucket: aws.String("sums2025"), Key: aws.String(key), Body: bytes.NewReader(body)}
			setMember(in, alg, want)
			put, err := c.PutObject(ctx, in)
			mustNoErr(t, err, "PutObject %s", alg)
			if got := memberOf(put, alg); got != want {
				t.Errorf("PutObject answered %s %q, want %q", alg, got, want)
			}

			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums2025"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			mustNoErr(t, err, "HeadObject")
			if got := memberOf(head, alg); got != want || head.ChecksumType != types.ChecksumTypeFullObject {
				t.Errorf("HeadObject %s %q (%s), want %q FULL_OBJECT", alg, got, head.ChecksumType, want)
			}

			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums2025"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			mustNoErr(t, err, "GetObject")
			data, err := io.ReadAll(get.Body) // the SDK checks SHA512 itself
			get.Body.Close()
			mustNoErr(t, err, "read GetObject body")
			if got := memberOf(get, alg); got != want || !bytes.Equal(data, body) {
				t.Errorf("GetObject %s %q and %d bytes, want %q and the %d put", alg, got, len(data), want, len(body))
			}

			attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("sums2025"), Key: aws.String(key),
				ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum}})
			mustNoErr(t, err, "GetObjectAttributes")
			if attrs.Checksum == nil || memberOf(attrs.Checksum, alg) != want {
				t.Errorf("GetObjectAttributes Checksum %+v, want %s %q", attrs.Checksum, alg, want)
			}

			bad := &s3.PutObjectInput{Bucket: aws.String("sums2025"), Key: aws.String(key + "-bad"), Body: bytes.NewReader(body)}
			setMember(bad, alg, sum2025(alg, body[1:]))
			_, err = c.PutObject(ctx, bad)
			expectAPIMessage(t, err, "BadDigest", http.StatusBadRequest,
				fmt.Sprintf("The %s you specified did not match the calculated checksum.", alg), "PutObject with a wrong "+string(alg))
			if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums2025"), Key: aws.String(key + "-bad")}); err == nil {
				t.Errorf("the object refused with BadDigest exists")
			}
		})
	}

	// SHA512 is the one the SDK computes itself: over HTTPS it streams the
	// body aws-chunked with an x-amz-checksum-sha512 trailer.
	ctx := testContext(t, 2*time.Minute)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums2025"), Key: aws.String("sdk-sha512"),
		Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmSha512})
	mustNoErr(t, err, "PutObject with the SDK computing SHA512")
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums2025"), Key: aws.String("sdk-sha512"), ChecksumMode: types.ChecksumModeEnabled})
	mustNoErr(t, err, "HeadObject sdk-sha512")
	if want := sum2025(types.ChecksumAlgorithmSha512, body); aws.ToString(head.ChecksumSHA512) != want {
		t.Errorf("SDK-computed SHA512 stored as %q, want %q", aws.ToString(head.ChecksumSHA512), want)
	}
}

// TestTrailerChecksums2025 sends each 2025 algorithm as an aws-chunked
// trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER, built by hand): the right
// value is stored, a wrong one is BadDigest and stores nothing. Trailer
// names are x-amz-checksum-<algorithm>, as for the members of
// API_Checksum.html.
func TestTrailerChecksums2025(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, 2*time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/trail2025"}), http.StatusOK, "create bucket")
	data := patternBytes(7, 200_000)
	for _, alg := range algorithms2025 {
		t.Run(string(alg), func(t *testing.T) {
			name := "x-amz-checksum-" + strings.ToLower(string(alg))
			want := sum2025(alg, data)
			path := "/trail2025/" + string(alg)
			ok := g.do(t, ctx, unsignedTrailerRequest(path, "", name, len(data), unsignedChunked(data, []int{65536, 65536}, name+":"+want)))
			expectStatus(t, ok, http.StatusOK, "PUT with a good trailer")
			if got := ok.header.Get(name); got != want {
				t.Errorf("PUT answered %s %q, want %q", name, got, want)
			}
			head := g.do(t, ctx, rawRequest{method: "HEAD", rawPath: path, header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}})
			if got := head.header.Get(name); got != want {
				t.Errorf("HEAD %s %q, want %q", name, got, want)
			}

			wrong := sum2025(alg, data[:len(data)-1])
			bad := g.do(t, ctx, unsignedTrailerRequest(path+"-bad", "", name, len(data), unsignedChunked(data, []int{65536}, name+":"+wrong)))
			expectS3Error(t, bad, http.StatusBadRequest, "BadDigest", fmt.Sprintf("The %s you specified did not match the calculated checksum.", alg), nil)
			if gone := g.do(t, ctx, rawRequest{method: "HEAD", rawPath: path + "-bad"}); gone.status != http.StatusNotFound {
				t.Errorf("HEAD after BadDigest: %d, want 404", gone.status)
			}
		})
	}
}

// TestMultipartChecksums2025: a multipart upload with each 2025 algorithm is
// COMPOSITE by default (checksum of the part checksums, "-N"), with the
// part values in UploadPart, ListParts and HEAD ?partNumber; FULL_OBJECT,
// which S3 defines for the CRCs only, is refused at CreateMultipartUpload.
// API_ObjectPart.html documents ChecksumMD5 etc. for parts of uploads
// "created with the MD5 checksum algorithm".
func TestMultipartChecksums2025(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "mpu2025")
	data := patternBytes(18, 5<<20+4321)
	parts := splitParts(data, 5<<20)
	for _, alg := range algorithms2025 {
		t.Run(string(alg), func(t *testing.T) {
			ctx := testContext(t, 3*time.Minute)
			key := "mpu/" + string(alg)
			_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu2025"), Key: aws.String(key),
				ChecksumAlgorithm: alg, ChecksumType: types.ChecksumTypeFullObject})
			expectAPIMessage(t, err, "InvalidRequest", http.StatusBadRequest,
				fmt.Sprintf("The FULL_OBJECT checksum type cannot be used with the %s checksum algorithm.", alg), "FULL_OBJECT with "+string(alg))

			created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu2025"), Key: aws.String(key), ChecksumAlgorithm: alg})
			mustNoErr(t, err, "CreateMultipartUpload %s", alg)
			var completed []types.CompletedPart
			for i, p := range parts {
				in := &s3.UploadPartInput{Bucket: aws.String("mpu2025"), Key: aws.String(key), UploadId: created.UploadId,
					PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}
				setMember(in, alg, sum2025(alg, p))
				out, err := c.UploadPart(ctx, in)
				mustNoErr(t, err, "UploadPart %d", i+1)
				if got := memberOf(out, alg); got != sum2025(alg, p) {
					t.Errorf("UploadPart %d answered %q, want %q", i+1, got, sum2025(alg, p))
				}
				cp := types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))}
				setMember(&cp, alg, sum2025(alg, p))
				completed = append(completed, cp)
			}

			listed, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu2025"), Key: aws.String(key), UploadId: created.UploadId})
			mustNoErr(t, err, "ListParts")
			if listed.ChecksumAlgorithm != alg || listed.ChecksumType != types.ChecksumTypeComposite || len(listed.Parts) != len(parts) {
				t.Fatalf("ListParts: algorithm %s type %s, %d parts", listed.ChecksumAlgorithm, listed.ChecksumType, len(listed.Parts))
			}
			for i, p := range listed.Parts {
				if got := memberOf(p, alg); got != sum2025(alg, parts[i]) {
					t.Errorf("ListParts part %d %q, want %q", i+1, got, sum2025(alg, parts[i]))
				}
			}

			want := composite2025(alg, parts)
			done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu2025"), Key: aws.String(key),
				UploadId: created.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
			mustNoErr(t, err, "CompleteMultipartUpload")
			if got := memberOf(done, alg); got != want || done.ChecksumType != types.ChecksumTypeComposite {
				t.Errorf("CompleteMultipartUpload %s %q (%s), want %q COMPOSITE", alg, got, done.ChecksumType, want)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu2025"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			mustNoErr(t, err, "HeadObject")
			if got := memberOf(head, alg); got != want {
				t.Errorf("HeadObject %s %q, want %q", alg, got, want)
			}
			first, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu2025"), Key: aws.String(key),
				PartNumber: aws.Int32(1), ChecksumMode: types.ChecksumModeEnabled})
			mustNoErr(t, err, "HeadObject partNumber=1")
			if got := memberOf(first, alg); got != sum2025(alg, parts[0]) {
				t.Errorf("HeadObject partNumber=1 %s %q, want %q", alg, got, sum2025(alg, parts[0]))
			}
			attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("mpu2025"), Key: aws.String(key),
				ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum}})
			mustNoErr(t, err, "GetObjectAttributes")
			if attrs.Checksum == nil || memberOf(attrs.Checksum, alg) != want || attrs.Checksum.ChecksumType != types.ChecksumTypeComposite {
				t.Errorf("GetObjectAttributes Checksum %+v, want %s %q COMPOSITE", attrs.Checksum, alg, want)
			}
			if sum, n, _ := getObjectSHA256(t, c, "mpu2025", key); sum != sha256Hex(data) || n != int64(len(data)) {
				t.Errorf("read back %d bytes %s, want %d %s", n, sum, len(data), sha256Hex(data))
			}
		})
	}
}

// TestCopyChecksums2025: CopyObject asked for a 2025 algorithm recomputes
// it over the bytes (CopyObjectResult carries it), and UploadPartCopy into
// an upload of that algorithm answers the part's value in CopyPartResult
// (both carry the members of API_Checksum.html).
func TestCopyChecksums2025(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, "copy2025")
	data := patternBytes(99, 300_000)
	ctx := testContext(t, 3*time.Minute)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("copy2025"), Key: aws.String("src"), Body: bytes.NewReader(data)})
	mustNoErr(t, err, "PutObject src")
	for _, alg := range algorithms2025 {
		t.Run(string(alg), func(t *testing.T) {
			want := sum2025(alg, data)
			copied, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy2025"), Key: aws.String("copy/" + string(alg)),
				CopySource: aws.String("copy2025/src"), ChecksumAlgorithm: alg})
			mustNoErr(t, err, "CopyObject with %s", alg)
			if copied.CopyObjectResult == nil || memberOf(copied.CopyObjectResult, alg) != want {
				t.Errorf("CopyObjectResult %+v, want %s %q", copied.CopyObjectResult, alg, want)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("copy2025"), Key: aws.String("copy/" + string(alg)), ChecksumMode: types.ChecksumModeEnabled})
			mustNoErr(t, err, "HeadObject copy")
			if got := memberOf(head, alg); got != want {
				t.Errorf("HeadObject of the copy %s %q, want %q", alg, got, want)
			}

			key := "partcopy/" + string(alg)
			created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("copy2025"), Key: aws.String(key), ChecksumAlgorithm: alg})
			mustNoErr(t, err, "CreateMultipartUpload")
			part, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("copy2025"), Key: aws.String(key), UploadId: created.UploadId,
				PartNumber: aws.Int32(1), CopySource: aws.String("copy2025/src")})
			mustNoErr(t, err, "UploadPartCopy")
			if part.CopyPartResult == nil || memberOf(part.CopyPartResult, alg) != want {
				t.Errorf("CopyPartResult %+v, want %s %q", part.CopyPartResult, alg, want)
			}
			cp := types.CompletedPart{ETag: part.CopyPartResult.ETag, PartNumber: aws.Int32(1)}
			setMember(&cp, alg, want)
			done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("copy2025"), Key: aws.String(key),
				UploadId: created.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{cp}}})
			mustNoErr(t, err, "CompleteMultipartUpload")
			if got := memberOf(done, alg); got != composite2025(alg, [][]byte{data}) {
				t.Errorf("CompleteMultipartUpload %s %q, want %q", alg, got, composite2025(alg, [][]byte{data}))
			}
		})
	}
}

// TestContentMD5BesideChecksumMD5: Content-MD5 and x-amz-checksum-md5 are
// different headers (the first is checked against the ETag's MD5, the
// second is a flexible checksum that is stored); a request may carry both,
// and each is checked with its own error text. API_PutObject.html lists
// Content-MD5 and x-amz-checksum-md5 as separate request headers.
func TestContentMD5BesideChecksumMD5(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/md5s"}), http.StatusOK, "create bucket")
	data := []byte("two MD5 headers, one body")
	right := sum2025(types.ChecksumAlgorithmMd5, data)
	wrong := sum2025(types.ChecksumAlgorithmMd5, data[1:])
	put := func(key, contentMD5, checksumMD5 string) *rawResponse {
		return g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/md5s/" + key, bodyBytes: data,
			header: http.Header{"Content-Md5": {contentMD5}, "X-Amz-Checksum-Md5": {checksumMD5}}})
	}

	ok := put("both", right, right)
	expectStatus(t, ok, http.StatusOK, "PUT with both MD5 headers right")
	if got := ok.header.Get("x-amz-checksum-md5"); got != right {
		t.Errorf("x-amz-checksum-md5 answered %q, want %q", got, right)
	}
	expectS3Error(t, put("bad-checksum", right, wrong), http.StatusBadRequest, "BadDigest",
		"The MD5 you specified did not match the calculated checksum.", nil)
	expectS3Error(t, put("bad-content", wrong, right), http.StatusBadRequest, "BadDigest",
		"The Content-MD5 you specified did not match what we received.", nil)
	expectS3Error(t, put("short", right, right[:len(right)-4]), http.StatusBadRequest, "InvalidRequest",
		"Value for x-amz-checksum-md5 header is invalid.", nil)
}

// TestBoto3Checksums2025 runs testdata/boto3_checksums2025.py (SHA512
// computed by botocore, MD5 precomputed; single PUTs and COMPOSITE
// multipart) over HTTP (header) and HTTPS (aws-chunked trailer), reading
// back the ChecksumSHA512/ChecksumMD5 members of API_Checksum.html.
func TestBoto3Checksums2025(t *testing.T) {
	t.Run("HTTP", func(t *testing.T) {
		runBoto3Script(t, startGateway(t, newDataDir(t)), "testdata/boto3_checksums2025.py", "boto3-sums2025")
	})
	t.Run("HTTPS", func(t *testing.T) {
		runBoto3Script(t, startTLSGateway(t, newDataDir(t)), "testdata/boto3_checksums2025.py", "boto3-sums2025")
	})
}
