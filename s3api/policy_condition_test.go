package s3api

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// selfSignedTLS returns a listener wrapper serving TLS for 127.0.0.1 and
// an HTTP client that trusts it: net/http/httptest's test certificate,
// which covers 127.0.0.1.
func selfSignedTLS(t *testing.T) (func(net.Listener) net.Listener, *http.Client) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.StartTLS()
	server, client := srv.TLS.Clone(), srv.Client()
	srv.Close()
	return func(ln net.Listener) net.Listener { return tls.NewListener(ln, server) }, client
}

// clientOver is an SDK client of g signing with ak/sk through hc.
func (g *gateway) clientOver(hc *http.Client, ak, sk string) *s3.Client {
	return g.clientAs(ak, sk, func(o *s3.Options) { o.HTTPClient = hc })
}

func mustPutPolicy(t *testing.T, c *s3.Client, bucket, doc string) {
	t.Helper()
	if _, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("PutBucketPolicy %s: %v", doc, err)
	}
}

// denyInsecureTransport is the security-baseline statement (AWS S3 user
// guide, security-best-practices, "Enforce encryption of data in
// transit": Deny when aws:SecureTransport is false), with a public read.
const denyInsecureTransport = `{"Version":"2012-10-17","Statement":[
	{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::secure","arn:aws:s3:::secure/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
	{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::secure/*"}]}`

// TestPolicyConditionSecureTransport: aws:SecureTransport is whether the
// request came over TLS (IAM user guide, reference_policies_condition-keys,
// aws:SecureTransport); the Deny (security-best-practices) binds the owner
// too, except for managing the policy itself.
func TestPolicyConditionSecureTransport(t *testing.T) {
	ctx := context.Background()
	for _, secure := range []bool{false, true} {
		var g *gateway
		hc := http.DefaultClient
		if secure {
			var wrap func(net.Listener) net.Listener
			wrap, hc = selfSignedTLS(t)
			g = startGatewayOn(t, Config{}, staticCredentials{testAccessKey: testSecretKey}, wrap)
		} else {
			g = startGateway(t, Config{})
		}
		owner := g.clientOver(hc, testAccessKey, testSecretKey)
		if _, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("secure")}); err != nil {
			t.Fatal(err)
		}
		if _, err := owner.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secure"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		mustPutPolicy(t, owner, "secure", denyInsecureTransport)

		// Expect: 100-continue is screened on a copy of the head, without
		// the connection (expect.go): the TLS answer must not change.
		put := g.signedRequest(t, http.MethodPut, "/secure/expect", []byte("body"), testSecretKey)
		put.Header.Set("Expect", "100-continue")
		if resp, body := doWith(t, expectContinueClient(hc), put); (resp.StatusCode == http.StatusOK) != secure {
			t.Errorf("PUT with Expect: 100-continue (TLS %v): %d %s", secure, resp.StatusCode, body)
		}

		_, err := owner.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("secure"), Key: aws.String("k")})
		req, _ := http.NewRequest(http.MethodGet, g.endpoint+"/secure/k", nil)
		resp, _ := doWith(t, hc, req)
		if secure {
			if err != nil {
				t.Errorf("owner GetObject over HTTPS: %v", err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Errorf("anonymous GET over HTTPS: %d", resp.StatusCode)
			}
			continue
		}
		expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous GET over HTTP: %d", resp.StatusCode)
		}
		_, err = owner.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secure"), Key: aws.String("k2"), Body: strings.NewReader("x")})
		expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
		// The owner can still read and remove the policy over HTTP.
		if _, err := owner.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("secure")}); err != nil {
			t.Errorf("GetBucketPolicy over HTTP: %v", err)
		}
		if _, err := owner.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("secure")}); err != nil {
			t.Errorf("DeleteBucketPolicy over HTTP: %v", err)
		}
	}
}

// expectContinueClient is hc sending Expect: 100-continue when asked.
func expectContinueClient(hc *http.Client) *http.Client {
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		tr = http.DefaultTransport.(*http.Transport)
	}
	tr = tr.Clone()
	tr.ExpectContinueTimeout = 5 * time.Second
	return &http.Client{Transport: tr}
}

