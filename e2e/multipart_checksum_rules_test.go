package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// Sources for the rules below:
//   - AWS, "Checking object integrity in Amazon S3" (userguide/checking-object-integrity.html)
//     and the CompleteMultipartUpload, UploadPart, CompletedPart and
//     GetObject API references (botocore's service-2.json carries the same
//     text). CompletedPart.PartNumber: "when a additional checksum ... is
//     applied to each part, the PartNumber must start at 1 and the part
//     numbers must be consecutive. Otherwise ... 400 ... InvalidPartOrder".
//     CompleteMultipartUpload ChecksumType: a type other than the one
//     given at CreateMultipartUpload is refused.
//   - Error texts AWS sends for the checksum cases, as versitygw's
//     integration suite (run against AWS S3) asserts them:
//     tests/integration/CompleteMultipartUpload.go
//     (CompleteMultipartUpload_missing_part_checksum, _incorrect_checksum_part,
//     _different_checksum_part, _multiple_checksum_part,
//     _should_verify_final_composite_checksum, _should_ignore_the_final_checksum)
//     and tests/integration/UploadPart.go
//     (UploadPart_no_checksum_with_composite_checksum_type,
//     UploadPart_no_checksum_with_full_object_checksum_type),
//     tests/integration/GetObject.go (GetObject_non_mp_part_number_1_success,
//     GetObject_ranged_with_checksum_mode).

const sumBucket = "mpu-sums"

// expectAPIMessage checks an SDK error's code, status and message.
func expectAPIMessage(t testing.TB, err error, code string, status int, message, what string) {
	t.Helper()
	expectAPIError(t, err, code, status, what)
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorMessage() != message {
		t.Errorf("%s: message %q, want %q", what, apiErr.ErrorMessage(), message)
	}
}

// sumUpload is one upload of the checksum rule tests: its parts' bytes and
// the CompletedParts the SDK's replies give.
type sumUpload struct {
	t        *testing.T
	c        *s3.Client
	key, id  string
	data     [][]byte
	complete []types.CompletedPart
}

func newSumUpload(t *testing.T, c *s3.Client, key string, alg types.ChecksumAlgorithm, typ types.ChecksumType) *sumUpload {
	t.Helper()
	out, err := c.CreateMultipartUpload(testContext(t, time.Minute), &s3.CreateMultipartUploadInput{
		Bucket: aws.String(sumBucket), Key: aws.String(key), ChecksumAlgorithm: alg, ChecksumType: typ,
	})
	mustNoErr(t, err, "CreateMultipartUpload %s", key)
	return &sumUpload{t: t, c: c, key: key, id: aws.ToString(out.UploadId)}
}

// part uploads part n+1 with the algorithm's checksum.
func (u *sumUpload) part(alg types.ChecksumAlgorithm, body []byte) *s3.UploadPartOutput {
	u.t.Helper()
	n := int32(len(u.data) + 1)
	out, err := u.c.UploadPart(testContext(u.t, time.Minute), &s3.UploadPartInput{
		Bucket: aws.String(sumBucket), Key: aws.String(u.key), UploadId: aws.String(u.id),
		PartNumber: aws.Int32(n), Body: bytes.NewReader(body), ChecksumAlgorithm: alg,
	})
	mustNoErr(u.t, err, "UploadPart %s #%d", u.key, n)
	u.data = append(u.data, body)
	u.complete = append(u.complete, types.CompletedPart{
		PartNumber: aws.Int32(n), ETag: out.ETag,
		ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME,
		ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256,
	})
	return out
}

func (u *sumUpload) completeWith(parts []types.CompletedPart, mod func(*s3.CompleteMultipartUploadInput)) (*s3.CompleteMultipartUploadOutput, error) {
	in := &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(sumBucket), Key: aws.String(u.key), UploadId: aws.String(u.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}
	if mod != nil {
		mod(in)
	}
	return u.c.CompleteMultipartUpload(testContext(u.t, 2*time.Minute), in)
}

