package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestObservability runs a scripted workload with aws-sdk-go-v2 and checks
// what operators see: the metrics series and how they move, the probes,
// the JSON access log (request IDs, no secrets), and the admin commands
// against the running gateway.
func TestObservability(t *testing.T) {
	g := startGateway(t, newDataDir(t), "--log-format", "json")
	ctx := testContext(t, 2*time.Minute)
	admin := "http://" + g.adminAddr

	expectAdminGET(t, admin+"/healthz", http.StatusOK, "ok")
	expectAdminGET(t, admin+"/readyz", http.StatusOK, "ready")

	c := g.sdkClient()
	const objectSize, partSize = 100_000, 1 << 20
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("obs")})
	mustNoErr(t, err, "CreateBucket")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("obs"), Key: aws.String("dir/a"), Body: bytes.NewReader(patternBytes(1, objectSize))})
	mustNoErr(t, err, "PutObject")
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("obs"), Key: aws.String("dir/a")})
	mustNoErr(t, err, "GetObject")
	n, _ := io.Copy(io.Discard, got.Body)
	got.Body.Close()
	if n != objectSize {
		t.Fatalf("GetObject read %d bytes, want %d", n, objectSize)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("obs"), Key: aws.String("missing")})
	expectStatusCode(t, err, http.StatusNotFound, "GetObject of a missing key")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("obs")})
	mustNoErr(t, err, "ListObjectsV2")
	mpu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("obs"), Key: aws.String("big")})
	mustNoErr(t, err, "CreateMultipartUpload")
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("obs"), Key: aws.String("big"), UploadId: mpu.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(patternBytes(2, partSize))})
	mustNoErr(t, err, "UploadPart")
	raw := g.do(t, ctx, rawRequest{method: "HEAD", rawPath: "/obs/dir/a"})
	expectStatus(t, raw, http.StatusOK, "HEAD")
	headID := raw.header.Get("x-amz-request-id")

	m := scrapeMetrics(t, admin)
	for _, want := range []struct {
		series string
		min    float64
	}{
		{`terngate_requests_total{operation="CreateBucket",status="200"}`, 1},
		{`terngate_requests_total{operation="PutObject",status="200"}`, 1},
		{`terngate_requests_total{operation="GetObject",status="200"}`, 1},
		{`terngate_requests_total{operation="GetObject",status="404"}`, 1},
		{`terngate_requests_total{operation="ListObjectsV2",status="200"}`, 1},
		{`terngate_requests_total{operation="CreateMultipartUpload",status="200"}`, 1},
		{`terngate_requests_total{operation="UploadPart",status="200"}`, 1},
		{`terngate_requests_total{operation="HeadObject",status="200"}`, 1},
		{`terngate_request_duration_seconds_count{operation="GetObject"}`, 2},
		{`terngate_bytes_in_total`, objectSize + partSize},
		{`terngate_bytes_out_total`, objectSize},
		{`terngate_store_operation_duration_seconds_count{op="LinkFile"}`, 1},
		{`terngate_store_operation_duration_seconds_count{op="Append"}`, 2},
		{`terngate_multipart_uploads_inflight`, 1},
	} {
		v, ok := m[want.series]
		if !ok || v < want.min {
			t.Errorf("%s = %v (present %v), want at least %v", want.series, v, ok, want.min)
		}
	}
	for _, series := range []string{
		`terngate_requests_inflight`, `terngate_multipart_parts_inflight`,
		`terngate_store_errors_total{op="Append"}`, `terngate_sweeper_actions_total{action="reap_expired_transient"}`,
	} {
		if v, ok := m[series]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want 0", series, v, ok)
		}
	}
	if m[`terngate_bytes_out_total`] > objectSize+64<<10 {
		t.Errorf("terngate_bytes_out_total = %v: far more than the %d body bytes sent", m[`terngate_bytes_out_total`], objectSize)
	}

	// Admin commands against the running gateway.
	list := runTerngate(t, 0, "uploads", "list", "--admin-listen", g.adminAddr, "--bucket", "obs")
	if !strings.Contains(list, *mpu.UploadId) || !strings.Contains(list, "big") {
		t.Errorf("uploads list does not show the upload %s:\n%s", *mpu.UploadId, list)
	}
	expectCheckBesideRunningGateway(t, g)
	runTerngate(t, 0, "uploads", "abort", "--admin-listen", g.adminAddr, "--bucket", "obs", "--key", "big", "--upload-id", *mpu.UploadId)
	if list := runTerngate(t, 0, "uploads", "list", "--admin-listen", g.adminAddr); strings.Contains(list, *mpu.UploadId) {
		t.Errorf("aborted upload still listed:\n%s", list)
	}
	if out := runTerngate(t, 1, "uploads", "abort", "--admin-listen", g.adminAddr, "--bucket", "obs", "--key", "big", "--upload-id", *mpu.UploadId); !strings.Contains(out, "no such upload") {
		t.Errorf("second abort: %s", out)
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("obs"), Key: aws.String("big"), UploadId: mpu.UploadId})
	expectCode(t, err, "NoSuchUpload", "ListParts after uploads abort")

	left, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("obs"), Key: aws.String("left")})
	mustNoErr(t, err, "CreateMultipartUpload")
	g.stop()
	checkAccessLog(t, g.stderr.String(), headID)

	// With the gateway stopped: check passes and the uploads commands open
	// the data dir themselves.
	if out := runTerngate(t, 0, "check", "--data-dir", g.dataDir); !strings.Contains(out, storeCheckOK(g)) {
		t.Errorf("check of a stopped gateway's store: no %q in\n%s", storeCheckOK(g), out)
	}
	if out := runTerngate(t, 0, "uploads", "list", "--data-dir", g.dataDir, "--admin-listen", g.adminAddr); !strings.Contains(out, *left.UploadId) {
		t.Errorf("uploads list without a gateway does not show %s:\n%s", *left.UploadId, out)
	}
}