// sourceIPRead allows anonymous reads from the given ranges.
func sourceIPRead(ranges string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ipb/*","Condition":{"IpAddress":{"aws:SourceIp":` + ranges + `}}}]}`
}

// TestPolicyConditionSourceIP: aws:SourceIp is the requester's address
// (IAM user guide, reference_policies_condition-keys, aws:SourceIp), here
// 127.0.0.1; an Allow to "*" bound to fixed ranges is not public, one
// bound to 0.0.0.0/0 is (AWS S3 user guide,
// access-control-block-public-access.html, "The meaning of public").
func TestPolicyConditionSourceIP(t *testing.T) {
	g := startGateway(t, Config{})
	ctx := context.Background()
	c := g.client()
	g.mustCreateBucket(t, "ipb")
	g.mustPut(t, "ipb", "k", "x")
	status := func() bool {
		t.Helper()
		out, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("ipb")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(out.PolicyStatus.IsPublic)
	}
	cases := []struct {
		ranges  string
		allowed bool
		public  bool
	}{
		{`"127.0.0.0/8"`, true, false},
		{`["10.0.0.0/8","127.0.0.1/32"]`, true, false},
		{`"127.0.0.1"`, true, false},
		{`"10.0.0.0/8"`, false, false},
		{`"::1/128"`, false, false},
		{`"0.0.0.0/0"`, true, true},
	}
	for _, tc := range cases {
		mustPutPolicy(t, c, "ipb", sourceIPRead(tc.ranges))
		resp, _ := anonymousDo(t, http.MethodGet, g.endpoint+"/ipb/k", "")
		if got := resp.StatusCode == http.StatusOK; got != tc.allowed {
			t.Errorf("aws:SourceIp %s: anonymous GET %d, want allowed=%v", tc.ranges, resp.StatusCode, tc.allowed)
		}
		if got := status(); got != tc.public {
			t.Errorf("aws:SourceIp %s: IsPublic = %v, want %v", tc.ranges, got, tc.public)
		}
	}

	// BlockPublicPolicy refuses the 0.0.0.0/0 policy but not a fixed range.
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
		Bucket:                         aws.String("ipb"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("ipb"), Policy: aws.String(sourceIPRead(`"0.0.0.0/0"`))})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	mustPutPolicy(t, c, "ipb", sourceIPRead(`"127.0.0.0/8"`))
}

// TestPolicyConditionPrefixList: a home-folder grant, ListBucket only
// under s3:prefix home/bob/ (AWS S3 user guide,
// amazon-s3-policy-keys.html, "Example: Restricting access to a specific
// prefix (s3:prefix)"); a list without that prefix is denied. s3:prefix
// and s3:max-keys are ListBucket keys only ("Actions, resources, and
// condition keys for Amazon S3").
func TestPolicyConditionPrefixList(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	ctx := context.Background()
	alice, bob := g.client(), g.clientAs(bobAccessKey, bobSecretKey)
	g.mustCreateBucket(t, "homes")
	g.mustPut(t, "homes", "home/bob/a", "x")
	g.mustPut(t, "homes", "home/alice/b", "x")
	mustPutPolicy(t, alice, "homes", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::homes",
		"Condition":{"StringLike":{"s3:prefix":["home/bob/","home/bob/*"]},"NumericLessThanEqualsIfExists":{"s3:max-keys":100}}}]}`)

	out, err := bob.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("homes"), Prefix: aws.String("home/bob/")})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "home/bob/a" {
		t.Fatalf("bob lists home/bob/: %+v, %v", out, err)
	}
	_, err = bob.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("homes"), Prefix: aws.String("home/alice/")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = bob.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("homes")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = bob.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("homes"), Prefix: aws.String("home/bob/"), MaxKeys: aws.Int32(1000)})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	// s3:prefix is no GetObject key: the grant gives bob no reads.
	_, err = bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("homes"), Key: aws.String("home/bob/a")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
}

// TestPolicyConditionRequireSSE: "deny PutObject unless SSE" (AWS S3 user
// guide, UsingServerSideEncryption.html, "Requiring server-side
// encryption": Deny s3:PutObject when s3:x-amz-server-side-encryption is
// not AES256). The key is the request's header, for PutObject, CopyObject
// and CreateMultipartUpload alike (all s3:PutObject), and binds the owner
// too.
func TestPolicyConditionRequireSSE(t *testing.T) {
	g := startGateway(t, Config{MasterKeys: testKeyRing(t, "k1")})
	ctx := context.Background()
	c := g.client()
	g.mustCreateBucket(t, "enc")
	g.mustPut(t, "enc", "src", "x")
	mustPutPolicy(t, c, "enc", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::enc/*",
		"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}}]}`)
	aes := s3types.ServerSideEncryptionAes256

	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("plain"), Body: strings.NewReader("x")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	if g.objectExists(t, "enc", "plain") {
		t.Error("the denied PUT stored the object")
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("sealed"), Body: strings.NewReader("x"), ServerSideEncryption: aes}); err != nil {
		t.Errorf("PutObject with AES256: %v", err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("enc"), Key: aws.String("copy"), CopySource: aws.String("enc/src")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("enc"), Key: aws.String("copy"), CopySource: aws.String("enc/src"), ServerSideEncryption: aes}); err != nil {
		t.Errorf("CopyObject with AES256: %v", err)
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("enc"), Key: aws.String("mp")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	// The key is PutObject's only: reads are not affected.
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String("src")}); err != nil {
		t.Errorf("GetObject: %v", err)
	}
}

// TestPolicyConditionAuthTypeAndVersion: s3:authType tells a header
// signature (REST-HEADER) from a presigned URL (REST-QUERY-STRING);
// s3:VersionId is the version a DeleteObjects entry names (AWS service
// authorization reference, "Actions, resources, and condition keys for
// Amazon S3", condition keys s3:authType and s3:VersionId).
func TestPolicyConditionAuthTypeAndVersion(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	ctx := context.Background()
	alice, bob := g.client(), g.clientAs(bobAccessKey, bobSecretKey)
	g.mustCreateBucket(t, "auth")
	g.mustPut(t, "auth", "k", "x")
	if _, err := alice.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("auth"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put, err := alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("auth"), Key: aws.String("v"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	mustPutPolicy(t, alice, "auth", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::auth/*","Condition":{"StringEquals":{"s3:authType":"REST-HEADER","s3:signatureversion":"AWS4-HMAC-SHA256"}}},
		{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:DeleteObjectVersion","Resource":"arn:aws:s3:::auth/*","Condition":{"StringEquals":{"s3:VersionId":"`+aws.ToString(put.VersionId)+`"}}}]}`)

	if _, err := bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("auth"), Key: aws.String("k")}); err != nil {
		t.Errorf("bob GetObject with a header signature: %v", err)
	}
	presigned, err := s3.NewPresignClient(bob).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("auth"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, presigned.URL, nil)
	if resp, body := do(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob's presigned GET: %d %s", resp.StatusCode, body)
	}

	out, err := bob.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("auth"), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
		{Key: aws.String("v"), VersionId: aws.String("not-that-one")},
		{Key: aws.String("v"), VersionId: put.VersionId},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].VersionId) != aws.ToString(put.VersionId) ||
		len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects: deleted %+v, errors %+v", out.Deleted, out.Errors)
	}
}

// TestPolicyConditionRefused: a condition the gateway cannot evaluate is
// refused when the policy is stored, never ignored: an unknown key, a set
// operator (ForAnyValue:, IAM user guide,
// reference_policies_elements_condition_operators) or a bad value.
func TestPolicyConditionRefused(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	g.mustCreateBucket(t, "refuse")
	for _, cond := range []string{
		`{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`,
		`{"StringEquals":{"aws:SourceVpce":"vpce-1"}}`,
		`{"StringEquals":{"s3:RequestObjectTag/team":"a"}}`,
		`{"ForAnyValue:StringEquals":{"aws:UserAgent":"a"}}`,
	} {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::refuse/*","Condition":` + cond + `}]}`
		_, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String("refuse"), Policy: aws.String(doc)})
		expectAPIError(t, err, "MalformedPolicy", http.StatusBadRequest)
		if err != nil && !strings.Contains(err.Error(), "by this gateway") && !strings.Contains(err.Error(), "Invalid IP address in Conditions") {
			t.Errorf("%s: %v", cond, err)
		}
	}
	if _, err := c.GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: aws.String("refuse")}); err == nil {
		t.Error("a refused policy was stored")
	}
}

// TestPolicyConditionPostForm: a browser POST carries its request keys as
// form fields, s3:x-amz-server-side-encryption among them, and its
// s3:authType is POST (AWS service authorization reference, "Actions,
// resources, and condition keys for Amazon S3", s3:authType: REST-HEADER,
// REST-QUERY-STRING or POST).
func TestPolicyConditionPostForm(t *testing.T) {
	g := startGateway(t, Config{MasterKeys: testKeyRing(t, "k1")})
	g.mustCreateBucket(t, "form")
	mustPutPolicy(t, g.client(), "form", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::form/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
		{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::form/*","Condition":{"StringNotEquals":{"s3:authType":"POST"}}}]}`)
	post := func(key string, sse bool) *http.Response {
		t.Helper()
		conds := []any{map[string]string{"bucket": "form"}, map[string]string{"key": key}}
		fields := []formField{{"key", key}}
		if sse {
			conds = append(conds, map[string]string{"x-amz-server-side-encryption": "AES256"})
			fields = append(fields, formField{"x-amz-server-side-encryption", "AES256"})
		}
		resp, body := sendPostForm(t, g.endpoint, "form", signedPolicy(t, time.Now().Add(time.Hour), conds, fields...), "f", []byte("x"))
		t.Logf("POST %s (SSE %v): %d %s", key, sse, resp.StatusCode, body)
		return resp
	}
	if resp := post("sealed", true); resp.StatusCode != http.StatusNoContent {
		t.Errorf("signed POST with SSE: %d, want 204", resp.StatusCode)
	}
	if resp := post("plain", false); resp.StatusCode != http.StatusForbidden || g.objectExists(t, "form", "plain") {
		t.Errorf("signed POST without SSE: %d, want 403 and nothing stored", resp.StatusCode)
	}
	_, err := g.client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("form"), Key: aws.String("rest"),
		Body: strings.NewReader("x"), ServerSideEncryption: s3types.ServerSideEncryptionAes256})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
}

// TestPolicyConditionExistingObjectTag: s3:ExistingObjectTag/<tag-key> is
// the checked object's tag (AWS S3 user guide, tagging-and-policies,
// example 1: read only objects tagged environment=production). bob reads
// the tagged object and not the other (HEAD alike: no body, so no code);
// it is no PutObject or DeleteObject key ("this condition key is not
// supported" for them), so the grant gives him neither; retagging the
// object takes the grant away.
func TestPolicyConditionExistingObjectTag(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	ctx := context.Background()
	alice, bob := g.client(), g.clientAs(bobAccessKey, bobSecretKey)
	g.mustCreateBucket(t, "tagged")
	for key, tagging := range map[string]string{"prod": "environment=production", "dev": "environment=development"} {
		if _, err := alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tagged"), Key: aws.String(key),
			Body: strings.NewReader(key), Tagging: aws.String(tagging)}); err != nil {
			t.Fatal(err)
		}
	}
	mustPutPolicy(t, alice, "tagged", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::tagged/*",
		 "Condition":{"StringEquals":{"s3:ExistingObjectTag/environment":"production"}}}]}`)

	if _, err := bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tagged"), Key: aws.String("prod")}); err != nil {
		t.Fatalf("bob reads the production object: %v", err)
	}
	_, err := bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tagged"), Key: aws.String("dev")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = bob.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tagged"), Key: aws.String("dev")})
	expectAPIError(t, err, "", http.StatusForbidden)
	_, err = bob.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tagged"), Key: aws.String("prod"), Body: strings.NewReader("over")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = bob.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("tagged"), Key: aws.String("prod")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	if _, err := alice.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tagged"), Key: aws.String("prod"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("environment"), Value: aws.String("retired")}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tagged"), Key: aws.String("prod")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
}
