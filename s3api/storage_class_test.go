package s3api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestStorageClasses: every class of API_PutObject's StorageClass enum a
// general purpose bucket takes is recorded and reported: x-amz-storage-class
// on GET and HEAD for all but STANDARD (API_HeadObject: "Amazon S3 returns
// this header for all objects except for S3 Standard storage class
// objects"), StorageClass in ListObjects, ListObjectsV2, ListObjectVersions
// and GetObjectAttributes. The classes of other kinds of bucket and unknown
// names are InvalidStorageClass "The storage class you specified is not
// valid" (ErrorResponses).
func TestStorageClasses(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "classes")
	classes := []types.StorageClass{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"}
	// GLACIER and DEEP_ARCHIVE are in the listing too; their reads are
	// TestArchivedObjectsAndRestore's.
	for _, class := range []types.StorageClass{"GLACIER", "DEEP_ARCHIVE"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("classes"), Key: aws.String("obj-" + string(class)), Body: strings.NewReader("x"), StorageClass: class}); err != nil {
			t.Fatalf("PutObject %s: %v", class, err)
		}
	}
	for _, class := range classes {
		key := "obj-" + string(class)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("classes"), Key: aws.String(key), Body: strings.NewReader("x"), StorageClass: class}); err != nil {
			t.Fatalf("PutObject %s: %v", class, err)
		}
		resp, _ := do(t, g.signedRequest(t, http.MethodHead, "/classes/"+key, nil, testSecretKey))
		got, sent := resp.Header["X-Amz-Storage-Class"]
		if class == "STANDARD" && sent {
			t.Errorf("HEAD of a STANDARD object names its class %q", got)
		}
		if class != "STANDARD" && (len(got) != 1 || got[0] != string(class)) {
			t.Errorf("HEAD of a %s object: x-amz-storage-class %q", class, got)
		}
		obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("classes"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		obj.Body.Close()
		if want := map[bool]types.StorageClass{true: "", false: class}[class == "STANDARD"]; obj.StorageClass != want {
			t.Errorf("GET of a %s object: StorageClass %q", class, obj.StorageClass)
		}
		attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("classes"), Key: aws.String(key),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesStorageClass}})
		if err != nil || attrs.StorageClass != class {
			t.Errorf("GetObjectAttributes of a %s object: %q %v", class, attrs.StorageClass, err)
		}
	}
	v2, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("classes")})
	if err != nil {
		t.Fatal(err)
	}
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("classes")})
	if err != nil {
		t.Fatal(err)
	}
	versions, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("classes")})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range v2.Contents {
		key := aws.ToString(o.Key)
		want := strings.TrimPrefix(key, "obj-")
		if string(o.StorageClass) != want || string(v1.Contents[i].StorageClass) != want || string(versions.Versions[i].StorageClass) != want {
			t.Errorf("%s listed as %q (V1 %q, versions %q)", key, o.StorageClass, v1.Contents[i].StorageClass, versions.Versions[i].StorageClass)
		}
	}

	for _, tc := range []struct {
		class, code string
		status      int
	}{
		{"EXPRESS_ONEZONE", "InvalidStorageClass", 400},
		{"OUTPOSTS", "InvalidStorageClass", 400},
		{"SNOW", "InvalidStorageClass", 400},
		{"FSX_OPENZFS", "InvalidStorageClass", 400},
		{"standard_ia", "InvalidStorageClass", 400},
	} {
		resp, e := sendWithHeaders(t, g.gateway, http.MethodPut, "/classes/refused", []byte("x"), map[string]string{"x-amz-storage-class": tc.class})
		if resp.StatusCode != tc.status || e.Code != tc.code {
			t.Errorf("%s: %d %s %q, want %d %s", tc.class, resp.StatusCode, e.Code, e.Message, tc.status, tc.code)
		}
		if tc.code == "InvalidStorageClass" && e.Message != "The storage class you specified is not valid" {
			t.Errorf("%s: message %q", tc.class, e.Message)
		}
	}
	if g.objectExists(t, "classes", "refused") {
		t.Fatal("a refused storage class stored the object")
	}
}

