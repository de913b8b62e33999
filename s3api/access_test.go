package s3api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// twoUsers is a user directory of alice (the harness's key) and bob.
type twoUsers struct{}

const (
	bobAccessKey = "AKIDBOB"
	bobSecretKey = "bob-secret-key-0123456789"
)

func (twoUsers) Secret(ak string) (string, bool) {
	switch ak {
	case testAccessKey:
		return testSecretKey, true
	case bobAccessKey:
		return bobSecretKey, true
	}
	return "", false
}

func (twoUsers) User(ak string) (string, bool) {
	switch ak {
	case testAccessKey:
		return "alice", true
	case bobAccessKey:
		return "bob", true
	}
	return "", false
}

func (g *gateway) clientAs(ak, sk string, optFns ...func(*s3.Options)) *s3.Client {
	return s3.New(s3.Options{
		Region:           g.region,
		BaseEndpoint:     aws.String(g.endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(ak, sk, ""),
		RetryMaxAttempts: 1,
	}, optFns...)
}

func anonymousDo(t *testing.T, method, url, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func TestBucketOwnershipAndPolicies(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	// A bucket whose record names its owner by access key, as before users had names.
	if err := g.layer.CreateBucket(context.Background(), "legacy", testAccessKey); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	alice, bob := g.client(), g.clientAs(bobAccessKey, bobSecretKey)
	g.mustCreateBucket(t, "alice-data")
	g.mustPut(t, "alice-data", "report.txt", "alice's")
	if _, err := bob.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bob-data")}); err != nil {
		t.Fatal(err)
	}

	// Each user lists only their own buckets.
	lb, err := bob.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != "bob-data" {
		t.Errorf("bob lists %v", lb.Buckets)
	}
	la, err := alice.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(la.Buckets) != 2 || aws.ToString(la.Buckets[0].Name) != "alice-data" || aws.ToString(la.Buckets[1].Name) != "legacy" {
		t.Errorf("alice lists %v", la.Buckets)
	}

	// Bob cannot touch alice's bucket.
	_, err = bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("alice-data"), Key: aws.String("report.txt")})
	expectAPIError(t, err, "AccessDenied", 403)
	_, err = bob.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-data"), Key: aws.String("report.txt"), Body: strings.NewReader("bob's")})
	expectAPIError(t, err, "AccessDenied", 403)
	_, err = bob.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alice-data")})
	expectAPIError(t, err, "AccessDenied", 403)
	_, err = bob.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("alice-data"), Policy: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::alice-data/*"}]}`)})
	expectAPIError(t, err, "AccessDenied", 403)
	_, err = bob.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bob-data"), Key: aws.String("stolen"), CopySource: aws.String("alice-data/report.txt")})
	expectAPIError(t, err, "AccessDenied", 403)

	// Policy management.
	_, err = alice.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("alice-data")})
	expectAPIError(t, err, "NoSuchBucketPolicy", 404)
	_, err = alice.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("alice-data"), Policy: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::alice-data/*","Condition":{}}]}`)})
	expectAPIError(t, err, "MalformedPolicy", 400)
	grant := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::alice-data","arn:aws:s3:::alice-data/*"]},` +
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::alice-data/public/*"}]}`
	if _, err := alice.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("alice-data"), Policy: aws.String(grant)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	gp, err := alice.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("alice-data")})
	if err != nil || aws.ToString(gp.Policy) != grant {
		t.Fatalf("GetBucketPolicy = %v, %v", aws.ToString(gp.Policy), err)
	}

	// After the grant bob reads, lists and copies out, but still cannot write.
	if got := readAll(t, bob, "alice-data", "report.txt"); got != "alice's" {
		t.Errorf("bob reads %q", got)
	}
	if _, err := bob.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alice-data")}); err != nil {
		t.Errorf("bob lists after the grant: %v", err)
	}
	if _, err := bob.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bob-data"), Key: aws.String("copy"), CopySource: aws.String("alice-data/report.txt")}); err != nil {
		t.Errorf("bob copies out after the grant: %v", err)
	}
	_, err = bob.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-data"), Key: aws.String("report.txt"), Body: strings.NewReader("bob's")})
	expectAPIError(t, err, "AccessDenied", 403)
	del, err := bob.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("alice-data"), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("report.txt")}}}})
	if err != nil || len(del.Errors) != 1 || aws.ToString(del.Errors[0].Code) != "AccessDenied" {
		t.Errorf("bob's DeleteObjects: %+v, %v", del, err)
	}
	if got := readAll(t, alice, "alice-data", "report.txt"); got != "alice's" {
		t.Errorf("object changed to %q", got)
	}

	// Public read through Principal "*": anonymous GET of public/ only; no
	// anonymous PUT or LIST.
	g.mustPut(t, "alice-data", "public/index.html", "hello world")
	resp, body := anonymousDo(t, http.MethodGet, g.endpoint+"/alice-data/public/index.html", "")
	if resp.StatusCode != 200 || string(body) != "hello world" {
		t.Errorf("anonymous public GET: %d %s", resp.StatusCode, body)
	}
	resp, body = anonymousDo(t, http.MethodGet, g.endpoint+"/alice-data/report.txt", "")
	checkErrorXML(t, resp, body, 403, "AccessDenied")
	resp, body = anonymousDo(t, http.MethodPut, g.endpoint+"/alice-data/public/index.html", "defaced")
	checkErrorXML(t, resp, body, 403, "AccessDenied")
	resp, body = anonymousDo(t, http.MethodGet, g.endpoint+"/alice-data", "")
	checkErrorXML(t, resp, body, 403, "AccessDenied")
	resp, body = anonymousDo(t, http.MethodGet, g.endpoint+"/", "")
	checkErrorXML(t, resp, body, 403, "AccessDenied")
	if got := readAll(t, alice, "alice-data", "public/index.html"); got != "hello world" {
		t.Errorf("public object changed to %q", got)
	}

	// Removing the policy removes the grants.
	if _, err := alice.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("alice-data")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("alice-data"), Key: aws.String("report.txt")})
	expectAPIError(t, err, "AccessDenied", 403)
	resp, body = anonymousDo(t, http.MethodGet, g.endpoint+"/alice-data/public/index.html", "")
	checkErrorXML(t, resp, body, 403, "AccessDenied")
}

func readAll(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ACLs behave as on an AWS bucket with ACLs disabled (BucketOwnerEnforced).
func TestACLsAsBucketOwnerEnforced(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	ctx := context.Background()
	c := g.client()
	g.mustCreateBucket(t, "acls")
	g.mustPut(t, "acls", "k", "v")

	acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("acls")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(acl.Owner.ID) != "alice" || len(acl.Grants) != 1 || acl.Grants[0].Permission != s3types.PermissionFullControl || aws.ToString(acl.Grants[0].Grantee.ID) != "alice" {
		t.Errorf("bucket ACL %+v", acl)
	}
	oacl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k")})
	if err != nil || len(oacl.Grants) != 1 {
		t.Errorf("object ACL %+v, %v", oacl, err)
	}
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acls"), ACL: s3types.BucketCannedACLPrivate}); err != nil {
		t.Errorf("canned private ACL: %v", err)
	}
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acls"), ACL: s3types.BucketCannedACLPublicRead})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)
	ownerOnly := &s3types.AccessControlPolicy{
		Owner:  &s3types.Owner{ID: aws.String("alice")},
		Grants: []s3types.Grant{{Grantee: &s3types.Grantee{Type: s3types.TypeCanonicalUser, ID: aws.String("alice")}, Permission: s3types.PermissionFullControl}},
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k"), AccessControlPolicy: ownerOnly}); err != nil {
		t.Errorf("owner-only ACL document: %v", err)
	}
	ownerOnly.Grants = append(ownerOnly.Grants, s3types.Grant{Grantee: &s3types.Grantee{Type: s3types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: s3types.PermissionRead})
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k"), AccessControlPolicy: ownerOnly})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)

	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acls"), Key: aws.String("p"), Body: strings.NewReader("x"), ACL: s3types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Errorf("PutObject with bucket-owner-full-control: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acls"), Key: aws.String("q"), Body: strings.NewReader("x"), ACL: s3types.ObjectCannedACLPublicRead})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acls2"), ACL: s3types.BucketCannedACLPublicReadWrite})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)
	if g.objectExists(t, "acls", "q") {
		t.Error("object with a refused ACL was stored")
	}
}