// expectIntact checks the upload is still listed with all its parts: a
// refused Complete must leave it retryable.
func (u *sumUpload) expectIntact(after string) {
	u.t.Helper()
	ctx := testContext(u.t, time.Minute)
	parts, err := u.c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(sumBucket), Key: aws.String(u.key), UploadId: aws.String(u.id)})
	if err != nil {
		u.t.Fatalf("after %s: ListParts: %v (the upload was lost)", after, err)
	}
	if len(parts.Parts) != len(u.data) {
		u.t.Fatalf("after %s: %d parts listed, want %d", after, len(parts.Parts), len(u.data))
	}
	list, err := u.c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(sumBucket), Prefix: aws.String(u.key)})
	mustNoErr(u.t, err, "ListMultipartUploads")
	found := false
	for _, up := range list.Uploads {
		found = found || aws.ToString(up.UploadId) == u.id
	}
	if !found {
		u.t.Errorf("after %s: the upload is not listed", after)
	}
	if _, err := u.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(sumBucket), Key: aws.String(u.key)}); err == nil {
		u.t.Errorf("after %s: the object exists", after)
	}
}

func (u *sumUpload) whole() []byte { return bytes.Join(u.data, nil) }

// withPart returns the CompletedParts with part i changed by mod.
func (u *sumUpload) withPart(i int, mod func(*types.CompletedPart)) []types.CompletedPart {
	parts := append([]types.CompletedPart(nil), u.complete...)
	mod(&parts[i])
	return parts
}

// noChecksumClient sends a checksum only when the operation requires one.
func (g *gateway) noChecksumClient() *s3.Client {
	return s3.New(s3.Options{
		Region: testRegion, Credentials: g.sdkClient().Options().Credentials, BaseEndpoint: aws.String(g.endpoint()),
		UsePathStyle: true, RetryMaxAttempts: 1, HTTPClient: g.httpClient(10 * time.Minute),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
	})
}

