package s3api

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A bucket default of aws:kms (API_PutBucketEncryption,
// ServerSideEncryptionByDefault): writes naming no method are SSE-KMS
// under its KMSMasterKeyID (stored as given: "Amazon S3 doesn't validate
// the KMS key ID provided in PutBucketEncryption requests") with its
// BucketKeyEnabled, which a request's bucket key header overrides (UG
// "Configuring an S3 Bucket Key": "you can include the
// x-amz-server-side-encryption-bucket-key-enabled header with a true or
// false value in your request, to override the bucket setting"). A default
// naming an unknown key fails the writes with KMS.NotFoundException, as
// AWS's "Invalid keyId aws/s3" (aws/aws-cli#4507). aws:kms:dsse stays
// refused.
func TestSSEKMSBucketDefault(t *testing.T) {
	g, stop := startSSEGatewayIn(t, t.TempDir(), Config{KMS: testKMSRing(t, "k1", "k2")})
	defer stop()
	g.mustCreateBucket(t, "kmsdef")
	c := g.client()
	ctx := context.Background()
	setDefault := func(alg types.ServerSideEncryption, keyID string, bucketKey bool) error {
		d := &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}
		if keyID != "" {
			d.KMSMasterKeyID = aws.String(keyID)
		}
		_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("kmsdef"),
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: d, BucketKeyEnabled: aws.Bool(bucketKey)}}}})
		return err
	}
	expectAPIError(t, setDefault(types.ServerSideEncryptionAwsKmsDsse, "", false), "NotImplemented", 501)
	// Without a master key ring SSE-S3 stays refused even with a KMS.
	expectAPIError(t, setDefault(types.ServerSideEncryptionAes256, "", false), "NotImplemented", 501)
	if err := setDefault(types.ServerSideEncryptionAwsKms, "alias/k2", true); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("kmsdef")})
	if err != nil {
		t.Fatal(err)
	}
	rule := got.ServerSideEncryptionConfiguration.Rules[0]
	if rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms ||
		aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != "alias/k2" || !aws.ToBool(rule.BucketKeyEnabled) {
		t.Fatalf("GetBucketEncryption: %+v", rule)
	}

	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kmsdef"), Key: aws.String("o"), Body: strings.NewReader("by default")})
	if err != nil || put.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(put.SSEKMSKeyId) != ringARN("k2") || !aws.ToBool(put.BucketKeyEnabled) {
		t.Fatalf("PUT under an aws:kms default: %v %+v", err, put)
	}
	if _, data := getBody(t, c, "kmsdef", "o", ""); string(data) != "by default" {
		t.Fatalf("GET: %q", data)
	}
	put, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kmsdef"), Key: aws.String("nobk"), Body: strings.NewReader("x"), BucketKeyEnabled: aws.Bool(false)})
	if err != nil || put.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToBool(put.BucketKeyEnabled) {
		t.Fatalf("PUT overriding the bucket key: %v %+v", err, put)
	}
	// An explicit aws:kms with its own key wins over the default's key.
	put, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kmsdef"), Key: aws.String("k1"), Body: strings.NewReader("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("k1")})
	if err != nil || aws.ToString(put.SSEKMSKeyId) != ringARN("k1") {
		t.Fatalf("PUT naming its key: %v %+v", err, put)
	}
	// Multipart uploads are not encrypted yet: refused under the default.
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("kmsdef"), Key: aws.String("mp")})
	expectAPIError(t, err, "NotImplemented", 501)

	if err := setDefault(types.ServerSideEncryptionAwsKms, "aws/s3", false); err != nil {
		t.Fatal(err)
	}
	resp, e := sendWithHeaders(t, g, "PUT", "/kmsdef/bad", []byte("x"), nil)
	if resp.StatusCode != 400 || e.Code != "KMS.NotFoundException" || e.Message != "Invalid keyId 'aws/s3'" {
		t.Fatalf("PUT under a default naming no key: %d %+v", resp.StatusCode, e)
	}
	if g.objectExists(t, "kmsdef", "bad") {
		t.Fatal("the refused write stored the object")
	}
}

// CopyObject to and from SSE-KMS (API_CopyObject): an SSE-KMS source is
// read without any header; the copy is encrypted as the request asks,
// under the key it names, with only the context it gives ("The additional
// encryption context of the source object won't be copied to the
// destination object"); a copy onto itself may move it to another key.
func TestSSEKMSCopy(t *testing.T) {
	g, stop := startSSEGatewayIn(t, t.TempDir(), Config{KMS: testKMSRing(t, "k1", "k2"), MasterKeys: testKeyRing(t, "m1")})
	defer stop()
	g.mustCreateBucket(t, "kmscopy")
	c := g.client()
	ctx := context.Background()
	body := patterned(150 << 10)
	ec := kmsContextHeaderValue(map[string]string{"src": "yes"})
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kmscopy"), Key: aws.String("src"), Body: bytes.NewReader(body),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSEncryptionContext: aws.String(ec)}); err != nil {
		t.Fatal(err)
	}
	g.mustPut(t, "kmscopy", "plain", "plain bytes")

	check := func(key string, want []byte, wantSSE types.ServerSideEncryption, wantKey string) {
		t.Helper()
		out, data := getBody(t, c, "kmscopy", key, "")
		if !bytes.Equal(data, want) || out.ServerSideEncryption != wantSSE || aws.ToString(out.SSEKMSKeyId) != wantKey {
			t.Fatalf("%s: %d bytes, %q %q", key, len(data), out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId))
		}
	}
	// SSE-KMS -> plaintext.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("kmscopy"), Key: aws.String("to-plain"), CopySource: aws.String("kmscopy/src")}); err != nil {
		t.Fatal(err)
	}
	check("to-plain", body, "", "")
	// SSE-KMS -> SSE-S3.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("kmscopy"), Key: aws.String("to-s3"), CopySource: aws.String("kmscopy/src"), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatal(err)
	}
	check("to-s3", body, types.ServerSideEncryptionAes256, "")
	// Plaintext -> SSE-KMS under k2 with a new context.
	ec2 := kmsContextHeaderValue(map[string]string{"dst": "yes"})
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("kmscopy"), Key: aws.String("to-kms"), CopySource: aws.String("kmscopy/plain"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("k2"), SSEKMSEncryptionContext: aws.String(ec2)})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(cp.SSEKMSKeyId) != ringARN("k2") || aws.ToString(cp.SSEKMSEncryptionContext) != ec2 {
		t.Fatalf("copy to SSE-KMS: %v %+v", err, cp)
	}
	check("to-kms", []byte("plain bytes"), types.ServerSideEncryptionAwsKms, ringARN("k2"))
	// SSE-KMS onto itself under another key.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("kmscopy"), Key: aws.String("src"), CopySource: aws.String("kmscopy/src"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("k2")}); err != nil {
		t.Fatalf("copy onto itself to another key: %v", err)
	}
	check("src", body, types.ServerSideEncryptionAwsKms, ringARN("k2"))
	info, err := g.layer.Stat(ctx, "kmscopy", "src")
	if err != nil || info.Encryption == nil || info.Encryption.Context != "" {
		t.Fatalf("the copy kept the source's context: %+v %v", info.Encryption, err)
	}
}
