package e2e

import (
	"bytes"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"
	"github.com/minio/minio-go/v7"
)

// browserPage is served from a second origin: a script that uploads with
// fetch through a presigned PUT URL and reads the object back through a
// presigned GET URL, and an HTML form built from a presigned POST policy.
var browserPage = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>upload</title></head><body>
<script>
async function putAndGet(putURL, getURL, text) {
	const put = await fetch(putURL, {method: "PUT", body: text});
	if (!put.ok) { return "PUT " + put.status + " " + await put.text(); }
	const etag = put.headers.get("ETag");
	const get = await fetch(getURL);
	if (!get.ok) { return "GET " + get.status + " " + await get.text(); }
	return (await get.text()) + "|" + (etag ? "etag" : "no etag");
}
</script>
<form id="upload" action="{{.Action}}" method="post" enctype="multipart/form-data">
{{range $name, $value := .Fields}}<input type="hidden" name="{{$name}}" value="{{$value}}">
{{end}}<input type="file" name="file">
<input type="submit" id="send" value="Upload">
</form>
</body></html>`))

// findChromium returns Debian's chromium: the test needs a real browser
// and fails, rather than skips, without one.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Fatal("chromium is needed on PATH for the browser tests: apt-get install chromium")
	return ""
}

// TestBrowserUploadsInChromium drives headless Chromium on a page from
// another origin than the gateway's: (1) fetch PUTs through a presigned URL
// (a CORS preflight, then the upload) and reads the object back through a
// presigned GET; (2) a real form submission, built from minio-go's
// presigned POST policy, uploads a file and is redirected back to the page's
// origin. The objects' bytes are then checked through the SDK.
func TestBrowserUploadsInChromium(t *testing.T) {
	chromium := findChromium(t)
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, 3*time.Minute)
	c := g.sdkClient()
	const bucket = "browser"
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err, "CreateBucket")

	done := make(chan url.Values, 1)
	var page struct {
		Action string
		Fields map[string]string
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := browserPage.Execute(w, page); err != nil {
			t.Errorf("rendering the page: %v", err)
		}
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) {
		select {
		case done <- r.URL.Query():
		default:
		}
		io.WriteString(w, `<!doctype html><p id="done">uploaded</p>`)
	})
	site := httptest.NewServer(mux)
	defer site.Close()

	// The page's origin differs from the gateway's by its port.
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{
			AllowedOrigins: []string{site.URL},
			AllowedMethods: []string{"GET", "PUT", "POST"},
			AllowedHeaders: []string{"*"},
			ExposeHeaders:  []string{"ETag"},
			MaxAgeSeconds:  aws.Int32(60),
		}},
	}})
	mustNoErr(t, err, "PutBucketCors")

	presigner := s3.NewPresignClient(c)
	put, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("fetched.txt")})
	mustNoErr(t, err, "PresignPutObject")
	get, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("fetched.txt")})
	mustNoErr(t, err, "PresignGetObject")

	policy := minio.NewPostPolicy()
	mustNoErr(t, policy.SetBucket(bucket), "SetBucket")
	mustNoErr(t, policy.SetKeyStartsWith("forms/"), "SetKeyStartsWith")
	mustNoErr(t, policy.SetExpires(time.Now().Add(5*time.Minute)), "SetExpires")
	mustNoErr(t, policy.SetContentLengthRange(1, 1<<20), "SetContentLengthRange")
	mustNoErr(t, policy.SetSuccessActionRedirect(site.URL+"/done"), "SetSuccessActionRedirect")
	postURL, fields, err := g.minioClient(t).PresignedPostPolicy(ctx, policy)
	mustNoErr(t, err, "PresignedPostPolicy")
	fields["key"] = "forms/${filename}"
	page.Action, page.Fields = postURL.String(), fields

	upload := filepath.Join(t.TempDir(), "form-upload.bin")
	formData := bytes.Repeat([]byte("posted from a browser form\n"), 2000)
	mustNoErr(t, os.WriteFile(upload, formData, 0o644), "writing the upload file")

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Flag("headless", true),
		chromedp.Flag("disable-dev-shm-usage", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()

	const fetched = "uploaded by fetch through a presigned PUT"
	mustNoErr(t, chromedp.Do(browser, chromedp.Navigate(site.URL+"/")), "opening the page")
	result, err := chromedp.Run(browser, chromedp.Evaluate[string](
		`putAndGet(`+jsString(put.URL)+`, `+jsString(get.URL)+`, `+jsString(fetched)+`)`,
		chromedp.EvalAwaitPromise))
	mustNoErr(t, err, "fetch upload in Chromium")
	if result != fetched+"|etag" {
		t.Fatalf("fetch through presigned URLs in Chromium returned %q", result)
	}

	err = chromedp.Do(browser,
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{upload}),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	mustNoErr(t, err, "form upload in Chromium")
	var q url.Values
	select {
	case q = <-done:
	case <-ctx.Done():
		t.Fatal("the form upload never redirected back")
	}
	if q.Get("bucket") != bucket || q.Get("key") != "forms/form-upload.bin" || q.Get("etag") == "" {
		t.Fatalf("redirected with %v", q)
	}

	for key, want := range map[string][]byte{"fetched.txt": []byte(fetched), "forms/form-upload.bin": formData} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		mustNoErr(t, err, "GetObject %s", key)
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		mustNoErr(t, err, "reading %s", key)
		if !bytes.Equal(got, want) {
			t.Errorf("%s holds %d bytes %.40q, want %d bytes", key, len(got), got, len(want))
		}
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + template.JSEscapeString(s) + `"`
}
