package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The log tail a failed test prints is complete: stopForLog, which ends
// the gateway of a failed test, has it write the lines it still holds in
// memory. With --log-flush-interval 1h nothing but a graceful stop writes
// the access line of the one request made here.
func TestFailedTestLogTailIsComplete(t *testing.T) {
	g := startGateway(t, newDataDir(t), "--log-flush-interval", "1h")
	ctx := testContext(t, time.Minute)
	_, err := g.sdkClient().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("held-line")})
	mustNoErr(t, err, "CreateBucket")
	g.stopForLog()
	if log := g.stderr.String(); !strings.Contains(log, "operation=CreateBucket") || !strings.Contains(log, "bucket=held-line") {
		t.Fatalf("the access line of CreateBucket is missing from the log of the stopped gateway:\n%s", log)
	}
}