// TestStorageClassOnMultipartAndCopy: CreateMultipartUpload's class is the
// upload's in ListParts and ListMultipartUploads and the completed
// object's; a copy is STANDARD unless it names a class (API_CopyObject:
// x-amz-storage-class); a copy in place may change only the class, which
// keeps the bytes, ETag, metadata and tags (copySelfMessage lists the
// storage class among what such a copy may change).
func TestStorageClassOnMultipartAndCopy(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "mpclass")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpclass"), Key: aws.String("mp"), StorageClass: types.StorageClassOnezoneIa})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpclass"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpclass"), Key: aws.String("mp"), UploadId: up.UploadId})
	if err != nil || parts.StorageClass != types.StorageClassOnezoneIa {
		t.Errorf("ListParts StorageClass %q %v", parts.StorageClass, err)
	}
	uploads, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpclass")})
	if err != nil || len(uploads.Uploads) != 1 || uploads.Uploads[0].StorageClass != types.StorageClassOnezoneIa {
		t.Errorf("ListMultipartUploads %+v %v", uploads.Uploads, err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpclass"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	head := func(key string) *s3.HeadObjectOutput {
		t.Helper()
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpclass"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("HEAD %s: %v", key, err)
		}
		return out
	}
	if class := head("mp").StorageClass; class != types.StorageClassOnezoneIa {
		t.Errorf("completed upload's class %q", class)
	}

	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("mpclass"), Key: aws.String("copy"), CopySource: aws.String("mpclass/mp")}); err != nil {
		t.Fatal(err)
	}
	if class := head("copy").StorageClass; class != "" {
		t.Errorf("a copy naming no class is %q, want STANDARD", class)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("mpclass"), Key: aws.String("copy-ia"), CopySource: aws.String("mpclass/mp"),
		StorageClass: types.StorageClassStandardIa}); err != nil {
		t.Fatal(err)
	}
	if class := head("copy-ia").StorageClass; class != types.StorageClassStandardIa {
		t.Errorf("a copy to STANDARD_IA is %q", class)
	}

	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpclass"), Key: aws.String("inplace"), Body: strings.NewReader("x"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"m": "1"}, Tagging: aws.String("t=1")}); err != nil {
		t.Fatal(err)
	}
	before := head("inplace")
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("mpclass"), Key: aws.String("inplace"), CopySource: aws.String("mpclass/inplace"),
		StorageClass: types.StorageClassIntelligentTiering}); err != nil {
		t.Fatalf("copy in place changing the class: %v", err)
	}
	after := head("inplace")
	if after.StorageClass != types.StorageClassIntelligentTiering || aws.ToString(after.ETag) != aws.ToString(before.ETag) ||
		aws.ToString(after.ContentType) != "text/plain" || after.Metadata["m"] != "1" {
		t.Errorf("after the class change: %s %s %s %v", after.StorageClass, aws.ToString(after.ETag), aws.ToString(after.ContentType), after.Metadata)
	}
	if got := tagsOf(t, c, "mpclass", "inplace"); len(got) != 1 || got[0] != "t=1" {
		t.Errorf("tags after the class change: %q", got)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("mpclass"), Key: aws.String("inplace"), CopySource: aws.String("mpclass/inplace")})
	expectAPIError(t, err, "InvalidRequest", 400)
}

