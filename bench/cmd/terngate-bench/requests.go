package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terngate/terngate/bench/payload"
	"github.com/terngate/terngate/bench/s3client"
)

// object is one object of a phase: its key and the body it holds.
type object struct {
	key  string
	seed int64
	size int64
	sha  string // hex SHA-256 of the body
}

// putAll uploads the objects concurrently, one request each.
func putAll(ctx context.Context, client *s3.Client, bucket string, pattern *payload.Pattern, objs []object) error {
	return forEach(ctx, objs, func(ctx context.Context, o object) error {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(bucket),
			Key:           aws.String(o.key),
			Body:          pattern.NewBody(o.seed, o.size),
			ContentLength: aws.Int64(o.size),
		}, s3.WithAPIOptions(s3client.WithPayloadHash(o.sha)))
		if err != nil {
			return fmt.Errorf("PUT %s: %w", o.key, err)
		}
		return nil
	})
}

// getBufferSize is the client's read size for GET bodies.
const getBufferSize = 256 << 10

// getAll downloads the objects concurrently, checking every byte against
// what was uploaded and keeping none of it.
func getAll(ctx context.Context, client *s3.Client, bucket string, pattern *payload.Pattern, objs []object) error {
	return forEach(ctx, objs, func(ctx context.Context, o object) error {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(o.key)})
		if err != nil {
			return fmt.Errorf("GET %s: %w", o.key, err)
		}
		defer out.Body.Close()
		check := pattern.NewChecker(o.seed)
		if _, err := io.CopyBuffer(check, out.Body, make([]byte, getBufferSize)); err != nil {
			return fmt.Errorf("GET %s: body: %w", o.key, err)
		}
		if check.Len() != o.size {
			return fmt.Errorf("GET %s: %d bytes, want %d", o.key, check.Len(), o.size)
		}
		return nil
	})
}

// deleteAll removes the objects so the disk does not fill over a run.
func deleteAll(ctx context.Context, client *s3.Client, bucket string, objs []object) error {
	for _, o := range objs {
		if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(o.key)}); err != nil {
			return fmt.Errorf("DELETE %s: %w", o.key, err)
		}
	}
	return nil
}

// forEach runs fn for every object at once and returns the first error;
// the others are cancelled.
func forEach(ctx context.Context, objs []object, fn func(context.Context, object) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(objs))
	var wg sync.WaitGroup
	for _, o := range objs {
		wg.Go(func() {
			if err := fn(ctx, o); err != nil {
				errs <- err
				cancel()
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
