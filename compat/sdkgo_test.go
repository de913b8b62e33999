package compat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// newSDKClient is an aws-sdk-go-v2 S3 client for g with the SDK's default
// behaviour (CRC32 on uploads: a header over HTTP, a trailer over HTTPS)
// except path-style addressing and no retries.
func newSDKClient(g *gateway, options ...func(*s3.Options)) *s3.Client {
	return s3.New(s3.Options{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		BaseEndpoint:     aws.String(g.endpoint()),
		UsePathStyle:     true,
		RetryMaxAttempts: 1,
		HTTPClient:       g.httpClient(),
	}, options...)
}

// moduleVersion is the version of a Go module the suite links, read from
// the repository's go.mod (test binaries carry no dependency build info).
func moduleVersion(path string) string {
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(gomod), "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == path {
			return fields[1]
		}
	}
	return "unknown"
}

// sdkGoScenario: put, get, ListObjectsV2 with paging, copy, DeleteObjects,
// the multipart upload manager.
func sdkGoScenario(t *testing.T, g *gateway) (string, []step, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	c := newSDKClient(g)
	bucket := aws.String("sdk-go-bucket")
	small := randomBytes(31, 200*1024+3)
	large := randomBytes(32, 17*mib+9)
	keys := []string{"a/1", "a/2", "b/3", "b/4", "c"}

	steps := []step{
		{"create bucket", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket})
			return err
		}},
		{"put", func() error {
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("small.bin"), Body: bytes.NewReader(small)})
			if err == nil && aws.ToString(out.ETag) != quotedMD5(small) {
				err = fmt.Errorf("PutObject ETag %s, want %s", aws.ToString(out.ETag), quotedMD5(small))
			}
			return err
		}},
		{"get", func() error {
			if err := expectSDKObject(ctx, c, bucket, "small.bin", small, quotedMD5(small)); err != nil {
				return err
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("small.bin"), Range: aws.String("bytes=1000-")})
			if err != nil {
				return err
			}
			defer out.Body.Close()
			got, err := io.ReadAll(out.Body)
			if err == nil && !bytes.Equal(got, small[1000:]) {
				err = errors.New("GetObject bytes=1000- returned other bytes")
			}
			return err
		}},
		{"list v2", func() error {
			for _, key := range keys {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: bytes.NewReader([]byte(key))}); err != nil {
					return err
				}
			}
			want := append(slices.Clone(keys), "small.bin")
			var got []string
			pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: bucket, MaxKeys: aws.Int32(2)})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return err
				}
				if len(page.Contents) > 2 {
					return fmt.Errorf("a page of max-keys 2 holds %d objects", len(page.Contents))
				}
				for _, o := range page.Contents {
					got = append(got, aws.ToString(o.Key))
				}
			}
			if !slices.Equal(got, want) {
				return fmt.Errorf("paged ListObjectsV2 gave %v, want %v", got, want)
			}
			return nil
		}},
		{"copy", func() error {
			out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy.bin"), CopySource: aws.String("sdk-go-bucket/small.bin")})
			if err != nil {
				return err
			}
			if etag := aws.ToString(out.CopyObjectResult.ETag); etag != quotedMD5(small) {
				return fmt.Errorf("CopyObject ETag %s, want %s", etag, quotedMD5(small))
			}
			return expectSDKObject(ctx, c, bucket, "copy.bin", small, quotedMD5(small))
		}},
		{"multipart uploader", func() error {
			up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 * mib })
			if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("large.bin"), Body: bytes.NewReader(large)}); err != nil {
				return err
			}
			return expectSDKObject(ctx, c, bucket, "large.bin", large, multipartETag(large, 5*mib))
		}},
		{"delete objects", func() error {
			return deleteAllSDK(ctx, c, bucket)
		}},
		{"delete bucket", func() error {
			_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bucket})
			return err
		}},
	}
	return moduleVersion("github.com/aws/aws-sdk-go-v2/service/s3"), steps, nil
}

// expectSDKObject GETs key and checks its bytes and ETag.
func expectSDKObject(ctx context.Context, c *s3.Client, bucket *string, key string, want []byte, etag string) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key)})
	if err != nil {
		return err
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s: read %d bytes (md5 %s), want %d (md5 %s)", key, len(got), md5Hex(got), len(want), md5Hex(want))
	}
	if aws.ToString(out.ETag) != etag {
		return fmt.Errorf("%s: ETag %s, want %s", key, aws.ToString(out.ETag), etag)
	}
	return nil
}

// deleteAllSDK removes every object with one DeleteObjects and checks the
// bucket is then empty.
func deleteAllSDK(ctx context.Context, c *s3.Client, bucket *string) error {
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket})
	if err != nil {
		return err
	}
	var ids []types.ObjectIdentifier
	for _, o := range list.Contents {
		ids = append(ids, types.ObjectIdentifier{Key: o.Key})
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: ids}})
	if err != nil {
		return err
	}
	if len(out.Errors) > 0 || len(out.Deleted) != len(ids) {
		return fmt.Errorf("DeleteObjects of %d keys: %d deleted, errors %+v", len(ids), len(out.Deleted), out.Errors)
	}
	left, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket})
	if err == nil && aws.ToInt32(left.KeyCount) != 0 {
		err = fmt.Errorf("%d objects left after DeleteObjects", aws.ToInt32(left.KeyCount))
	}
	return err
}
