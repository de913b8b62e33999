package s3object

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/bench/s3client"
)

// Bucket is one bucket of one endpoint, with the bodies its objects hold.
type Bucket struct {
	Client *s3.Client
	Name   string
	Bodies *Bodies
}

// Ensure creates the bucket unless this key pair already owns it.
func (b Bucket) Ensure(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := b.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.Name)})
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("create bucket %s: %w", b.Name, err)
	}
	return nil
}

// getBufferSize is the client's read size for GET bodies.
const getBufferSize = 256 << 10

// Put uploads the body of seed and size as key in one PUT.
func (b Bucket) Put(ctx context.Context, key string, seed, size int64) error {
	return b.PutEncrypted(ctx, key, seed, size, "")
}

// PutEncrypted is Put asking for server-side encryption sse (AES256,
// aws:kms; "" for none). Reading the object back needs no header.
func (b Bucket) PutEncrypted(ctx context.Context, key string, seed, size int64, sse types.ServerSideEncryption) error {
	sha, err := b.Bodies.Hash(seed, size)
	if err != nil {
		return err
	}
	_, err = b.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               aws.String(b.Name),
		Key:                  aws.String(key),
		Body:                 b.Bodies.pattern.NewBody(seed, size),
		ContentLength:        aws.Int64(size),
		ServerSideEncryption: sse,
	}, s3.WithAPIOptions(s3client.WithPayloadHash(sha)))
	if err != nil {
		return fmt.Errorf("PUT %s/%s: %w", b.Name, key, err)
	}
	return nil
}

// Get reads key, checking every byte against the body of seed and the
// length against size.
func (b Bucket) Get(ctx context.Context, key string, seed, size int64) error {
	out, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("GET %s/%s: %w", b.Name, key, err)
	}
	defer out.Body.Close()
	check := b.Bodies.pattern.NewChecker(seed)
	if _, err := io.CopyBuffer(check, out.Body, make([]byte, min(size, getBufferSize)+1)); err != nil {
		return fmt.Errorf("GET %s/%s: body: %w", b.Name, key, err)
	}
	if check.Len() != size {
		return fmt.Errorf("GET %s/%s: %d bytes, want %d", b.Name, key, check.Len(), size)
	}
	return nil
}

// DeleteAll deletes every object whose key starts with prefix.
func (b Bucket) DeleteAll(ctx context.Context, prefix string) error {
	pages := s3.NewListObjectsV2Paginator(b.Client, &s3.ListObjectsV2Input{Bucket: aws.String(b.Name), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s for cleanup: %w", b.Name, err)
		}
		for _, obj := range page.Contents {
			if _, err := b.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Name), Key: obj.Key}); err != nil {
				return fmt.Errorf("cleanup: DELETE %s/%s: %w", b.Name, aws.ToString(obj.Key), err)
			}
		}
	}
	return nil
}
