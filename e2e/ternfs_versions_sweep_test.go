package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestTernFSUnversionedLeftoversSwept: while a bucket is unversioned,
// TernFS keeps what overwrites and deletes replace for the root's
// retention; turning versioning on makes the bucket keep them forever,
// though no S3 version stands for them. The gateway's maintenance loop,
// which runs when a gateway starts, removes them once: the restarted
// gateway counts them in terngate_sweeper_actions_total and
// ListObjectVersions answers exactly as before.
func TestTernFSUnversionedLeftoversSwept(t *testing.T) {
	g, _ := startTernFSGateway(t)
	ctx := testContext(t, 2*time.Minute)
	c := g.sdkClient()
	createBucketSDK(t, c, "leftovers")
	put := func(key, body string) {
		t.Helper()
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("leftovers"), Key: aws.String(key), Body: strings.NewReader(body)})
		mustNoErr(t, err, "PUT %s", key)
	}
	for _, body := range []string{"k1", "k2", "k3"} {
		put("k", body)
	}
	put("d", "d1")
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("leftovers"), Key: aws.String("d")})
	mustNoErr(t, err, "DELETE d")
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("leftovers"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	mustNoErr(t, err, "enable versioning")
	put("k", "k4")

	listing := func(c *s3.Client) string {
		t.Helper()
		out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("leftovers")})
		mustNoErr(t, err, "ListObjectVersions")
		var lines []string
		for _, v := range out.Versions {
			lines = append(lines, fmt.Sprintf("%s %s latest=%v %s", aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), aws.ToString(v.ETag)))
		}
		for _, m := range out.DeleteMarkers {
			lines = append(lines, fmt.Sprintf("%s %s latest=%v marker", aws.ToString(m.Key), aws.ToString(m.VersionId), aws.ToBool(m.IsLatest)))
		}
		return strings.Join(lines, "\n")
	}
	before := listing(c)
	if got := strings.Count(before, "\n") + 1; got != 2 {
		t.Fatalf("versions before the sweep (want k4 and the null version k3):\n%s", before)
	}

	g.stop()
	g = g.restart(t)
	const series = `terngate_sweeper_actions_total{action="sweep_unversioned_leftover"}`
	// k1 and k2; d1 (behind the unversioned delete's marker, which stays
	// as the newest edge from before versioning).
	deadline := time.Now().Add(30 * time.Second)
	for scrapeMetrics(t, "http://"+g.adminAddr)[series] < 3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := scrapeMetrics(t, "http://"+g.adminAddr)[series]; got != 3 {
		t.Fatalf("%s = %v after the restart, want 3", series, got)
	}
	if after := listing(g.sdkClient()); after != before {
		t.Fatalf("the sweep changed ListObjectVersions:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
