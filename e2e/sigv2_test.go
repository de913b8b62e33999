package e2e

// Signature Version 2 against the real binary with the clients that still
// produce it. Rules: AWS, "Signing and authenticating REST requests"
// (Signature Version 2),
// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/signer"
)

// v2Error is an S3 error document with the elements AWS adds to V2 errors.
type v2Error struct {
	Code              string `xml:"Code"`
	Message           string `xml:"Message"`
	AWSAccessKeyID    string `xml:"AWSAccessKeyId"`
	StringToSign      string `xml:"StringToSign"`
	SignatureProvided string `xml:"SignatureProvided"`
	StringToSignBytes string `xml:"StringToSignBytes"`
	Expires           string `xml:"Expires"`
	ServerTime        string `xml:"ServerTime"`
}

func getURL(t *testing.T, rawURL string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(rawURL)
	mustNoErr(t, err, "GET %s", rawURL)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	mustNoErr(t, err, "read %s", rawURL)
	return resp.StatusCode, body
}

func putObject(t *testing.T, g *gateway, bucket, key string, body []byte) {
	t.Helper()
	ctx := testContext(t, time.Minute)
	c := g.sdkClient()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "CreateBucket")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	mustNoErr(t, err, "PutObject")
}

// TestSigV2PresignedURLs: `aws s3 presign` and boto3's generate_presigned_url
// with its default configuration sign V2 URLs against a custom endpoint
// (AWSAccessKeyId/Expires/Signature); a plain HTTP GET of them downloads the
// object.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func TestSigV2PresignedURLs(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	body := []byte("downloaded through a V2 presigned URL")
	putObject(t, g, "v2-presign", "dir/a b+c.txt", body)

	cli := newAWSCLI(t, g)
	cliURL := strings.TrimSpace(cli.must("s3", "presign", "s3://v2-presign/dir/a b+c.txt", "--expires-in", "300"))
	boto3URL := boto3PresignedGet(t, g, "v2-presign", "dir/a b+c.txt")
	for name, u := range map[string]string{"aws s3 presign": cliURL, "boto3": boto3URL} {
		q, err := url.Parse(u)
		mustNoErr(t, err, "parse %s URL", name)
		if q.Query().Get("AWSAccessKeyId") == "" || q.Query().Get("Expires") == "" || q.Query().Get("X-Amz-Signature") != "" {
			t.Fatalf("%s did not produce a SigV2 URL: %s", name, u)
		}
		status, got := getURL(t, u)
		if status != http.StatusOK || !bytes.Equal(got, body) {
			t.Errorf("GET of the %s URL: %d %q, want 200 %q", name, status, got, body)
		}
		// The signature covers the resource: another key is refused.
		status, got = getURL(t, strings.Replace(u, "/dir/", "/other/", 1))
		if status != http.StatusForbidden || v2ErrorOf(t, got).Code != "SignatureDoesNotMatch" {
			t.Errorf("GET of a tampered %s URL: %d %s", name, status, got)
		}
	}
}