// checkAccessLog checks the JSON access lines: one per request, each with
// a request ID, none with a secret or a signature.
func checkAccessLog(t *testing.T, stderr, headID string) {
	t.Helper()
	for _, secret := range []string{testSecretKey, "Signature=", "AWS4-HMAC-SHA256", "X-Amz-Signature"} {
		if strings.Contains(stderr, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
	ops := map[string]int{}
	sawHead := false
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		if line["msg"] != "request" {
			continue
		}
		if id, _ := line["request_id"].(string); id == "" {
			t.Errorf("access line without request_id: %q", sc.Text())
		}
		op, _ := line["operation"].(string)
		ops[op]++
		if op == "PutObject" {
			if line["key"] != "dir/a" || line["bucket"] != "obs" || line["status"] != float64(200) ||
				line["bytes_in"].(float64) < 100_000 || line["access_key"] != testAccessKey || line["remote_addr"] == "" {
				t.Errorf("PutObject access line: %q", sc.Text())
			}
		}
		if line["request_id"] == headID {
			sawHead = op == "HeadObject"
		}
	}
	for _, op := range []string{"CreateBucket", "PutObject", "GetObject", "ListObjectsV2", "UploadPart", "HeadObject"} {
		if ops[op] == 0 {
			t.Errorf("no access line for %s (lines by operation: %v)", op, ops)
		}
	}
	if !sawHead {
		t.Errorf("no HeadObject access line with the request ID %s the client saw", headID)
	}
}

// runTerngate runs the binary with args and wants exit code want; it
// returns stdout and stderr together.
// runTerngate runs a terngate command; those that open the store (check,
// uploads) open the suite's (see withTernFSStore).
func runTerngate(t *testing.T, want int, args ...string) string {
	t.Helper()
	if len(args) > 0 && (args[0] == "check" || args[0] == "uploads") {
		args = withTernFSStore(args)
	}
	cmd := exec.Command(terngateBinary, args...)
	cmd.Env = scrubbedEnv()
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("terngate %v: %v", args, err)
	}
	if code != want {
		t.Errorf("terngate %v: exit code %d, want %d; output:\n%s", args, code, want, out)
	}
	return string(out)
}

func expectAdminGET(t *testing.T, url string, status int, bodyPrefix string) string {
	t.Helper()
	resp, err := http.Get(url)
	mustNoErr(t, err, "GET %s", url)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status || !strings.HasPrefix(string(body), bodyPrefix) {
		t.Errorf("GET %s: %d %q, want %d %q…", url, resp.StatusCode, body, status, bodyPrefix)
	}
	return string(body)
}

// scrapeMetrics reads /metrics into series (name{labels} as exposed) → value.
func scrapeMetrics(t *testing.T, admin string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(admin + "/metrics")
	mustNoErr(t, err, "GET /metrics")
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// expectCheckBesideRunningGateway runs terngate check on the store of the
// running gateway g. The local store belongs to one process: check finds
// its lock held and fails. A TernFS cluster is shared by every replica:
// check reaches it and finds the bucket root ready, as a second replica
// starting beside g would.
func expectCheckBesideRunningGateway(t *testing.T, g *gateway) {
	t.Helper()
	want, wantExit := fmt.Sprintf("FAIL  store: data dir %s is in use by pid %d", g.dataDir, g.cmd.Process.Pid), 1
	if ternfsRegistry() != "" {
		want, wantExit = storeCheckOK(g), 0
	}
	if out := runTerngate(t, wantExit, "check", "--data-dir", g.dataDir, "--admin-listen", g.adminAddr); !strings.Contains(out, want) {
		t.Errorf("check beside a running gateway: no %q in\n%s", want, out)
	}
}

// storeCheckOK is terngate check's line for the store of a stopped
// gateway g (or, on TernFS, a running one).
func storeCheckOK(g *gateway) string {
	if ternfsRegistry() != "" {
		return "ok    store: TernFS cluster reachable, bucket root " + ternfsRootOf(g.dataDir) + " ready"
	}
	return "ok    store: not locked"
}
