package s3bench

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// cleanup deletes every object the run left under its prefix, for
// endpoints the run did not start (a started server's data dir is simply
// removed).
func (t *s3Target) cleanup(ctx context.Context) error {
	pages := s3.NewListObjectsV2Paginator(t.client, &s3.ListObjectsV2Input{Bucket: aws.String(t.bucket), Prefix: aws.String(t.prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("%s: list for cleanup: %w", t.label, err)
		}
		for _, obj := range page.Contents {
			if _, err := t.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.bucket), Key: obj.Key}); err != nil {
				return fmt.Errorf("%s: cleanup: DELETE %s: %w", t.label, aws.ToString(obj.Key), err)
			}
		}
	}
	return nil
}