func boto3PresignedGet(t *testing.T, g *gateway, bucket, key string) string {
	t.Helper()
	python := requirePython3WithBoto3(t)
	script := `import os, boto3
c = boto3.client("s3", endpoint_url=os.environ["E2E_ENDPOINT"], aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
                 aws_secret_access_key=os.environ["E2E_SECRET_KEY"])
print(c.generate_presigned_url("get_object", Params={"Bucket": os.environ["E2E_BUCKET"], "Key": os.environ["E2E_KEY"]}))
`
	noConfig := filepath.Join(t.TempDir(), "no-aws-config")
	cmd := exec.Command(python, "-c", script)
	cmd.Env = append(scrubbedEnv(), "E2E_ENDPOINT="+g.endpoint(), "E2E_ACCESS_KEY="+g.accessKey, "E2E_SECRET_KEY="+g.secretKey,
		"E2E_BUCKET="+bucket, "E2E_KEY="+key, "AWS_CONFIG_FILE="+noConfig, "AWS_SHARED_CREDENTIALS_FILE="+noConfig,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_DEFAULT_REGION="+testRegion)
	out, err := cmd.Output()
	mustNoErr(t, err, "boto3 generate_presigned_url")
	return strings.TrimSpace(string(out))
}

// TestSigV2S3cmd drives s3cmd with signature_v2 = True: it signs every
// request in the V2 Authorization header (with x-amz-date, so an empty Date
// line).
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func TestSigV2S3cmd(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	s3cmd := newS3cmd(t, g)
	config, err := os.ReadFile(s3cmd.config)
	mustNoErr(t, err, "read s3cmd config")
	v2 := strings.Replace(string(config), "signature_v2 = False", "signature_v2 = True", 1)
	mustNoErr(t, os.WriteFile(s3cmd.config, []byte(v2), 0o600), "write s3cmd config")

	work := t.TempDir()
	data := patternBytes(7, 300<<10+11)
	src := writeTemp(t, work, "up.bin", data)
	s3cmd.must("mb", "s3://v2-s3cmd")
	s3cmd.must("put", src, "s3://v2-s3cmd/dir/obj ect.bin")
	dst := filepath.Join(work, "down.bin")
	s3cmd.must("get", "s3://v2-s3cmd/dir/obj ect.bin", dst)
	expectFileBytes(t, dst, data)
	if listing := s3cmd.must("ls", "--recursive", "s3://v2-s3cmd"); !strings.Contains(listing, "s3://v2-s3cmd/dir/obj ect.bin") {
		t.Errorf("s3cmd ls does not list the object:\n%s", listing)
	}
	s3cmd.must("del", "s3://v2-s3cmd/dir/obj ect.bin")
	s3cmd.must("rb", "s3://v2-s3cmd")
}

// TestSigV2MinioGo uses minio-go's V2 credentials path-style and
// virtual-host style: bucket, PUT, GET, list and a multipart upload.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func TestSigV2MinioGo(t *testing.T) {
	const domain = "s3.test"
	g := startGateway(t, newDataDir(t), "--domain", domain)
	ctx := testContext(t, 2*time.Minute)
	creds := miniocreds.NewStaticV2(g.accessKey, g.secretKey, "")

	path, err := minio.New(g.addr, &minio.Options{Creds: creds, Region: testRegion, BucketLookup: minio.BucketLookupPath})
	mustNoErr(t, err, "minio client")
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	vhost, err := minio.New(domain+":"+g.port(), &minio.Options{
		Creds: creds, Region: testRegion, BucketLookup: minio.BucketLookupDNS,
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, g.addr)
		}},
	})
	mustNoErr(t, err, "minio virtual-host client")

	mustNoErr(t, path.MakeBucket(ctx, "v2-minio", minio.MakeBucketOptions{Region: testRegion}), "MakeBucket")
	for name, c := range map[string]*minio.Client{"path": path, "vhost": vhost} {
		small := []byte("small object via " + name)
		_, err := c.PutObject(ctx, "v2-minio", name+"/small", bytes.NewReader(small), int64(len(small)), minio.PutObjectOptions{ContentType: "text/plain"})
		mustNoErr(t, err, "%s PutObject", name)
		expectMinioObject(t, ctx, c, "v2-minio", name+"/small", small)

		big := patternBytes(uint64(len(name)), 11<<20+5)
		info, err := c.PutObject(ctx, "v2-minio", name+"/multipart", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{PartSize: 5 << 20})
		mustNoErr(t, err, "%s multipart PutObject", name)
		if !strings.HasSuffix(info.ETag, "-3") {
			t.Errorf("%s: ETag %q is not a 3-part multipart ETag", name, info.ETag)
		}
		expectMinioObject(t, ctx, c, "v2-minio", name+"/multipart", big)

		var keys []string
		for o := range c.ListObjects(ctx, "v2-minio", minio.ListObjectsOptions{Prefix: name + "/", Recursive: true}) {
			mustNoErr(t, o.Err, "%s ListObjects", name)
			keys = append(keys, o.Key)
		}
		if strings.Join(keys, ",") != name+"/multipart,"+name+"/small" {
			t.Errorf("%s listing %v", name, keys)
		}
		mustNoErr(t, c.RemoveObject(ctx, "v2-minio", name+"/small", minio.RemoveObjectOptions{}), "%s RemoveObject", name)
	}
}

func expectMinioObject(t *testing.T, ctx context.Context, c *minio.Client, bucket, key string, want []byte) {
	t.Helper()
	obj, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	mustNoErr(t, err, "GetObject %s", key)
	defer obj.Close()
	got, err := io.ReadAll(obj)
	mustNoErr(t, err, "read %s", key)
	if !bytes.Equal(got, want) {
		t.Errorf("GET %s: %d bytes, want %d identical ones", key, len(got), len(want))
	}
}

func v2ErrorOf(t *testing.T, body []byte) v2Error {
	t.Helper()
	var e v2Error
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an S3 error document (%v): %s", err, body)
	}
	return e
}

