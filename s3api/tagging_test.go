package s3api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func tagsOf(t *testing.T, c *s3.Client, bucket, key string) []string {
	t.Helper()
	out, err := c.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObjectTagging %s: %v", key, err)
	}
	var got []string
	for _, tag := range out.TagSet {
		got = append(got, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
	}
	return got
}

func sdkTagging(pairs ...string) *types.Tagging {
	var set []types.Tag
	for i := 0; i+1 < len(pairs); i += 2 {
		set = append(set, types.Tag{Key: aws.String(pairs[i]), Value: aws.String(pairs[i+1])})
	}
	return &types.Tagging{TagSet: set}
}

// TestObjectTagging: Put/Get/DeleteObjectTagging (API_PutObjectTagging,
// API_GetObjectTagging, API_DeleteObjectTagging) replace, return and remove
// an object's tag set without touching its ETag or Last-Modified; an
// untagged object has an empty TagSet (ceph/s3-tests test_put_delete_tags);
// x-amz-tagging on PutObject sets it, URL-encoded, returned in key order
// (API_PutObject; s3-tests test_put_obj_with_tags); GetObject and
// HeadObject answer x-amz-tagging-count (API_GetObject; s3-tests
// test_get_obj_head_tagging); an overwrite replaces the tags with its own.
func TestObjectTagging(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "tags")

	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Body: strings.NewReader("body"), Tagging: aws.String("project=tern%20gate&empty&a=1")})
	if err != nil {
		t.Fatalf("PutObject with tags: %v", err)
	}
	if got := tagsOf(t, c, "tags", "k"); !slices.Equal(got, []string{"a=1", "empty=", "project=tern gate"}) {
		t.Fatalf("tags after PutObject: %q", got)
	}
	before, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	obj.Body.Close()
	if aws.ToInt32(obj.TagCount) != 3 {
		t.Errorf("GetObject TagCount = %d, want 3", aws.ToInt32(obj.TagCount))
	}
	resp, _ := do(t, g.signedRequest(t, http.MethodHead, "/tags/k", nil, testSecretKey))
	if n := resp.Header.Get("x-amz-tagging-count"); n != "3" {
		t.Errorf("HEAD x-amz-tagging-count = %q, want 3", n)
	}

	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Tagging: sdkTagging("colour", "blue", "size", "")}); err != nil {
		t.Fatalf("PutObjectTagging: %v", err)
	}
	if got := tagsOf(t, c, "tags", "k"); !slices.Equal(got, []string{"colour=blue", "size="}) {
		t.Fatalf("tags after PutObjectTagging: %q", got)
	}
	after, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(after.ETag) != aws.ToString(before.ETag) || !aws.ToTime(after.LastModified).Equal(aws.ToTime(before.LastModified)) {
		t.Errorf("tagging changed ETag/Last-Modified: %s %v -> %s %v", aws.ToString(before.ETag), before.LastModified, aws.ToString(after.ETag), after.LastModified)
	}

	del, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("DeleteObjectTagging: %v", err)
	}
	_ = del
	if got := tagsOf(t, c, "tags", "k"); len(got) != 0 {
		t.Fatalf("tags after DeleteObjectTagging: %q", got)
	}
	resp, _ = do(t, g.signedRequest(t, http.MethodGet, "/tags/k", nil, testSecretKey))
	if _, ok := resp.Header["X-Amz-Tagging-Count"]; ok {
		t.Error("an untagged object answers x-amz-tagging-count")
	}
	resp, body := do(t, g.signedRequest(t, http.MethodGet, "/tags/k?tagging", nil, testSecretKey))
	if want := `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet></TagSet></Tagging>`; !strings.Contains(string(body), want) {
		t.Errorf("empty tag set document: %s", body)
	}

	// An overwrite brings its own tags (none), not the old object's.
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: sdkTagging("x", "y")}); err != nil {
		t.Fatal(err)
	}
	g.mustPut(t, "tags", "k", "new body")
	if got := tagsOf(t, c, "tags", "k"); len(got) != 0 {
		t.Fatalf("an overwrite kept the old tags: %q", got)
	}

	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing")})
	expectAPIError(t, err, "NoSuchKey", 404)
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing"), Tagging: sdkTagging("a", "b")})
	expectAPIError(t, err, "NoSuchKey", 404)
}