// TestArchivedObjectsAndRestore: a GLACIER or DEEP_ARCHIVE object answers
// HEAD but not GET, CopyObject or UploadPartCopy until restored: 403
// InvalidObjectState "The operation is not valid for the object's storage
// class" with a StorageClass element (API_GetObject: "you must first
// restore a copy using RestoreObject. Otherwise, this operation returns an
// InvalidObjectState error"). RestoreObject (API_RestoreObject) answers
// 202 Accepted for an object not restored and 200 OK for one already
// restored; the expiry is now plus Days rounded up to the next midnight
// UTC (user guide, "Restoring an archived object") and HEAD and GET then
// send x-amz-restore: ongoing-request="false", expiry-date="..."
// (API_HeadObject). RestoreObject of an object that is not archived is
// InvalidObjectState.
func TestArchivedObjectsAndRestore(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "arch")
	for _, class := range []types.StorageClass{"GLACIER", "DEEP_ARCHIVE"} {
		key := "cold-" + string(class)
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("arch"), Key: aws.String(key), Body: strings.NewReader("frozen"), StorageClass: class})
		if err != nil {
			t.Fatalf("PutObject %s: %v", class, err)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("arch"), Key: aws.String(key)})
		if err != nil || head.StorageClass != class || head.Restore != nil {
			t.Fatalf("HEAD of an archived object: %+v %v", head, err)
		}
		resp, body := do(t, g.signedRequest(t, http.MethodGet, "/arch/"+key, nil, testSecretKey))
		checkErrorXML(t, resp, body, 403, "InvalidObjectState")
		if want := "<Message>The operation is not valid for the object&#39;s storage class</Message>"; !strings.Contains(string(body), want) ||
			!strings.Contains(string(body), "<StorageClass>"+string(class)+"</StorageClass>") {
			t.Errorf("GET of an archived object: %s", body)
		}
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("arch"), Key: aws.String("copy"), CopySource: aws.String("arch/" + key)})
		expectAPIError(t, err, "InvalidObjectState", 403)
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("arch"), Key: aws.String("mp")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("arch"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("arch/" + key)})
		expectAPIError(t, err, "InvalidObjectState", 403)

		archived := head
		resp, body = do(t, g.signedRequest(t, http.MethodPost, "/arch/"+key+"?restore", []byte("<RestoreRequest><Days>2</Days></RestoreRequest>"), testSecretKey))
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("first RestoreObject: %d %s", resp.StatusCode, body)
		}
		resp, body = do(t, g.signedRequest(t, http.MethodPost, "/arch/"+key+"?restore", []byte("<RestoreRequest><Days>3</Days></RestoreRequest>"), testSecretKey))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("RestoreObject of a restored object: %d %s", resp.StatusCode, body)
		}
		// The SDK's own call, as a client renews a restore.
		if _, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String("arch"), Key: aws.String(key),
			RestoreRequest: &types.RestoreRequest{Days: aws.Int32(3), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}}}); err != nil {
			t.Fatalf("RestoreObject: %v", err)
		}
		want := restoreExpiry(time.Now(), 3).Format(http.TimeFormat)
		head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("arch"), Key: aws.String(key)})
		if err != nil || aws.ToString(head.Restore) != `ongoing-request="false", expiry-date="`+want+`"` {
			t.Fatalf("HEAD after restore: x-amz-restore %q %v, want expiry %s", aws.ToString(head.Restore), err, want)
		}
		if aws.ToString(head.ETag) != aws.ToString(put.ETag) || !aws.ToTime(head.LastModified).Equal(aws.ToTime(archived.LastModified)) {
			t.Errorf("restore changed the ETag or Last-Modified: %s %v", aws.ToString(head.ETag), head.LastModified)
		}
		if got := string(g.getBytes(t, "arch", key)); got != "frozen" {
			t.Errorf("GET after restore: %q", got)
		}
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("arch"), Key: aws.String("thawed"), CopySource: aws.String("arch/" + key)}); err != nil {
			t.Errorf("copy of a restored object: %v", err)
		}
	}
	g.mustPut(t, "arch", "warm", "x")
	// moto, AWS's mock, answers this with the StorageClass element.
	resp, body := do(t, g.signedRequest(t, http.MethodPost, "/arch/warm?restore", []byte("<RestoreRequest><Days>1</Days></RestoreRequest>"), testSecretKey))
	checkErrorXML(t, resp, body, 403, "InvalidObjectState")
	if !strings.Contains(string(body), "<StorageClass>STANDARD</StorageClass>") {
		t.Errorf("RestoreObject of a STANDARD object: %s", body)
	}
	resp, body = do(t, g.signedRequest(t, http.MethodPost, "/arch/missing?restore", []byte("<RestoreRequest><Days>1</Days></RestoreRequest>"), testSecretKey))
	checkErrorXML(t, resp, body, 404, "NoSuchKey")
	resp, body = do(t, g.signedRequest(t, http.MethodPost, "/arch/cold-GLACIER?restore", []byte("<RestoreRequest><Days>0</Days></RestoreRequest>"), testSecretKey))
	checkErrorXML(t, resp, body, 400, "MalformedXML")
}

// TestRestoreExpiry: now plus Days, rounded up to the next midnight UTC.
func TestRestoreExpiry(t *testing.T) {
	at := time.Date(2012, 12, 18, 10, 30, 0, 0, time.UTC)
	if got, want := restoreExpiry(at, 3), time.Date(2012, 12, 22, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("restoreExpiry = %v, want %v", got, want)
	}
}
