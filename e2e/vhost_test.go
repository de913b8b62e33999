package e2e

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestVirtualHostAddressing serves with --domain and addresses the bucket
// through the Host header, both hand-signed and with the SDK.
func TestVirtualHostAddressing(t *testing.T) {
	const domain = "s3.test"
	g := startGateway(t, newDataDir(t), "--domain", domain)
	ctx := testContext(t, time.Minute)
	path := g.sdkClient()
	_, err := path.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vbucket")})
	mustNoErr(t, err, "CreateBucket (path style)")

	host := "vbucket." + domain + ":" + g.port()
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", host: host, rawPath: "/raw/key.txt", bodyBytes: []byte("via vhost")}), http.StatusOK, "PUT via vhost")
	resp := g.do(t, ctx, rawRequest{method: "GET", host: host, rawPath: "/raw/key.txt"})
	if resp.status != http.StatusOK || string(resp.body) != "via vhost" {
		t.Errorf("GET via vhost: %d %q", resp.status, resp.body)
	}
	got, err := path.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vbucket"), Key: aws.String("raw/key.txt")})
	mustNoErr(t, err, "path-style GET of the object PUT via vhost")
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(b) != "via vhost" {
		t.Errorf("path-style GET = %q", b)
	}
	resp = g.do(t, ctx, rawRequest{method: "GET", host: host, rawPath: "/", rawQuery: "list-type=2"})
	var list struct {
		Name string   `xml:"Name"`
		Keys []string `xml:"Contents>Key"`
	}
	if err := xml.Unmarshal(resp.body, &list); err != nil || resp.status != http.StatusOK {
		t.Fatalf("list via vhost: %d %v %s", resp.status, err, resp.body)
	}
	if list.Name != "vbucket" || strings.Join(list.Keys, ",") != "raw/key.txt" {
		t.Errorf("list via vhost: bucket %q keys %v", list.Name, list.Keys)
	}

	vh := g.vhostSDKClient(domain)
	_, err = vh.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vbucket"), Key: aws.String("sdk/obj"), Body: strings.NewReader("sdk vhost")})
	mustNoErr(t, err, "SDK PutObject virtual-host style")
	out, err := vh.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vbucket")})
	mustNoErr(t, err, "SDK ListObjectsV2 virtual-host style")
	if keys := objectKeys(out.Contents); strings.Join(keys, ",") != "raw/key.txt,sdk/obj" {
		t.Errorf("SDK vhost listing = %v", keys)
	}
	_, err = vh.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other-bucket"), Key: aws.String("sdk/obj")})
	expectCode(t, err, "NoSuchBucket", "vhost GET in a missing bucket")
}