// TestObjectTaggingLimits: S3's limits on a tag set, with its codes and
// texts. Limits: "Categorizing your storage using tags" (10 tags, unique
// keys, key <= 128 and value <= 256 Unicode characters counted in UTF-16,
// letters, numbers, white space and _ . : / = + @ -); "aws:" is the
// reserved prefix (Billing user guide, user-defined tags). Texts: more than
// 10 tags is BadRequest "Object tags cannot be greater than 10" (seen from
// S3 in hashicorp/terraform-provider-aws#19895 and #41747); a bad key is
// InvalidTag "The TagKey you have provided is invalid" and a header that
// is no URL query InvalidArgument naming x-amz-tagging (aws/aws-cli#2841).
func TestObjectTaggingLimits(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "lim")
	g.mustPut(t, "lim", "k", "x")

	eleven := make([]string, 0, 22)
	for i := range 11 {
		eleven = append(eleven, "k"+strings.Repeat("x", i), "v")
	}
	cases := []struct {
		name    string
		tagging *types.Tagging
		code    string
		message string
	}{
		{"11 tags", sdkTagging(eleven...), "BadRequest", "Object tags cannot be greater than 10"},
		{"long key", sdkTagging(strings.Repeat("k", 129), "v"), "InvalidTag", "The TagKey you have provided is too long, max 128"},
		// U+1D400, a letter, is two UTF-16 code units: 65 of them are 130.
		{"long key in UTF-16", sdkTagging(strings.Repeat("\U0001D400", 65), "v"), "InvalidTag", "The TagKey you have provided is too long, max 128"},
		{"emoji", sdkTagging("k", "\U0001F600"), "InvalidTag", "The TagValue you have provided is invalid"},
		{"long value", sdkTagging("k", strings.Repeat("v", 257)), "InvalidTag", "The TagValue you have provided is too long, max 256"},
		{"empty key", sdkTagging("", "v"), "InvalidTag", "The TagKey you have provided is invalid"},
		{"bad key character", sdkTagging("a*b", "v"), "InvalidTag", "The TagKey you have provided is invalid"},
		{"bad value character", sdkTagging("k", "a{b}"), "InvalidTag", "The TagValue you have provided is invalid"},
		{"duplicate key", sdkTagging("k", "1", "k", "2"), "InvalidTag", "Cannot provide multiple Tags with the same key"},
		{"reserved prefix", sdkTagging("aws:owner", "me"), "InvalidTag", "Your TagKey cannot be prefixed with aws:"},
	}
	for _, tc := range cases {
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("lim"), Key: aws.String("k"), Tagging: tc.tagging})
		code, status := apiErrorCode(t, err)
		if code != tc.code || status != 400 || !strings.Contains(err.Error(), tc.message) {
			t.Errorf("%s: %s/%d %v, want %s/400 %q", tc.name, code, status, err, tc.code, tc.message)
		}
	}
	ten := make([]string, 0, 20)
	for i := range 10 {
		ten = append(ten, strings.Repeat("k", 119)+strings.Repeat("é", i), strings.Repeat("v", 256))
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("lim"), Key: aws.String("k"), Tagging: sdkTagging(ten...)}); err != nil {
		t.Fatalf("10 tags at the limits: %v", err)
	}

	for _, tc := range []struct{ header, code string }{
		{"a=1&a=2", "InvalidArgument"},
		{"a=b=c", "InvalidArgument"},
		{"a=%zz", "InvalidArgument"},
		{"TagSet%3D%5B%7BKey%3Dstring%2CValue%3Dstring%7D%5D", "InvalidTag"},
	} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lim"), Key: aws.String("h"), Body: strings.NewReader("x"), Tagging: aws.String(tc.header)})
		expectAPIError(t, err, tc.code, 400)
		if g.objectExists(t, "lim", "h") {
			t.Fatalf("x-amz-tagging %q refused, yet the object was stored", tc.header)
		}
	}

	for _, doc := range []string{"<Tagging/>", "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>", "<Tagging><TagSet>"} {
		resp, body := do(t, g.signedRequest(t, http.MethodPut, "/lim/k?tagging", []byte(doc), testSecretKey))
		checkErrorXML(t, resp, body, 400, "MalformedXML")
	}
}