// sendV2 signs req in the V2 header with minio-go's signer and sends it.
func sendV2(t *testing.T, req *http.Request, accessKey, secret string) (int, v2Error, []byte) {
	t.Helper()
	signed := signer.SignV2(*req, accessKey, secret, false)
	resp, err := http.DefaultClient.Do(signed)
	mustNoErr(t, err, "%s %s", req.Method, req.URL)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, v2Error{}, body
	}
	return resp.StatusCode, v2ErrorOf(t, body), body
}

// TestSigV2Refusals sends V2 requests that must fail, each with AWS's error.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func TestSigV2Refusals(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	putObject(t, g, "v2-neg", "k", []byte("secret data"))
	newReq := func(method, path string) *http.Request {
		req, err := http.NewRequest(method, g.endpoint()+path, nil)
		mustNoErr(t, err, "new request")
		return req
	}

	if status, _, body := sendV2(t, newReq("GET", "/v2-neg/k"), g.accessKey, g.secretKey); status != http.StatusOK || string(body) != "secret data" {
		t.Fatalf("a correctly signed V2 GET: %d %s", status, body)
	}

	// A wrong secret: SignatureDoesNotMatch naming the key, the string the
	// gateway signed (in text and hex bytes) and the signature sent.
	status, e, body := sendV2(t, newReq("GET", "/v2-neg/k"), g.accessKey, "not-the-secret")
	if status != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" || e.AWSAccessKeyID != g.accessKey ||
		!strings.HasPrefix(e.StringToSign, "GET\n\n\n") || !strings.HasSuffix(e.StringToSign, "\n/v2-neg/k") ||
		e.SignatureProvided == "" || !strings.HasPrefix(e.StringToSignBytes, "47 45 54 0a") {
		t.Errorf("wrong secret: %d %s", status, body)
	}

	// A signature for one key used on another.
	signed := signer.SignV2(*newReq("GET", "/v2-neg/k"), g.accessKey, g.secretKey, false)
	signed.URL.Path = "/v2-neg/other"
	resp, err := http.DefaultClient.Do(signed)
	mustNoErr(t, err, "tampered GET")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || v2ErrorOf(t, body).Code != "SignatureDoesNotMatch" {
		t.Errorf("tampered resource: %d %s", resp.StatusCode, body)
	}

	// A header added after signing.
	signed = signer.SignV2(*newReq("PUT", "/v2-neg/k"), g.accessKey, g.secretKey, false)
	signed.Header.Set("X-Amz-Meta-Injected", "1")
	resp, err = http.DefaultClient.Do(signed)
	mustNoErr(t, err, "tampered PUT")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || v2ErrorOf(t, body).Code != "SignatureDoesNotMatch" {
		t.Errorf("tampered header: %d %s", resp.StatusCode, body)
	}

	// An unknown key.
	status, e, body = sendV2(t, newReq("GET", "/v2-neg/k"), "NOSUCHACCESSKEY00000", g.secretKey)
	if status != http.StatusForbidden || e.Code != "InvalidAccessKeyId" || e.AWSAccessKeyID != "NOSUCHACCESSKEY00000" {
		t.Errorf("unknown key: %d %s", status, body)
	}

	// A Date 20 minutes old: AWS allows 15 minutes of skew.
	old := newReq("GET", "/v2-neg/k")
	old.Header.Set("Date", time.Now().Add(-20*time.Minute).UTC().Format(http.TimeFormat))
	status, e, body = sendV2(t, old, g.accessKey, g.secretKey)
	if status != http.StatusForbidden || e.Code != "RequestTimeTooSkewed" {
		t.Errorf("skewed Date: %d %s", status, body)
	}

	// An expired presigned URL: AccessDenied with Expires and ServerTime.
	expired := signer.PreSignV2(*newReq("GET", "/v2-neg/k"), g.accessKey, g.secretKey, -60, false)
	status, body = getURL(t, expired.URL.String())
	e = v2ErrorOf(t, body)
	if status != http.StatusForbidden || e.Code != "AccessDenied" || e.Message != "Request has expired" || e.Expires == "" || e.ServerTime == "" {
		t.Errorf("expired URL: %d %s", status, body)
	}
	if exp, err := time.Parse(time.RFC3339, e.Expires); err != nil || time.Since(exp) < 50*time.Second {
		t.Errorf("Expires %q is not a minute ago (%v)", e.Expires, err)
	}

	// A live presigned URL with its Expires pushed later.
	live := signer.PreSignV2(*newReq("GET", "/v2-neg/k"), g.accessKey, g.secretKey, 60, false)
	q := live.URL.Query()
	q.Set("Expires", "9999999999")
	live.URL.RawQuery = q.Encode()
	status, body = getURL(t, live.URL.String())
	if status != http.StatusForbidden || v2ErrorOf(t, body).Code != "SignatureDoesNotMatch" {
		t.Errorf("URL with a later Expires: %d %s", status, body)
	}
}

