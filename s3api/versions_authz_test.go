package s3api

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The policy actions of versions (user guide, "Policy actions for Amazon
// S3", object and bucket operations): GetObject or HeadObject with
// versionId needs s3:GetObjectVersion, DeleteObject with versionId
// s3:DeleteObjectVersion, ListObjectVersions s3:ListBucketVersions;
// s3:GetObject, s3:DeleteObject and s3:ListBucket grant none of them.
// PutBucketVersioning (s3:PutBucketVersioning) is bucket configuration,
// the owner's alone here whatever a policy grants (auth/policy ownerOnly).
func TestVersionPolicyActions(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	ctx := context.Background()
	alice, bob := g.client(), g.clientAs(bobAccessKey, bobSecretKey)
	g.mustCreateBucket(t, "vpol")
	putVersioning(t, alice, "vpol", s3types.BucketVersioningStatusEnabled)
	v1 := putVersion(t, alice, "vpol", "k", "one")
	putVersion(t, alice, "vpol", "k", "two")

	setPolicy := func(actions string) {
		t.Helper()
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":[` + actions +
			`],"Resource":["arn:aws:s3:::vpol","arn:aws:s3:::vpol/*"]}]}`
		if _, err := alice.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("vpol"), Policy: aws.String(doc)}); err != nil {
			t.Fatalf("PutBucketPolicy: %v", err)
		}
	}
	getV1 := func() error {
		_, err := bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vpol"), Key: aws.String("k"), VersionId: aws.String(v1)})
		return err
	}
	headV1 := func() error {
		_, err := bob.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vpol"), Key: aws.String("k"), VersionId: aws.String(v1)})
		return err
	}
	listVersions := func() error {
		_, err := bob.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vpol")})
		return err
	}
	putVersioningAsBob := func() error {
		_, err := bob.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vpol"),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
		return err
	}

	setPolicy(`"s3:GetObject","s3:ListBucket","s3:DeleteObject"`)
	if _, err := bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vpol"), Key: aws.String("k")}); err != nil {
		t.Fatalf("s3:GetObject does not read the current version: %v", err)
	}
	expectAPIError(t, getV1(), "AccessDenied", 403)
	if err := headV1(); err == nil {
		t.Error("s3:GetObject granted HEAD of a version")
	}
	expectAPIError(t, listVersions(), "AccessDenied", 403)
	expectAPIError(t, putVersioningAsBob(), "AccessDenied", 403)
	_, err := bob.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vpol"), Key: aws.String("k"), VersionId: aws.String(v1)})
	expectAPIError(t, err, "AccessDenied", 403)
	out, err := bob.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("vpol"), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("k"), VersionId: aws.String(v1)}}}})
	if err != nil || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects of a version with s3:DeleteObject: %+v %v", out, err)
	}

	setPolicy(`"s3:GetObjectVersion","s3:ListBucketVersions","s3:DeleteObjectVersion","s3:PutBucketVersioning"`)
	if err := getV1(); err != nil {
		t.Errorf("s3:GetObjectVersion: %v", err)
	}
	if err := headV1(); err != nil {
		t.Errorf("s3:GetObjectVersion (HEAD): %v", err)
	}
	if err := listVersions(); err != nil {
		t.Errorf("s3:ListBucketVersions: %v", err)
	}
	// Bucket configuration stays the owner's here whatever a policy grants
	// (auth/policy ownerOnly), s3:PutBucketVersioning included.
	expectAPIError(t, putVersioningAsBob(), "AccessDenied", 403)
	if _, err := bob.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vpol"), Key: aws.String("k"), VersionId: aws.String(v1)}); err != nil {
		t.Errorf("s3:DeleteObjectVersion: %v", err)
	}
}