// TestObjectTaggingOnCopyAndMultipart: CopyObject copies the source's tags
// under x-amz-tagging-directive COPY, the default, and takes x-amz-tagging
// under REPLACE (API_CopyObject); CreateMultipartUpload's x-amz-tagging
// becomes the completed object's (API_CreateMultipartUpload).
func TestObjectTaggingOnCopyAndMultipart(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "cpt")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cpt"), Key: aws.String("src"), Body: strings.NewReader("x"), Tagging: aws.String("a=1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpt"), Key: aws.String("copied"), CopySource: aws.String("cpt/src")}); err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(t, c, "cpt", "copied"); !slices.Equal(got, []string{"a=1"}) {
		t.Errorf("COPY directive: %q", got)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpt"), Key: aws.String("replaced"), CopySource: aws.String("cpt/src"),
		TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("b=2")}); err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(t, c, "cpt", "replaced"); !slices.Equal(got, []string{"b=2"}) {
		t.Errorf("REPLACE directive: %q", got)
	}
	// A metadata REPLACE copy onto itself keeps the tags under COPY.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpt"), Key: aws.String("src"), CopySource: aws.String("cpt/src"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/plain")}); err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(t, c, "cpt", "src"); !slices.Equal(got, []string{"a=1"}) {
		t.Errorf("copy in place: %q", got)
	}

	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cpt"), Key: aws.String("mp"), Tagging: aws.String("m=p&n=q")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cpt"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("cpt"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(t, c, "cpt", "mp"); !slices.Equal(got, []string{"m=p", "n=q"}) {
		t.Errorf("multipart: %q", got)
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cpt"), Key: aws.String("mp2"), Tagging: aws.String("aws:x=1")})
	expectAPIError(t, err, "InvalidTag", 400)
}

// TestObjectTaggingPolicyActions: the tagging operations are granted by
// s3:GetObjectTagging, s3:PutObjectTagging and s3:DeleteObjectTagging, not
// by s3:GetObject or s3:PutObject; a PutObject that tags needs
// s3:PutObjectTagging as well ("To use tagging with PutObject, you must
// have the s3:PutObjectTagging permission", API_PutObject). Conditions
// on tags are TestPolicyConditionExistingObjectTag's; PutBucketPolicy
// refuses s3:RequestObjectTag, which the engine does not evaluate.
func TestObjectTaggingPolicyActions(t *testing.T) {
	g := startGatewayWith(t, Config{Users: twoUsers{}}, twoUsers{})
	ctx := context.Background()
	alice, bob := g.client(), g.clientAs(bobAccessKey, bobSecretKey)
	g.mustCreateBucket(t, "alice-tags")
	g.mustPut(t, "alice-tags", "k", "x")
	grant := func(actions string) {
		t.Helper()
		policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":[` + actions +
			`],"Resource":"arn:aws:s3:::alice-tags/*"}]}`
		if _, err := alice.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("alice-tags"), Policy: aws.String(policy)}); err != nil {
			t.Fatalf("PutBucketPolicy: %v", err)
		}
	}
	putTags := func() error {
		_, err := bob.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("alice-tags"), Key: aws.String("k"), Tagging: sdkTagging("a", "b")})
		return err
	}
	taggedPut := func() error {
		_, err := bob.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-tags"), Key: aws.String("t"), Body: strings.NewReader("x"), Tagging: aws.String("a=b")})
		return err
	}

	grant(`"s3:GetObject","s3:PutObject"`)
	expectAPIError(t, putTags(), "AccessDenied", 403)
	_, err := bob.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("alice-tags"), Key: aws.String("k")})
	expectAPIError(t, err, "AccessDenied", 403)
	expectAPIError(t, taggedPut(), "AccessDenied", 403)
	if g.objectExists(t, "alice-tags", "t") {
		t.Fatal("a refused tagged PutObject stored the object")
	}

	grant(`"s3:PutObject","s3:PutObjectTagging","s3:GetObjectTagging"`)
	if err := putTags(); err != nil {
		t.Fatalf("PutObjectTagging with the grant: %v", err)
	}
	if err := taggedPut(); err != nil {
		t.Fatalf("tagged PutObject with the grant: %v", err)
	}
	if got := tagsOf(t, bob, "alice-tags", "k"); !slices.Equal(got, []string{"a=b"}) {
		t.Errorf("tags %q", got)
	}
	_, err = bob.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("alice-tags"), Key: aws.String("k")})
	expectAPIError(t, err, "AccessDenied", 403)
	grant(`"s3:DeleteObjectTagging"`)
	if _, err := bob.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("alice-tags"), Key: aws.String("k")}); err != nil {
		t.Fatalf("DeleteObjectTagging with the grant: %v", err)
	}
}

