package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConformanceExpectedBucketOwner: x-amz-expected-bucket-owner is
// enforced, not ignored: a DeleteBucket naming another owner is 403
// AccessDenied and deletes nothing; naming the owner, it deletes. Source:
// "Verifying bucket ownership with bucket owner condition",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
// ("If the bucket owner doesn't match the account ID ... the request fails
// with an HTTP 403 Forbidden (access denied)"), and the DeleteBucket API
// reference's ExpectedBucketOwner. The owner is the bucket owner's ID as
// ListBuckets shows it (without a user directory, the access key).
func TestConformanceExpectedBucketOwner(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-owner"}), http.StatusOK, "create bucket")
	resp := g.do(t, ctx, rawRequest{method: "DELETE", rawPath: "/conf-owner", header: headers("x-amz-expected-bucket-owner", "111122223333")})
	expectS3Error(t, resp, http.StatusForbidden, "AccessDenied", "Access Denied", nil)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "HEAD", rawPath: "/conf-owner"}), http.StatusOK, "HEAD the bucket after the refused DeleteBucket")
	resp = g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-owner/k", bodyBytes: []byte("x"), header: headers("x-amz-expected-bucket-owner", "111122223333")})
	expectS3Error(t, resp, http.StatusForbidden, "AccessDenied", "Access Denied", nil)
	expectMissing(t, g, "/conf-owner/k")
	list := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/"})
	m := regexp.MustCompile(`<Owner><ID>([^<]+)</ID>`).FindSubmatch(list.body)
	if m == nil {
		t.Fatalf("ListBuckets names no owner: %s", list.body)
	}
	resp = g.do(t, ctx, rawRequest{method: "DELETE", rawPath: "/conf-owner", header: headers("x-amz-expected-bucket-owner", string(m[1]))})
	expectStatus(t, resp, http.StatusNoContent, "DeleteBucket naming its owner")
}

// TestConformanceListingsEchoOnlyWhatWasSent: a ListObjectsV2 answer
// carries StartAfter and ContinuationToken only when the request sent
// them (empty when sent empty). Source: the ListObjectsV2 API reference,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
// ("ContinuationToken: If ContinuationToken was sent with the request, it
// is included in the response"; "StartAfter: If StartAfter was sent with
// the request, it is included in the response").
func TestConformanceListingsEchoOnlyWhatWasSent(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-list"}), http.StatusOK, "create bucket")
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-list/a", bodyBytes: []byte("a")}), http.StatusOK, "PUT a")
	for _, tc := range []struct {
		query         string
		want, notWant []string
	}{
		{"list-type=2", nil, []string{"<StartAfter", "<ContinuationToken"}},
		{"list-type=2&start-after=", []string{"<StartAfter></StartAfter>"}, []string{"<ContinuationToken"}},
		{"list-type=2&continuation-token=", []string{"<ContinuationToken></ContinuationToken>"}, []string{"<StartAfter"}},
		{"list-type=2&start-after=0", []string{"<StartAfter>0</StartAfter>", "<Key>a</Key>"}, []string{"<ContinuationToken"}},
	} {
		resp := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/conf-list", rawQuery: tc.query})
		expectStatus(t, resp, http.StatusOK, "ListObjectsV2 ?"+tc.query)
		body := string(resp.body)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("?%s: no %s in %s", tc.query, w, body)
			}
		}
		for _, nw := range tc.notWant {
			if strings.Contains(body, nw) {
				t.Errorf("?%s: %s echoed though not sent: %s", tc.query, nw, body)
			}
		}
	}
}

// TestConformanceREADMEBuildsTheBinary: the README says how to build the
// binary its later commands run, and the command it gives builds a
// working terngate; it also says what the first `go run` costs. Source:
// terngate issue 13 ("the README says how to build the binary it later
// runs and what the first `go run` costs").
func TestConformanceREADMEBuildsTheBinary(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	mustNoErr(t, err, "read the README")
	text := strings.Join(strings.Fields(string(readme)), " ")
	if !regexp.MustCompile("The first `go run` [^.]*(minute|second)").MatchString(text) {
		t.Error("the README does not say what the first `go run` costs")
	}
	m := regexp.MustCompile("`go build -o terngate (\\./gateway)`").FindStringSubmatch(text)
	if m == nil {
		t.Fatal("the README does not give the `go build -o terngate ./gateway` command")
	}
	out := filepath.Join(t.TempDir(), "terngate")
	build := exec.CommandContext(testContext(t, 5*time.Minute), "go", "build", "-o", out, m[1])
	build.Dir = ".."
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the README's build command failed: %v\n%s", err, b)
	}
	version, err := exec.Command(out, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(version), "terngate") {
		t.Errorf("the built binary's `version`: %v\n%s", err, version)
	}
}
