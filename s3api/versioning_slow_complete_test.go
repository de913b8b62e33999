package s3api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/store"
)

// slowMoves delays every metadata-only part move, so a Complete outlasts
// completeQuickly and answers with a 200 kept alive by whitespace.
type slowMoves struct {
	store.Store
	delay time.Duration
}

func (s slowMoves) MoveData(ctx context.Context, dst, src store.Transient) error {
	time.Sleep(s.delay)
	return s.Store.MoveData(ctx, dst, src)
}

// A Complete slow enough that its headers leave before its outcome still
// names the version it makes: API_CompleteMultipartUpload lists
// x-amz-version-id ("Version ID of the newly created object, in case the
// bucket has versioning turned on") among the response headers, and they
// are all a client gets before the body.
func TestSlowCompleteNamesTheVersion(t *testing.T) {
	g, _ := startWrappedMPGateway(t, func(st store.Store) store.Store {
		return slowMoves{Store: st, delay: completeQuickly + 500*time.Millisecond}
	}, nil)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "vslow")
	putVersioning(t, c, "vslow", types.BucketVersioningStatusEnabled)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("vslow"), Key: aws.String("o")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("vslow"), Key: aws.String("o"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("slowly assembled")})
	if err != nil {
		t.Fatal(err)
	}
	body := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + aws.ToString(part.ETag) + `</ETag></Part></CompleteMultipartUpload>`
	resp, _ := sendWithHeadersBody(t, g, "POST", "/vslow/o?uploadId="+aws.ToString(up.UploadId), []byte(body), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Complete: %d", resp.StatusCode)
	}
	vid := resp.Header.Get("x-amz-version-id")
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vslow"), Key: aws.String("o")})
	if err != nil {
		t.Fatal(err)
	}
	if vid == "" || vid != aws.ToString(head.VersionId) {
		t.Fatalf("slow Complete answered version %q, the object is version %q", vid, aws.ToString(head.VersionId))
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vslow"), Key: aws.String("o"), VersionId: aws.String(vid)})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	if b, _ := io.ReadAll(got.Body); string(b) != "slowly assembled" {
		t.Fatalf("version %s reads %q", vid, b)
	}
}
