package s3api

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Sources for the answers below:
//   - API_PutBucketVersioning, API_GetBucketVersioning: Status is Enabled
//     or Suspended; a bucket never versioned answers an empty
//     VersioningConfiguration; user guide "Versioning": a bucket "can never
//     return to an unversioned state".
//   - API_GetObject, API_HeadObject: x-amz-version-id; a current delete
//     marker answers 404 with x-amz-delete-marker: true; a delete marker
//     named by versionId answers 405 with Last-Modified.
//   - API_DeleteObject, user guide "Working with delete markers": a delete
//     without version makes a marker (x-amz-delete-marker,
//     x-amz-version-id); deleting the marker by version brings the object
//     back.
//   - API_DeleteObjects (DeletedObject: DeleteMarker, DeleteMarkerVersionId).
//   - API_CopyObject: x-amz-copy-source "?versionId=", answered in
//     x-amz-copy-source-version-id.

// putVersioning sets a bucket's versioning status through the SDK.
func putVersioning(t *testing.T, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	_, err := c.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status},
	})
	if err != nil {
		t.Fatalf("PutBucketVersioning %s: %v", status, err)
	}
}

func putVersion(t *testing.T, c *s3.Client, bucket, key, body string) string {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
	return aws.ToString(out.VersionId)
}

func getVersionBody(t *testing.T, c *s3.Client, bucket, key, version string) (string, string) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := c.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("GetObject %s@%s: %v", key, version, err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b), aws.ToString(out.VersionId)
}