// TestMultipartChecksumRules: the multipart checksum rules of issue 13.
// Sources (the file's header quotes them):
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html,
// API_GetObject.html and API_HeadObject.html (partNumber); versitygw's
// AWS-run UploadPart_no_checksum_with_composite_checksum_type,
// UploadPart_no_checksum_with_full_object_checksum_type,
// CompleteMultipartUpload_missing_part_checksum,
// CompleteMultipartUpload_should_ignore_the_final_checksum and
// GetObject_non_mp_part_number_1_success.
func TestMultipartChecksumRules(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	c := g.sdkClient()
	createBucketSDK(t, c, sumBucket)
	big := func(seed uint64) []byte { return patternBytes(seed, 5<<20) }

	// Every Complete refused for a client error leaves the upload as it
	// was; the retry with the right request completes it. Checks run in
	// S3's order, all before a byte moves.
	t.Run("RefusedCompleteKeepsUpload", func(t *testing.T) {
		u := newSumUpload(t, c, "refused", types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite)
		u.part(types.ChecksumAlgorithmSha256, big(1))
		u.part(types.ChecksumAlgorithmSha256, []byte("tail of the object"))
		want := compositeChecksum(types.ChecksumAlgorithmSha256, u.data)
		wrongSum := checksumBase64(types.ChecksumAlgorithmSha256, []byte("other bytes"))

		_, err := u.completeWith(u.complete, func(in *s3.CompleteMultipartUploadInput) { in.ChecksumSHA256 = aws.String(wrongSum) })
		expectAPIMessage(t, err, "BadDigest", http.StatusBadRequest, "The SHA256 you specified did not match the calculated checksum.", "Complete with a wrong whole-object checksum")
		u.expectIntact("BadDigest")

		_, err = u.completeWith(u.complete, func(in *s3.CompleteMultipartUploadInput) { in.ChecksumType = types.ChecksumTypeFullObject })
		expectAPIMessage(t, err, "InvalidRequest", http.StatusBadRequest, "The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode.", "Complete with another checksum type")

		_, err = u.completeWith(u.withPart(0, func(p *types.CompletedPart) { p.ChecksumSHA256 = aws.String(wrongSum) }), nil)
		expectAPIError(t, err, "InvalidPart", http.StatusBadRequest, "Complete listing a wrong part checksum")

		_, err = u.completeWith(u.withPart(0, func(p *types.CompletedPart) { p.ChecksumSHA256 = nil }), nil)
		expectAPIMessage(t, err, "InvalidRequest", http.StatusBadRequest, "The upload was created using a sha256 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.", "Complete listing a part without its checksum")

		_, err = u.completeWith(u.withPart(0, func(p *types.CompletedPart) {
			p.ChecksumSHA256, p.ChecksumCRC32 = nil, aws.String(checksumBase64(types.ChecksumAlgorithmCrc32, []byte("x")))
		}), nil)
		expectAPIMessage(t, err, "BadDigest", http.StatusBadRequest, "The crc32 you specified for part 1 did not match what we received.", "Complete listing another algorithm's part checksum")

		_, err = u.completeWith(u.withPart(0, func(p *types.CompletedPart) {
			p.ChecksumCRC32 = aws.String(checksumBase64(types.ChecksumAlgorithmCrc32, big(1)))
		}), nil)
		expectAPIError(t, err, "InvalidArgument", http.StatusBadRequest, "Complete listing two checksums for a part")

		_, err = u.completeWith(u.withPart(1, func(p *types.CompletedPart) { p.ETag = aws.String(quotedMD5([]byte("no"))) }), nil)
		expectAPIError(t, err, "InvalidPart", http.StatusBadRequest, "Complete listing a wrong ETag")

		_, err = u.completeWith(u.withPart(1, func(p *types.CompletedPart) { p.PartNumber = aws.Int32(3) }), nil)
		expectAPIError(t, err, "InvalidPartOrder", http.StatusBadRequest, "Complete of parts 1,3 with part checksums")
		u.expectIntact("the refusals")

		// minio-go sends the composite value bare; S3 accepts it.
		out, err := u.completeWith(u.complete, func(in *s3.CompleteMultipartUploadInput) {
			in.ChecksumSHA256 = aws.String(strings.TrimSuffix(want, "-2"))
		})
		mustNoErr(t, err, "Complete with the right checksum after the refusals")
		if aws.ToString(out.ChecksumSHA256) != want || out.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("Complete answered %s %s, want %s COMPOSITE", aws.ToString(out.ChecksumSHA256), out.ChecksumType, want)
		}
		if loc := aws.ToString(out.Location); loc != g.endpoint()+"/"+sumBucket+"/refused" {
			t.Errorf("Location %q, want the object's absolute URL", loc)
		}
		expectObjectChecksum(t, c, sumBucket, "refused", types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite, u.whole(), u.data)
	})

	t.Run("CompositeValueWithPartCount", func(t *testing.T) {
		for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmSha1} {
			u := newSumUpload(t, c, "counted-"+string(alg), alg, types.ChecksumTypeComposite)
			u.part(alg, big(2))
			u.part(alg, big(3))
			u.part(alg, []byte("end"))
			want := compositeChecksum(alg, u.data)
			wrongCount := strings.TrimSuffix(want, "-3") + "-4"
			_, err := u.completeWith(u.complete, func(in *s3.CompleteMultipartUploadInput) { setCompleteChecksum(in, alg, wrongCount) })
			expectAPIError(t, err, "BadDigest", http.StatusBadRequest, "Complete with the wrong part count")
			u.expectIntact("a wrong part count")
			_, err = u.completeWith(u.complete, func(in *s3.CompleteMultipartUploadInput) { setCompleteChecksum(in, alg, want+"x") })
			expectAPIError(t, err, "InvalidRequest", http.StatusBadRequest, "Complete with a malformed checksum")
			_, err = u.completeWith(u.complete, func(in *s3.CompleteMultipartUploadInput) { setCompleteChecksum(in, alg, want) })
			mustNoErr(t, err, "Complete %s with %s", alg, want)
			expectObjectChecksum(t, c, sumBucket, u.key, alg, types.ChecksumTypeComposite, u.whole(), u.data)
		}
	})

	t.Run("CompositePartNeedsChecksum", func(t *testing.T) {
		u := newSumUpload(t, c, "bare-part", types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite)
		_, err := g.noChecksumClient().UploadPart(testContext(t, time.Minute), &s3.UploadPartInput{
			Bucket: aws.String(sumBucket), Key: aws.String(u.key), UploadId: aws.String(u.id), PartNumber: aws.Int32(1),
			Body: bytes.NewReader([]byte("no checksum")),
		})
		expectAPIMessage(t, err, "InvalidRequest", http.StatusBadRequest, "Checksum Type mismatch occurred, expected checksum Type: CRC32, actual checksum Type: null", "COMPOSITE UploadPart without a checksum")
	})

	t.Run("FullObjectPartGetsComputedChecksum", func(t *testing.T) {
		u := newSumUpload(t, g.noChecksumClient(), "full-bare", types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject)
		body := big(4)
		out := u.part("", body)
		if got, want := aws.ToString(out.ChecksumCRC32C), checksumBase64(types.ChecksumAlgorithmCrc32c, body); got != want {
			t.Errorf("UploadPart without a checksum answered CRC32C %q, want the computed %q", got, want)
		}
		u.part("", []byte("last"))
		_, err := u.completeWith(u.complete, func(in *s3.CompleteMultipartUploadInput) {
			in.ChecksumCRC32C = aws.String(checksumBase64(types.ChecksumAlgorithmCrc32c, u.whole()))
		})
		mustNoErr(t, err, "Complete FULL_OBJECT")
		expectObjectChecksum(t, c, sumBucket, u.key, types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, u.whole(), u.data)
	})

	// An upload created without an algorithm, its parts sent with CRC32
	// as boto3 and the SDKs do by default: a Complete may list those, and a
	// whole-object checksum header is ignored; the object gets S3's
	// default FULL_OBJECT CRC64NVME.
	t.Run("NoAlgorithmUpload", func(t *testing.T) {
		u := newSumUpload(t, c, "no-alg", "", "")
		u.part(types.ChecksumAlgorithmCrc32, big(5))
		u.part(types.ChecksumAlgorithmCrc32, []byte("last part"))
		if u.complete[0].ChecksumCRC32 == nil {
			t.Fatal("UploadPart with CRC32 answered no CRC32")
		}
		_, err := u.completeWith(u.withPart(0, func(p *types.CompletedPart) {
			p.ChecksumCRC32 = aws.String(checksumBase64(types.ChecksumAlgorithmCrc32, []byte("x")))
		}), nil)
		expectAPIError(t, err, "InvalidPart", http.StatusBadRequest, "Complete listing a wrong CRC32")
		_, err = u.completeWith(u.withPart(0, func(p *types.CompletedPart) {
			p.ChecksumCRC32, p.ChecksumSHA1 = nil, aws.String(checksumBase64(types.ChecksumAlgorithmSha1, big(5)))
		}), nil)
		expectAPIMessage(t, err, "BadDigest", http.StatusBadRequest, "The sha1 you specified for part 1 did not match what we received.", "Complete listing a checksum the part was not sent with")
		u.expectIntact("the refusals")
		out, err := u.completeWith(u.complete, func(in *s3.CompleteMultipartUploadInput) {
			in.ChecksumCRC64NVME = aws.String(checksumBase64(types.ChecksumAlgorithmCrc64nvme, []byte("ignored")))
		})
		mustNoErr(t, err, "Complete listing the parts' CRC32s")
		if want := checksumBase64(types.ChecksumAlgorithmCrc64nvme, u.whole()); aws.ToString(out.ChecksumCRC64NVME) != want {
			t.Errorf("Complete answered CRC64NVME %q, want %q", aws.ToString(out.ChecksumCRC64NVME), want)
		}
		expectObjectChecksum(t, c, sumBucket, u.key, types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject, u.whole(), u.data)
	})

	// GET/HEAD ?partNumber=N of a COMPOSITE object answer that part's
	// checksum; of a FULL_OBJECT one, none (it describes only the whole).
	t.Run("PartNumberChecksums", func(t *testing.T) {
		u := newSumUpload(t, c, "parts-sums", types.ChecksumAlgorithmSha1, types.ChecksumTypeComposite)
		u.part(types.ChecksumAlgorithmSha1, big(6))
		u.part(types.ChecksumAlgorithmSha1, []byte("second part"))
		_, err := u.completeWith(u.complete, nil)
		mustNoErr(t, err, "Complete")
		for i, data := range u.data {
			n := int32(i + 1)
			h, err := c.HeadObject(testContext(t, time.Minute), &s3.HeadObjectInput{
				Bucket: aws.String(sumBucket), Key: aws.String(u.key), PartNumber: aws.Int32(n), ChecksumMode: types.ChecksumModeEnabled,
			})
			mustNoErr(t, err, "HEAD partNumber=%d", n)
			if got, want := aws.ToString(h.ChecksumSHA1), checksumBase64(types.ChecksumAlgorithmSha1, data); got != want || h.ChecksumType != types.ChecksumTypeComposite {
				t.Errorf("HEAD partNumber=%d: SHA1 %q type %q, want %q COMPOSITE", n, got, h.ChecksumType, want)
			}
			o, err := c.GetObject(testContext(t, time.Minute), &s3.GetObjectInput{
				Bucket: aws.String(sumBucket), Key: aws.String(u.key), PartNumber: aws.Int32(n), ChecksumMode: types.ChecksumModeEnabled,
			})
			mustNoErr(t, err, "GET partNumber=%d", n)
			body, err := io.ReadAll(o.Body) // the SDK validates the part checksum as it reads
			o.Body.Close()
			if err != nil || !bytes.Equal(body, data) {
				t.Errorf("GET partNumber=%d: %d bytes, %v", n, len(body), err)
			}
		}
		f := newSumUpload(t, c, "parts-full", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject)
		f.part(types.ChecksumAlgorithmCrc32, big(7))
		f.part(types.ChecksumAlgorithmCrc32, []byte("x"))
		_, err = f.completeWith(f.complete, nil)
		mustNoErr(t, err, "Complete FULL_OBJECT")
		h, err := c.HeadObject(testContext(t, time.Minute), &s3.HeadObjectInput{
			Bucket: aws.String(sumBucket), Key: aws.String(f.key), PartNumber: aws.Int32(1), ChecksumMode: types.ChecksumModeEnabled,
		})
		mustNoErr(t, err, "HEAD FULL_OBJECT partNumber=1")
		if h.ChecksumCRC32 != nil {
			t.Errorf("HEAD partNumber=1 of a FULL_OBJECT object answered CRC32 %q", aws.ToString(h.ChecksumCRC32))
		}
	})

	t.Run("PartNumberOfSinglePut", func(t *testing.T) {
		body := []byte("a single PUT is its own part 1")
		_, err := c.PutObject(testContext(t, time.Minute), &s3.PutObjectInput{Bucket: aws.String(sumBucket), Key: aws.String("single"), Body: bytes.NewReader(body)})
		mustNoErr(t, err, "PUT")
		resp := g.do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: "/" + sumBucket + "/single", rawQuery: "partNumber=1"})
		wantRange := fmt.Sprintf("bytes 0-%d/%d", len(body)-1, len(body))
		if resp.status != http.StatusPartialContent || resp.header.Get("Content-Range") != wantRange || !bytes.Equal(resp.body, body) {
			t.Errorf("GET ?partNumber=1 of a single PUT: %d %q %q, want 206 %q and the object", resp.status, resp.header.Get("Content-Range"), resp.body, wantRange)
		}
		if pc := resp.header.Get("x-amz-mp-parts-count"); pc != "" {
			t.Errorf("GET ?partNumber=1 of a single PUT: x-amz-mp-parts-count %q, want none", pc)
		}
	})

	// CopyObject onto itself with REPLACE and a new algorithm stores a
	// checksum of that algorithm ("Checking object integrity": copying an
	// object is how its checksum algorithm is changed).
	t.Run("CopyInPlaceNewAlgorithm", func(t *testing.T) {
		body := patternBytes(8, 100000)
		_, err := c.PutObject(testContext(t, time.Minute), &s3.PutObjectInput{Bucket: aws.String(sumBucket), Key: aws.String("recheck"), Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		mustNoErr(t, err, "PUT")
		out, err := c.CopyObject(testContext(t, time.Minute), &s3.CopyObjectInput{
			Bucket: aws.String(sumBucket), Key: aws.String("recheck"), CopySource: aws.String(sumBucket + "/recheck"),
			MetadataDirective: types.MetadataDirectiveReplace, ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		})
		mustNoErr(t, err, "CopyObject in place with SHA256")
		want := checksumBase64(types.ChecksumAlgorithmSha256, body)
		if got := aws.ToString(out.CopyObjectResult.ChecksumSHA256); got != want {
			t.Errorf("CopyObject answered SHA256 %q, want %q", got, want)
		}
		h, err := c.HeadObject(testContext(t, time.Minute), &s3.HeadObjectInput{Bucket: aws.String(sumBucket), Key: aws.String("recheck"), ChecksumMode: types.ChecksumModeEnabled})
		mustNoErr(t, err, "HEAD")
		if aws.ToString(h.ChecksumSHA256) != want || h.ChecksumCRC32 != nil {
			t.Errorf("HEAD after the copy: SHA256 %q CRC32 %q, want only SHA256 %q", aws.ToString(h.ChecksumSHA256), aws.ToString(h.ChecksumCRC32), want)
		}
	})

	// minio-go with trailing checksums (restic's client): it sends the
	// final checksum at Complete, a COMPOSITE one bare.
	t.Run("MinioTrailingChecksums", func(t *testing.T) {
		mc, err := minio.New(g.addr, &minio.Options{Creds: miniocreds.NewStaticV4(g.accessKey, g.secretKey, ""), Region: testRegion, TrailingHeaders: true})
		mustNoErr(t, err, "minio client")
		data := patternBytes(9, 11<<20+5)
		for _, cs := range []minio.ChecksumType{minio.ChecksumCRC32C, minio.ChecksumSHA256, minio.ChecksumFullObjectCRC32, minio.ChecksumCRC64NVME} {
			key := "minio-" + cs.String()
			_, err := mc.PutObject(testContext(t, 2*time.Minute), sumBucket, key, bytes.NewReader(data), int64(len(data)),
				minio.PutObjectOptions{PartSize: 5 << 20, AutoChecksum: cs, DisableContentSha256: true})
			if err != nil {
				t.Errorf("minio-go PutObject with %s: %v", cs, err)
				continue
			}
			if sum, n, _ := getObjectSHA256(t, c, sumBucket, key); n != int64(len(data)) || sum != sha256Hex(data) {
				t.Errorf("%s: read back %d bytes %s", key, n, sum)
			}
		}
	})
}

func setCompleteChecksum(in *s3.CompleteMultipartUploadInput, alg types.ChecksumAlgorithm, v string) {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		in.ChecksumCRC32 = &v
	case types.ChecksumAlgorithmCrc32c:
		in.ChecksumCRC32C = &v
	case types.ChecksumAlgorithmCrc64nvme:
		in.ChecksumCRC64NVME = &v
	case types.ChecksumAlgorithmSha1:
		in.ChecksumSHA1 = &v
	case types.ChecksumAlgorithmSha256:
		in.ChecksumSHA256 = &v
	}
}
