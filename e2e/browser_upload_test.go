package e2e

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

// TestBoto3BrowserUploads runs testdata/boto3_browser_upload.py: CORS
// configuration through boto3 and forms built by generate_presigned_post.
func TestBoto3BrowserUploads(t *testing.T) {
	runBoto3Script(t, startGateway(t, newDataDir(t)), "testdata/boto3_browser_upload.py", "boto3-post")
}

// TestMinioPresignedPostPolicy uploads through the form minio-go's
// PresignedPostPolicy builds and reads the object back with minio-go.
func TestMinioPresignedPostPolicy(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	mc := g.minioClient(t)
	ctx := testContext(t, time.Minute)
	mustNoErr(t, mc.MakeBucket(ctx, "minio-post", minio.MakeBucketOptions{}), "MakeBucket")

	p := minio.NewPostPolicy()
	mustNoErr(t, p.SetBucket("minio-post"), "SetBucket")
	mustNoErr(t, p.SetKey("forms/data.bin"), "SetKey")
	mustNoErr(t, p.SetExpires(time.Now().Add(5*time.Minute)), "SetExpires")
	mustNoErr(t, p.SetContentType("application/octet-stream"), "SetContentType")
	mustNoErr(t, p.SetContentLengthRange(1, 8<<20), "SetContentLengthRange")
	mustNoErr(t, p.SetUserMetadata("source", "minio-go"), "SetUserMetadata")
	u, formData, err := mc.PresignedPostPolicy(ctx, p)
	mustNoErr(t, err, "PresignedPostPolicy")

	data := bytes.Repeat([]byte("0123456789abcdef"), 256<<10) // 4 MiB
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range formData {
		mustNoErr(t, w.WriteField(k, v), "form field")
	}
	fw, err := w.CreateFormFile("file", "data.bin")
	mustNoErr(t, err, "form file")
	fw.Write(data)
	mustNoErr(t, w.Close(), "form close")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), &body)
	mustNoErr(t, err, "new request")
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	mustNoErr(t, err, "POST")
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("ETag") == "" {
		t.Fatalf("POST: %d %s %v", resp.StatusCode, msg, resp.Header)
	}

	obj, err := mc.GetObject(ctx, "minio-post", "forms/data.bin", minio.GetObjectOptions{})
	mustNoErr(t, err, "GetObject")
	got, err := io.ReadAll(obj)
	mustNoErr(t, err, "reading the object")
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d", len(got), len(data))
	}
	st, err := obj.Stat()
	mustNoErr(t, err, "Stat")
	if st.UserMetadata["Source"] != "minio-go" || !strings.EqualFold(strings.Trim(resp.Header.Get("ETag"), `"`), st.ETag) {
		t.Fatalf("stored object %+v, POST ETag %s", st, resp.Header.Get("ETag"))
	}
}