// TestBucketTagging: Put/Get/DeleteBucketTagging (API_PutBucketTagging
// answers 204; GetBucketTagging of a bucket without tags is 404
// NoSuchTagSet "The TagSet does not exist", API_GetBucketTagging and
// ceph/s3-tests test_set_bucket_tagging); up to 50 tags a bucket ("Using
// cost allocation S3 bucket tags"); CreateBucketConfiguration's Tags tag
// the new bucket (API_CreateBucket).
func TestBucketTagging(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "btags")
	_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("btags")})
	expectAPIError(t, err, "NoSuchTagSet", 404)

	fifty := make([]string, 0, 100)
	for i := range 50 {
		fifty = append(fifty, "key"+strings.Repeat("k", i), "v")
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("btags"), Tagging: sdkTagging(fifty...)}); err != nil {
		t.Fatalf("PutBucketTagging with 50 tags: %v", err)
	}
	got, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("btags")})
	if err != nil || len(got.TagSet) != 50 || aws.ToString(got.TagSet[0].Key) != "key" {
		t.Fatalf("GetBucketTagging: %+v %v", got, err)
	}
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("btags"), Tagging: sdkTagging(append(fifty, "one-more", "v")...)})
	expectAPIError(t, err, "InvalidTag", 400)
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("btags"), Tagging: sdkTagging("aws:cloudformation:stack-name", "x")})
	expectAPIError(t, err, "InvalidTag", 400)
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("btags"), Tagging: sdkTagging("d", "1", "d", "2")})
	expectAPIError(t, err, "InvalidTag", 400)
	if got, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("btags")}); err != nil || len(got.TagSet) != 50 {
		t.Fatalf("a refused PutBucketTagging changed the set: %+v %v", got, err)
	}

	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("btags")}); err != nil {
		t.Fatalf("DeleteBucketTagging: %v", err)
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("btags")})
	expectAPIError(t, err, "NoSuchTagSet", 404)

	resp, _ := do(t, g.signedRequest(t, http.MethodPut, "/btags?tagging",
		[]byte("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"), testSecretKey))
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("PutBucketTagging answered %d, want 204", resp.StatusCode)
	}

	body := `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Tags><Tag><Key>team</Key><Value>storage</Value></Tag></Tags></CreateBucketConfiguration>`
	resp, raw := do(t, g.signedRequest(t, http.MethodPut, "/born-tagged", []byte(body), testSecretKey))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateBucket with Tags: %d %s", resp.StatusCode, raw)
	}
	got, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("born-tagged")})
	if err != nil || len(got.TagSet) != 1 || aws.ToString(got.TagSet[0].Key) != "team" || aws.ToString(got.TagSet[0].Value) != "storage" {
		t.Fatalf("tags of the new bucket: %+v %v", got, err)
	}
	bad := `<CreateBucketConfiguration><Tags><Tag><Key>aws:x</Key><Value>y</Value></Tag></Tags></CreateBucketConfiguration>`
	resp, raw = do(t, g.signedRequest(t, http.MethodPut, "/born-bad", []byte(bad), testSecretKey))
	checkErrorXML(t, resp, raw, 400, "InvalidTag")
	if _, err := g.layer.HeadBucket(ctx, "born-bad"); err == nil {
		t.Error("a CreateBucket refused for its tags created the bucket")
	}
}