// TestBucketVersioningConfiguration: API_PutBucketVersioning and
// API_GetBucketVersioning (see the sources above).
func TestBucketVersioningConfiguration(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "vconf")

	got, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("vconf")})
	if err != nil || got.Status != "" || got.MFADelete != "" {
		t.Fatalf("never versioned: %+v %v", got, err)
	}
	putVersioning(t, c, "vconf", types.BucketVersioningStatusEnabled)
	if got, _ = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("vconf")}); got.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("status = %q, want Enabled", got.Status)
	}
	putVersioning(t, c, "vconf", types.BucketVersioningStatusSuspended)
	if got, _ = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("vconf")}); got.Status != types.BucketVersioningStatusSuspended {
		t.Fatalf("status = %q, want Suspended", got.Status)
	}

	const ns = `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`
	cases := []struct {
		name, body, code string
		status           int
	}{
		{"Unversioned is no status", `<VersioningConfiguration ` + ns + `><Status>Unversioned</Status></VersioningConfiguration>`, "MalformedXML", 400},
		{"unknown status", `<VersioningConfiguration ` + ns + `><Status>On</Status></VersioningConfiguration>`, "MalformedXML", 400},
		{"not XML", `Enabled`, "MalformedXML", 400},
		{"MFA Delete", `<VersioningConfiguration ` + ns + `><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>`, "NotImplemented", 501},
		{"MFA Delete value", `<VersioningConfiguration ` + ns + `><Status>Enabled</Status><MfaDelete>Maybe</MfaDelete></VersioningConfiguration>`, "MalformedXML", 400},
	}
	for _, tc := range cases {
		resp, e := sendWithHeaders(t, g, http.MethodPut, "/vconf?versioning", []byte(tc.body), nil)
		if resp.StatusCode != tc.status || e.Code != tc.code {
			t.Errorf("%s: %d %s (%s), want %d %s", tc.name, resp.StatusCode, e.Code, e.Message, tc.status, tc.code)
		}
	}
	// The x-amz-mfa header MFA Delete needs is refused as not implemented.
	resp, e := sendWithHeaders(t, g, http.MethodPut, "/vconf?versioning",
		[]byte(`<VersioningConfiguration `+ns+`><Status>Enabled</Status></VersioningConfiguration>`), map[string]string{"x-amz-mfa": "123456 654321"})
	if resp.StatusCode != 501 || e.Code != "NotImplemented" || e.Header != "x-amz-mfa" {
		t.Errorf("x-amz-mfa: %d %s %q", resp.StatusCode, e.Code, e.Header)
	}
	// Refusals changed nothing; MfaDelete Disabled asks for nothing.
	resp, e = sendWithHeaders(t, g, http.MethodPut, "/vconf?versioning",
		[]byte(`<VersioningConfiguration `+ns+`><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("Enabled with MfaDelete Disabled: %d %s", resp.StatusCode, e.Code)
	}
	if got, _ = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("vconf")}); got.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("status = %q, want Enabled", got.Status)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("nobucket"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	expectAPIError(t, err, "NoSuchBucket", 404)
}

// TestVersionsOverHTTP: versions by ID and their headers (API_GetObject,
// API_HeadObject), delete markers (API_DeleteObject, user guide "Working
// with delete markers"), copy from a version (API_CopyObject) and
// DeleteObjects with versions (API_DeleteObjects).
func TestVersionsOverHTTP(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "vbk")
	// Written before versioning: the null version.
	if v := putVersion(t, c, "vbk", "k", "zero"); v != "" {
		t.Fatalf("unversioned PUT answered version %q", v)
	}
	putVersioning(t, c, "vbk", types.BucketVersioningStatusEnabled)
	v1 := putVersion(t, c, "vbk", "k", "one")
	v2 := putVersion(t, c, "vbk", "k", "two")
	if v1 == "" || v2 == "" || v1 == v2 || v1 == "null" {
		t.Fatalf("version IDs %q %q", v1, v2)
	}
	for v, want := range map[string]string{"null": "zero", v1: "one", v2: "two", "": "two"} {
		body, id := getVersionBody(t, c, "vbk", "k", v)
		if body != want {
			t.Errorf("GET version %q = %q, want %q", v, body, want)
		}
		if wantID := map[string]string{"": v2}[v]; (v == "" && id != wantID) || (v != "" && id != v) {
			t.Errorf("GET version %q answered x-amz-version-id %q", v, id)
		}
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v1)})
	if err != nil || aws.ToString(head.VersionId) != v1 || aws.ToInt64(head.ContentLength) != 3 {
		t.Fatalf("HEAD v1: %+v %v", head, err)
	}
	// A conditional GET of a version is judged on that version.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v1), IfMatch: head.ETag})
	if err != nil {
		t.Fatalf("If-Match of v1's ETag on v1: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v2), IfMatch: head.ETag})
	expectAPIError(t, err, "PreconditionFailed", 412)

	// Bad version IDs.
	resp, e := sendWithHeaders(t, g, http.MethodGet, "/vbk/k?versionId=bogus", nil, nil)
	if resp.StatusCode != 400 || e.Code != "InvalidArgument" || e.Message != "Invalid version id specified" || e.ArgumentName != "versionId" || e.ArgumentValue != "bogus" {
		t.Errorf("bogus version: %d %+v", resp.StatusCode, e)
	}
	// An empty versionId: S3's answer recorded in aws/aws-sdk-core-ruby#76.
	resp, e = sendWithHeaders(t, g, http.MethodGet, "/vbk/k?versionId=", nil, nil)
	if resp.StatusCode != 400 || e.Code != "InvalidArgument" || e.Message != "Version id cannot be the empty string" || e.ArgumentName != "versionId" {
		t.Errorf("empty version: %d %+v", resp.StatusCode, e)
	}
	resp, raw := do(t, g.signedRequest(t, http.MethodGet, "/vbk/k?versionId=v00000000000fffff", nil, testSecretKey))
	var nsv struct{ Code, Key, VersionId string }
	_ = xml.Unmarshal(raw, &nsv)
	if resp.StatusCode != 404 || nsv.Code != "NoSuchVersion" || nsv.Key != "k" || nsv.VersionId != "v00000000000fffff" {
		t.Errorf("missing version: %d %s", resp.StatusCode, raw)
	}

	// Copy from a version; the copy is a new version.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vbk"), Key: aws.String("copy"), CopySource: aws.String("vbk/k?versionId=" + v1)})
	if err != nil || aws.ToString(cp.CopySourceVersionId) != v1 || aws.ToString(cp.VersionId) == "" {
		t.Fatalf("copy from v1: %+v %v", cp, err)
	}
	if body, _ := getVersionBody(t, c, "vbk", "copy", ""); body != "one" {
		t.Errorf("copy of v1 = %q", body)
	}
	// Restoring an older version by copying it onto its key.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), CopySource: aws.String("vbk/k?versionId=null")}); err != nil {
		t.Fatalf("copy null onto k: %v", err)
	}
	if body, _ := getVersionBody(t, c, "vbk", "k", ""); body != "zero" {
		t.Errorf("restored k = %q", body)
	}

	// DELETE without version makes a marker.
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k")})
	if err != nil || !aws.ToBool(del.DeleteMarker) || !strings.HasPrefix(aws.ToString(del.VersionId), "m") {
		t.Fatalf("delete: %+v %v", del, err)
	}
	marker := aws.ToString(del.VersionId)
	resp, _ = do(t, g.signedRequest(t, http.MethodGet, "/vbk/k", nil, testSecretKey))
	if resp.StatusCode != 404 || resp.Header.Get("x-amz-delete-marker") != "true" || resp.Header.Get("x-amz-version-id") != marker {
		t.Errorf("GET deleted key: %d %v", resp.StatusCode, resp.Header)
	}
	resp, raw = do(t, g.signedRequest(t, http.MethodGet, "/vbk/k?versionId="+marker, nil, testSecretKey))
	var mna struct{ Code, Method, ResourceType string }
	_ = xml.Unmarshal(raw, &mna)
	if resp.StatusCode != 405 || mna.Code != "MethodNotAllowed" || mna.Method != "GET" || mna.ResourceType != "DeleteMarker" ||
		resp.Header.Get("x-amz-delete-marker") != "true" || resp.Header.Get("Allow") != "DELETE" || resp.Header.Get("Last-Modified") == "" {
		t.Errorf("GET marker by version: %d %v %s", resp.StatusCode, resp.Header, raw)
	}
	resp, _ = do(t, g.signedRequest(t, http.MethodHead, "/vbk/k?versionId="+marker, nil, testSecretKey))
	if resp.StatusCode != 405 || resp.Header.Get("x-amz-delete-marker") != "true" {
		t.Errorf("HEAD marker by version: %d %v", resp.StatusCode, resp.Header)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vbk"), Key: aws.String("c2"), CopySource: aws.String("vbk/k?versionId=" + marker)})
	expectAPIError(t, err, "InvalidRequest", 400)

	// The listing: k's versions newest first, the marker latest.
	list, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vbk"), Prefix: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.DeleteMarkers) != 1 || aws.ToString(list.DeleteMarkers[0].VersionId) != marker || !aws.ToBool(list.DeleteMarkers[0].IsLatest) {
		t.Errorf("markers = %+v", list.DeleteMarkers)
	}
	var ids []string
	for _, v := range list.Versions {
		ids = append(ids, aws.ToString(v.VersionId))
		if aws.ToBool(v.IsLatest) {
			t.Errorf("version %s is latest under a marker", aws.ToString(v.VersionId))
		}
	}
	if len(ids) != 4 || ids[1] != v2 || ids[2] != v1 || ids[3] != "null" {
		t.Errorf("versions = %v", ids)
	}

	// Deleting the marker by version brings the object back.
	del, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(marker)})
	if err != nil || !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != marker {
		t.Fatalf("delete marker: %+v %v", del, err)
	}
	if body, _ := getVersionBody(t, c, "vbk", "k", ""); body != "zero" {
		t.Errorf("after the marker went: %q", body)
	}
	// Deleting a version that is not the latest leaves the latest.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v1)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v1)})
	expectAPIError(t, err, "NoSuchVersion", 404)
	// A conditional delete of a version is refused, not done unconditionally.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v2), IfMatch: aws.String(`"abc"`)})
	expectAPIError(t, err, "NotImplemented", 501)
	// A version that does not exist is deleted as done.
	del, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v1)})
	if err != nil || aws.ToString(del.VersionId) != v1 {
		t.Errorf("delete a gone version: %+v %v", del, err)
	}

	// DeleteObjects: versions by ID, and a key without one gets a marker.
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("vbk"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k"), VersionId: aws.String(v2)},
		{Key: aws.String("copy")},
		{Key: aws.String("k"), VersionId: aws.String("nope")},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 2 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "InvalidArgument" {
		t.Fatalf("DeleteObjects: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	for _, d := range out.Deleted {
		switch aws.ToString(d.Key) {
		case "k":
			if aws.ToString(d.VersionId) != v2 || aws.ToBool(d.DeleteMarker) {
				t.Errorf("k: %+v", d)
			}
		case "copy":
			if !aws.ToBool(d.DeleteMarker) || !strings.HasPrefix(aws.ToString(d.DeleteMarkerVersionId), "m") || d.VersionId != nil {
				t.Errorf("copy: %+v", d)
			}
		}
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vbk"), Key: aws.String("copy")})
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.Response.StatusCode != 404 || re.Response.Header.Get("x-amz-delete-marker") != "true" {
		t.Errorf("HEAD of a deleted key: %v", err)
	}
	// A versioned bucket cannot be deleted while versions remain.
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("vbk")})
	expectAPIError(t, err, "BucketNotEmpty", 409)
}

// Paging ListObjectVersions with key-marker and version-id-marker, with
// delimiter and url encoding (API_ListObjectVersions).
func TestListObjectVersionsPaging(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "vpage")
	putVersioning(t, c, "vpage", types.BucketVersioningStatusEnabled)
	want := map[string]int{}
	for _, k := range []string{"a", "b b", "dir/x", "dir/y", "z"} {
		for i := range 3 {
			putVersion(t, c, "vpage", k, k+string(rune('0'+i)))
			want[k]++
		}
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vpage"), Key: aws.String("z")}); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	markers := 0
	in := &s3.ListObjectVersionsInput{Bucket: aws.String("vpage"), MaxKeys: aws.Int32(2)}
	pages := 0
	for {
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, v := range out.Versions {
			got[aws.ToString(v.Key)]++
		}
		markers += len(out.DeleteMarkers)
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	if pages != 8 || markers != 1 {
		t.Errorf("pages %d markers %d", pages, markers)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d versions listed, want %d", k, got[k], n)
		}
	}
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vpage"), Delimiter: aws.String("/"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "dir/" || len(out.Versions) != 9 {
		t.Errorf("delimited: prefixes %+v, %d versions", out.CommonPrefixes, len(out.Versions))
	}
	resp, raw := do(t, g.signedRequest(t, http.MethodGet, "/vpage?encoding-type=url&prefix=b&versions=", nil, testSecretKey))
	if resp.StatusCode != 200 || !strings.Contains(string(raw), "<Key>b+b</Key>") && !strings.Contains(string(raw), "<Key>b%20b</Key>") {
		t.Errorf("url-encoded key: %s", raw)
	}
	// A DeleteMarker element has no ETag, Size or StorageClass, and comes
	// before the versions it hides (API_ListObjectVersions).
	resp, raw = do(t, g.signedRequest(t, http.MethodGet, "/vpage?prefix=z&versions=", nil, testSecretKey))
	body := string(raw)
	dm := strings.Index(body, "<DeleteMarker>")
	end := strings.Index(body, "</DeleteMarker>")
	if resp.StatusCode != 200 || dm < 0 || end < dm || strings.Contains(body[dm:end], "<ETag>") || strings.Contains(body[dm:end], "<Size>") ||
		strings.Index(body, "<Version>") < end || !strings.Contains(body[dm:end], "<IsLatest>true</IsLatest>") {
		t.Errorf("delete marker element: %s", raw)
	}
	resp, e := sendWithHeaders(t, g, http.MethodGet, "/vpage?versions&key-marker=a&version-id-marker=junk", nil, nil)
	if resp.StatusCode != 400 || e.Code != "InvalidArgument" || e.ArgumentName != "version-id-marker" {
		t.Errorf("bad version-id-marker: %d %+v", resp.StatusCode, e)
	}
}

// TestVersionedSubresourcesTakeOnlyTheCurrentVersion: tagging names a
// version with versionId (API_PutObjectTagging, API_GetObjectTagging);
// here those operations act on the current version only, so another
// version is refused, never served by the current one.
func TestVersionedSubresourcesTakeOnlyTheCurrentVersion(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "vsub")
	putVersioning(t, c, "vsub", types.BucketVersioningStatusEnabled)
	old := putVersion(t, c, "vsub", "k", "old")
	cur := putVersion(t, c, "vsub", "k", "current")
	if _, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("vsub"), Key: aws.String("k"), VersionId: aws.String(cur)}); err != nil {
		t.Errorf("tagging of the current version: %v", err)
	}
	_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("vsub"), Key: aws.String("k"), VersionId: aws.String(old),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}})
	expectAPIError(t, err, "NotImplemented", 501)
	got, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("vsub"), Key: aws.String("k")})
	if err != nil || len(got.TagSet) != 0 {
		t.Errorf("the current version's tags after a refused put on another: %+v %v", got, err)
	}
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("vsub"), Key: aws.String("k"), VersionId: aws.String("null")})
	expectAPIError(t, err, "NotImplemented", 501)
}

// TestVersionedCopyOntoItself: in a versioned bucket a copy of an object
// onto itself (REPLACE) makes a new version, as every write there does
// (API_CopyObject: x-amz-version-id is "the version ID of the newly created
// copy"); the version copied keeps its metadata.
func TestVersionedCopyOntoItself(t *testing.T) {
	g := startGateway(t, Config{})
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "vself")
	putVersioning(t, c, "vself", types.BucketVersioningStatusEnabled)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vself"), Key: aws.String("k"), Body: strings.NewReader("same bytes"), ContentType: aws.String("text/first")})
	if err != nil {
		t.Fatal(err)
	}
	first := aws.ToString(put.VersionId)
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vself"), Key: aws.String("k"), CopySource: aws.String("vself/k"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/changed")})
	if err != nil {
		t.Fatal(err)
	}
	second := aws.ToString(cp.VersionId)
	if second == "" || second == first || aws.ToString(cp.CopySourceVersionId) != first {
		t.Fatalf("copy onto itself: version %q from %q, first %q", second, aws.ToString(cp.CopySourceVersionId), first)
	}
	for v, want := range map[string]string{first: "text/first", second: "text/changed"} {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vself"), Key: aws.String("k"), VersionId: aws.String(v)})
		if err != nil || aws.ToString(head.ContentType) != want {
			t.Errorf("version %s: Content-Type %q (%v), want %q", v, aws.ToString(head.ContentType), err, want)
		}
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vself"), Key: aws.String("k"), CopySource: aws.String("vself/k")})
	expectAPIError(t, err, "InvalidRequest", 400)
}