// TestSigV2Disabled: with --sigv2=false a V2 request is refused the way a
// V4-only AWS region refuses it (400 InvalidRequest, e.g. the response shown
// in nukulb/s3-angular-file-upload#23 and s3fs-fuse#915); SigV4 still works.
// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html
func TestSigV2Disabled(t *testing.T) {
	g := startGateway(t, newDataDir(t), "--sigv2=false")
	putObject(t, g, "v2-off", "k", []byte("v4 still works"))
	req, err := http.NewRequest("GET", g.endpoint()+"/v2-off/k", nil)
	mustNoErr(t, err, "new request")
	status, e, body := sendV2(t, req, g.accessKey, g.secretKey)
	if status != http.StatusBadRequest || e.Code != "InvalidRequest" ||
		e.Message != "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256." {
		t.Errorf("V2 header with --sigv2=false: %d %s", status, body)
	}
	presigned := signer.PreSignV2(*req, g.accessKey, g.secretKey, 60, false)
	status, body = getURL(t, presigned.URL.String())
	if status != http.StatusBadRequest || v2ErrorOf(t, body).Code != "InvalidRequest" {
		t.Errorf("V2 URL with --sigv2=false: %d %s", status, body)
	}
	resp := g.do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: "/v2-off/k"})
	if resp.status != http.StatusOK || string(resp.body) != "v4 still works" {
		t.Errorf("SigV4 GET with --sigv2=false: %d %s", resp.status, resp.body)
	}
}

// TestSigV2SamePrincipal: a V2-signed request acts as the user its key
// belongs to, exactly as a V4 one: bob's bucket is bob's whichever version
// he signs with, and alice is refused with either.
func TestSigV2SamePrincipal(t *testing.T) {
	alice := testUser{name: "alice", accessKey: "ALICEACCESSKEY000000", secretKey: "alice-secret-0000000000000000000000000000"}
	bob := testUser{name: "bob", accessKey: "BOBACCESSKEY00000000", secretKey: "bob-secret-00000000000000000000000000000"}
	dir := newDataDir(t)
	usersFile := filepath.Join(t.TempDir(), "users.yaml")
	writeUsersFile(t, usersFile, alice, bob)
	g := startUsersGateway(t, dir, usersFile, bob)

	newReq := func(method, path string, body []byte) *http.Request {
		req, err := http.NewRequest(method, g.endpoint()+path, bytes.NewReader(body))
		mustNoErr(t, err, "new request")
		return req
	}
	if status, _, body := sendV2(t, newReq("PUT", "/bobs", nil), bob.accessKey, bob.secretKey); status != http.StatusOK {
		t.Fatalf("bob creates a bucket with V2: %d %s", status, body)
	}
	if status, _, body := sendV2(t, newReq("PUT", "/bobs/k", []byte("bob's")), bob.accessKey, bob.secretKey); status != http.StatusOK {
		t.Fatalf("bob PUTs with V2: %d %s", status, body)
	}
	// V4 as bob: the bucket V2-bob created is his.
	resp := g.do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: "/bobs/k"})
	if resp.status != http.StatusOK || string(resp.body) != "bob's" {
		t.Errorf("bob GETs with V4: %d %s", resp.status, resp.body)
	}
	// alice is refused with either version, and so is anonymous.
	if status, e, body := sendV2(t, newReq("GET", "/bobs/k", nil), alice.accessKey, alice.secretKey); status != http.StatusForbidden || e.Code != "AccessDenied" {
		t.Errorf("alice GETs bob's object with V2: %d %s", status, body)
	}
	resp = g.as(alice).do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: "/bobs/k"})
	if resp.status != http.StatusForbidden || resp.errorCode() != "AccessDenied" {
		t.Errorf("alice GETs bob's object with V4: %d %s", resp.status, resp.body)
	}
	status, body := getURL(t, g.endpoint()+"/bobs/k")
	if status != http.StatusForbidden {
		t.Errorf("anonymous GET: %d %s", status, body)
	}
}
