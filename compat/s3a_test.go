package compat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// s3aScenario replays the requests Hadoop's s3a connector (hadoop-aws
// 3.4, AWS SDK v2) issues for mkdir, getFileStatus, listStatus, rename,
// delete, a large write and conditional create, and its ETag change
// detection on reads. Like s3a 3.4.3's defaults, the SDK computes
// checksums only when an operation requires them.
func s3aScenario(t *testing.T, g *gateway) (string, []step, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	c := newSDKClient(g, func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	bucket := aws.String("s3a-bucket")
	const partSize = 64 * mib // fs.s3a.multipart.size
	large := randomBytes(91, 130*mib)
	put := func(key string, body []byte, contentType string) (string, error) {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: bytes.NewReader(body), ContentType: aws.String(contentType)})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ETag), nil
	}
	head := func(key string) (*s3.HeadObjectOutput, int, error) {
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String(key)})
		return out, httpStatus(err), err
	}
	fileData := randomBytes(92, 10_000)

	steps := []step{
		{"create bucket", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket})
			return err
		}},
		{"mkdir: directory marker", func() error {
			// s3a's mkdirs writes an empty "dir/" object of type
			// application/x-directory.
			etag, err := put("table/dir/", nil, "application/x-directory")
			if err == nil && etag != quotedMD5(nil) {
				err = fmt.Errorf("marker ETag %s, want %s", etag, quotedMD5(nil))
			}
			return err
		}},
		{"getFileStatus: HEAD key vs key/", func() error {
			if _, status, _ := head("table/dir"); status != http.StatusNotFound {
				return fmt.Errorf("HEAD table/dir answered %d, want 404 (only the marker table/dir/ exists)", status)
			}
			out, _, err := head("table/dir/")
			if err != nil {
				return fmt.Errorf("HEAD table/dir/: %v", err)
			}
			if aws.ToInt64(out.ContentLength) != 0 || aws.ToString(out.ContentType) != "application/x-directory" {
				return fmt.Errorf("marker HEAD: length %d type %q", aws.ToInt64(out.ContentLength), aws.ToString(out.ContentType))
			}
			return nil
		}},
		{"listStatus: delimiter / and max-keys", func() error {
			for _, key := range []string{"table/dir/part-0000", "table/dir/part-0001", "table/dir/sub/part-0002", "table/dir/sub2/x"} {
				if _, err := put(key, fileData, "application/octet-stream"); err != nil {
					return err
				}
			}
			// s3a's directory probe: prefix "dir/", delimiter "/", 2 keys.
			probe, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("table/dir/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
			if err != nil {
				return err
			}
			if n := len(probe.Contents) + len(probe.CommonPrefixes); n != 2 || !aws.ToBool(probe.IsTruncated) {
				return fmt.Errorf("probe with max-keys 2: %d entries, truncated %v; want 2 and truncated", n, aws.ToBool(probe.IsTruncated))
			}
			var keys, prefixes []string
			pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("table/dir/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, o := range page.Contents {
					keys = append(keys, aws.ToString(o.Key))
				}
				for _, p := range page.CommonPrefixes {
					prefixes = append(prefixes, aws.ToString(p.Prefix))
				}
			}
			wantKeys := []string{"table/dir/", "table/dir/part-0000", "table/dir/part-0001"}
			wantPrefixes := []string{"table/dir/sub/", "table/dir/sub2/"}
			if !slices.Equal(keys, wantKeys) || !slices.Equal(prefixes, wantPrefixes) {
				return fmt.Errorf("listing of table/dir/: keys %v prefixes %v, want %v and %v", keys, prefixes, wantKeys, wantPrefixes)
			}
			return nil
		}},
		{"rename: CopyObject + DeleteObject", func() error {
			src, _, err := head("table/dir/part-0000")
			if err != nil {
				return err
			}
			// Change detection (server mode) pins the copy to the ETag
			// the rename listed.
			out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("table/renamed/part-0000"),
				CopySource: aws.String("s3a-bucket/table/dir/part-0000"), CopySourceIfMatch: src.ETag})
			if err != nil {
				return err
			}
			if aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(src.ETag) {
				return fmt.Errorf("copy ETag %s, source %s", aws.ToString(out.CopyObjectResult.ETag), aws.ToString(src.ETag))
			}
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("table/dir/part-0000")}); err != nil {
				return err
			}
			if _, status, _ := head("table/dir/part-0000"); status != http.StatusNotFound {
				return fmt.Errorf("HEAD of the renamed source answered %d, want 404", status)
			}
			return expectSDKObject(ctx, c, bucket, "table/renamed/part-0000", fileData, quotedMD5(fileData))
		}},
		{"delete dir: bulk DeleteObjects", func() error {
			list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("table/dir/")})
			if err != nil {
				return err
			}
			var ids []types.ObjectIdentifier
			for _, o := range list.Contents {
				ids = append(ids, types.ObjectIdentifier{Key: o.Key})
			}
			out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
			if err != nil {
				return err
			}
			if len(out.Errors) > 0 {
				return fmt.Errorf("DeleteObjects errors: %+v", out.Errors)
			}
			left, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("table/dir/")})
			if err == nil && aws.ToInt32(left.KeyCount) != 0 {
				err = fmt.Errorf("%d objects left under table/dir/ after deleting %d", aws.ToInt32(left.KeyCount), len(ids))
			}
			return err
		}},
		{"write: 130 MiB in 64 MiB parts", func() error {
			key := aws.String("table/large.bin")
			created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
			if err != nil {
				return err
			}
			var parts []types.CompletedPart
			for off, n := 0, int32(1); off < len(large); off, n = off+partSize, n+1 {
				part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: created.UploadId,
					PartNumber: aws.Int32(n), Body: bytes.NewReader(large[off:min(off+partSize, len(large))])})
				if err != nil {
					return err
				}
				parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: part.ETag})
			}
			done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: created.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			if err != nil {
				return err
			}
			want := multipartETag(large, partSize)
			if aws.ToString(done.ETag) != want {
				return fmt.Errorf("Complete ETag %s, want %s", aws.ToString(done.ETag), want)
			}
			// s3a reads ranges pinned with If-Match to the ETag it opened.
			got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, IfMatch: done.ETag, Range: aws.String(fmt.Sprintf("bytes=%d-%d", partSize-100, partSize+99))})
			if err != nil {
				return err
			}
			defer got.Body.Close()
			span, err := io.ReadAll(got.Body)
			if err == nil && !bytes.Equal(span, large[partSize-100:partSize+100]) {
				err = errors.New("a ranged read across the part boundary returned other bytes")
			}
			if err != nil {
				return err
			}
			return expectSDKObject(ctx, c, bucket, "table/large.bin", large, want)
		}},
		{"conditional create: If-None-Match *", func() error {
			create := func(body []byte) error {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("table/_SUCCESS"), Body: bytes.NewReader(body), IfNoneMatch: aws.String("*")})
				return err
			}
			if err := create([]byte("first")); err != nil {
				return fmt.Errorf("first create: %v", err)
			}
			if err := create([]byte("second")); httpStatus(err) != http.StatusPreconditionFailed {
				return fmt.Errorf("second create of an existing key: want 412, got %v", err)
			}
			return expectSDKObject(ctx, c, bucket, "table/_SUCCESS", []byte("first"), quotedMD5([]byte("first")))
		}},
		{"change detection: If-Match after overwrite", func() error {
			old, err := put("table/data.csv", []byte("v1,v1\n"), "text/csv")
			if err != nil {
				return err
			}
			if _, err := put("table/data.csv", []byte("v2,v2,v2\n"), "text/csv"); err != nil {
				return err
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("table/data.csv"), IfMatch: aws.String(old)})
			if status := httpStatus(err); status != http.StatusPreconditionFailed {
				return fmt.Errorf("GET with If-Match of the overwritten ETag: want 412, got %d (%v)", status, err)
			}
			return expectSDKObject(ctx, c, bucket, "table/data.csv", []byte("v2,v2,v2\n"), quotedMD5([]byte("v2,v2,v2\n")))
		}},
		{"cleanup", func() error {
			if err := deleteAllSDK(ctx, c, bucket); err != nil {
				return err
			}
			_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bucket})
			return err
		}},
	}
	return "aws-sdk-go-v2 " + moduleVersion("github.com/aws/aws-sdk-go-v2/service/s3"), steps, nil
}

// httpStatus is the HTTP status of a failed SDK call, 0 if there was none.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
