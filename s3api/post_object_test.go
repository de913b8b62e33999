package s3api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"

	"github.com/terngate/terngate/checksum"
)

// formField is one field of a POST form, in order.
type formField struct{ name, value string }

// sendPostForm sends fields then a file named filename holding data (file
// last, as RESTObjectPOST.html requires) to bucket, plus any fields after
// the file.
func sendPostForm(t *testing.T, endpoint, bucket string, fields []formField, filename string, data []byte, after ...formField) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range fields {
		if err := w.WriteField(f.name, f.value); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	for _, f := range after {
		w.WriteField(f.name, f.value)
	}
	w.Close()
	req, err := http.NewRequest(http.MethodPost, endpoint+"/"+bucket, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signedPolicy builds the SigV4 form fields for a policy with the given
// conditions (sigv4-HTTPPOSTConstructPolicy.html): the x-amz-* fields are
// added to the conditions and to the fields, the policy is signed with
// the test secret.
func signedPolicy(t *testing.T, expires time.Time, conditions []any, fields ...formField) []formField {
	t.Helper()
	now := time.Now().UTC()
	date := now.Format("20060102")
	cred := testAccessKey + "/" + date + "/" + testRegion + "/s3/aws4_request"
	amzDate := now.Format("20060102T150405Z")
	conditions = append(conditions,
		map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA256"},
		map[string]string{"x-amz-credential": cred},
		map[string]string{"x-amz-date": amzDate})
	doc, err := json.Marshal(map[string]any{"expiration": expires.UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": conditions})
	if err != nil {
		t.Fatal(err)
	}
	policy := base64.StdEncoding.EncodeToString(doc)
	mac := func(key []byte, s string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+testSecretKey), date), testRegion), "s3"), "aws4_request")
	return append(fields,
		formField{"x-amz-algorithm", "AWS4-HMAC-SHA256"},
		formField{"x-amz-credential", cred},
		formField{"x-amz-date", amzDate},
		formField{"policy", policy},
		formField{"x-amz-signature", hex.EncodeToString(mac(key, policy))})
}

// TestPostObjectWithMinioPresignedPostPolicy uploads through the form
// minio-go's PresignedPostPolicy produces and reads the object back.
func TestPostObjectWithMinioPresignedPostPolicy(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "forms")
	ctx := context.Background()
	mc := g.minioClient(t, false)
	p := minio.NewPostPolicy()
	p.SetBucket("forms")
	p.SetKey("photos/cat.jpg")
	p.SetExpires(time.Now().Add(10 * time.Minute))
	p.SetContentType("image/jpeg")
	p.SetContentLengthRange(1, 1<<20)
	p.SetUserMetadata("color", "tabby")
	p.SetSuccessStatusAction("201")
	data := bytes.Repeat([]byte("meow"), 5000)
	u, formData, err := mc.PresignedPostPolicy(ctx, p)
	if err != nil {
		t.Fatalf("PresignedPostPolicy: %v", err)
	}
	var fields []formField
	for k, v := range formData {
		fields = append(fields, formField{k, v})
	}
	resp, body := sendPostForm(t, u.Scheme+"://"+u.Host, "forms", fields, "cat.jpg", data)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "<Key>photos/cat.jpg</Key>") || !strings.Contains(body, "<Bucket>forms</Bucket>") {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("ETag") == "" || !strings.HasSuffix(resp.Header.Get("Location"), "/forms/photos%2Fcat.jpg") {
		t.Fatalf("POST headers: %v", resp.Header)
	}
	st, err := mc.StatObject(ctx, "forms", "photos/cat.jpg", minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("StatObject: %v", err)
	}
	if st.ContentType != "image/jpeg" || st.UserMetadata["Color"] != "tabby" || st.Size != int64(len(data)) {
		t.Fatalf("stored object: %+v", st)
	}
	if got := g.getBytes(t, "forms", "photos/cat.jpg"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d", len(got), len(data))
	}
}

// TestPostObjectChecksumField: a form's x-amz-checksum-<alg> field is
// verified over the file and stored, as the header is on PutObject
// (RESTObjectPOST.html lists the checksum fields).
func TestPostObjectChecksumField(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "forms")
	data := []byte("checked bytes")
	sum := checksum.Checksum(checksum.CRC32C, data)
	fields := signedPolicy(t, time.Now().Add(time.Hour), []any{
		map[string]string{"bucket": "forms"}, map[string]string{"key": "sum"},
		map[string]string{"x-amz-checksum-algorithm": "CRC32C"}, map[string]string{"x-amz-checksum-crc32c": sum},
	}, formField{"key", "sum"}, formField{"x-amz-checksum-algorithm", "CRC32C"}, formField{"x-amz-checksum-crc32c", sum})
	resp, body := sendPostForm(t, g.endpoint, "forms", fields, "f", data)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	out, err := g.client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("forms"), Key: aws.String("sum"), ChecksumMode: "ENABLED"})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if aws.ToString(out.ChecksumCRC32C) != sum {
		t.Fatalf("stored CRC32C %q, want %q", aws.ToString(out.ChecksumCRC32C), sum)
	}
}

// TestPostObjectTaggingField: a form's tagging field is the object's tag
// set, as XML (RESTObjectPOST: "tagging ... The tag-set must be encoded as
// XML").
func TestPostObjectTaggingField(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "forms")
	doc := "<Tagging><TagSet><Tag><Key>form</Key><Value>yes</Value></Tag></TagSet></Tagging>"
	fields := signedPolicy(t, time.Now().Add(time.Hour), []any{
		map[string]string{"bucket": "forms"}, map[string]string{"key": "tagged"}, map[string]string{"tagging": doc},
	}, formField{"key", "tagged"}, formField{"tagging", doc})
	resp, body := sendPostForm(t, g.endpoint, "forms", fields, "f", []byte("x"))
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	out, err := g.client().GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: aws.String("forms"), Key: aws.String("tagged")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.TagSet) != 1 || aws.ToString(out.TagSet[0].Key) != "form" || aws.ToString(out.TagSet[0].Value) != "yes" {
		t.Fatalf("tags %+v", out.TagSet)
	}
}

// TestPostObjectResponses checks success_action_status and
// success_action_redirect (RESTObjectPOST.html: 200, 201 with a
// PostResponse document, 204 by default and for other values; a redirect
// gets bucket, key and etag in its query) and the ${filename} variable.
func TestPostObjectResponses(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "forms")
	exp := time.Now().Add(time.Hour)
	base := []any{map[string]string{"bucket": "forms"}, []any{"starts-with", "$key", "up/"}}
	with := func(extra ...any) []any { return append(append([]any{}, base...), extra...) }

	resp, body := sendPostForm(t, g.endpoint, "forms", signedPolicy(t, exp, base, formField{"key", "up/${filename}"}), "a.txt", []byte("A"))
	if resp.StatusCode != http.StatusNoContent || string(g.getBytes(t, "forms", "up/a.txt")) != "A" {
		t.Fatalf("default status: %d %s", resp.StatusCode, body)
	}
	resp, body = sendPostForm(t, g.endpoint, "forms", signedPolicy(t, exp, with(map[string]string{"success_action_status": "200"}),
		formField{"key", "up/b"}, formField{"success_action_status", "200"}), "b", []byte("B"))
	if resp.StatusCode != http.StatusOK || body != "" {
		t.Fatalf("status 200: %d %s", resp.StatusCode, body)
	}
	resp, body = sendPostForm(t, g.endpoint, "forms", signedPolicy(t, exp, with(map[string]string{"success_action_status": "404"}),
		formField{"key", "up/c"}, formField{"success_action_status", "404"}), "c", []byte("C"))
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status 404 asked: %d %s", resp.StatusCode, body)
	}
	resp, body = sendPostForm(t, g.endpoint, "forms", signedPolicy(t, exp, with([]any{"starts-with", "$success_action_redirect", "https://app.example.com/"}),
		formField{"key", "up/d"}, formField{"success_action_redirect", "https://app.example.com/done?x=1"}), "d", []byte("D"))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Host != "app.example.com" ||
		loc.Query().Get("bucket") != "forms" || loc.Query().Get("key") != "up/d" || loc.Query().Get("x") != "1" ||
		loc.Query().Get("etag") != resp.Header.Get("ETag") || !strings.HasPrefix(loc.RawQuery, "x=1&bucket=forms&key=up%2Fd&etag=%22") {
		t.Fatalf("redirect: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	// Fields after the file are not read (RESTObjectPOST.html: "Amazon S3
	// ignores fields that follow the file").
	resp, body = sendPostForm(t, g.endpoint, "forms", signedPolicy(t, exp, base, formField{"key", "up/e"}), "e", []byte("E"),
		formField{"x-amz-storage-class", "GLACIER"})
	if resp.StatusCode != http.StatusNoContent || string(g.getBytes(t, "forms", "up/e")) != "E" {
		t.Fatalf("field after the file: %d %s", resp.StatusCode, body)
	}
}

// TestPostObjectRefusals checks S3's answers to forms its policy or the
// gateway refuses; nothing is stored by any of them. Sources:
// sigv4-HTTPPOSTConstructPolicy.html (conditions, extra fields, expiry,
// content-length-range), RESTObjectPOST.html (the file, the key field),
// ErrorResponses.html (EntityTooLarge/Small, MaxPostPreDataLengthExceeded);
// the "Invalid according to Policy" texts are S3's as ceph/s3-tests
// test_post_object_* record them.
func TestPostObjectRefusals(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "forms")
	exp := time.Now().Add(time.Hour)
	base := []any{map[string]string{"bucket": "forms"}, map[string]string{"key": "k"}}
	with := func(extra ...any) []any { return append(append([]any{}, base...), extra...) }
	key := formField{"key", "k"}
	badSig := signedPolicy(t, exp, base, key)
	badSig[len(badSig)-1].value = strings.Repeat("0", 64)
	crc := checksum.Checksum(checksum.CRC32, []byte("other"))

	cases := []struct {
		name    string
		fields  []formField
		file    []byte
		nofile  bool
		status  int
		code    string
		message string
	}{
		{"condition failed", signedPolicy(t, exp, base, formField{"key", "other"}), []byte("x"), false,
			403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "k"]`},
		{"wrong bucket", signedPolicy(t, exp, []any{map[string]string{"bucket": "elsewhere"}, map[string]string{"key": "k"}}, key), []byte("x"), false,
			403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "elsewhere"]`},
		{"extra field", signedPolicy(t, exp, base, key, formField{"x-amz-meta-color", "red"}), []byte("x"), false,
			403, "AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-color"},
		{"expired", signedPolicy(t, time.Now().Add(-time.Minute), base, key), []byte("x"), false,
			403, "AccessDenied", "Invalid according to Policy: Policy expired."},
		{"bad signature", badSig, []byte("x"), false,
			403, "SignatureDoesNotMatch", "The request signature we calculated does not match"},
		{"too large", signedPolicy(t, exp, with([]any{"content-length-range", 2, 4}), key), []byte("12345"), false,
			400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size</Message><ProposedSize>5</ProposedSize><MaxSizeAllowed>4</MaxSizeAllowed>"},
		{"too small", signedPolicy(t, exp, with([]any{"content-length-range", 2, 4}), key), []byte("1"), false,
			400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size</Message><ProposedSize>1</ProposedSize><MinSizeAllowed>2</MinSizeAllowed>"},
		{"checksum mismatch", signedPolicy(t, exp, with(map[string]string{"x-amz-checksum-crc32": crc}), key, formField{"x-amz-checksum-crc32", crc}), []byte("x"), false,
			400, "BadDigest", ""},
		{"unsupported field", signedPolicy(t, exp, with(map[string]string{"x-amz-website-redirect-location": "/a"}), key, formField{"x-amz-website-redirect-location", "/a"}), []byte("x"), false,
			501, "NotImplemented", "<Header>x-amz-website-redirect-location</Header>"},
		{"bad tagging", signedPolicy(t, exp, with(map[string]string{"tagging": "<Tagging/>"}), key, formField{"tagging", "<Tagging/>"}), []byte("x"), false,
			400, "MalformedXML", "The XML you provided was not well-formed"},
		{"storage class", signedPolicy(t, exp, with(map[string]string{"x-amz-storage-class": "OUTPOSTS"}), key, formField{"x-amz-storage-class", "OUTPOSTS"}), []byte("x"), false,
			400, "InvalidStorageClass", "The storage class you specified is not valid"},
		{"public ACL", signedPolicy(t, exp, with(map[string]string{"acl": "public-read"}), key, formField{"acl", "public-read"}), []byte("x"), false,
			400, "AccessControlListNotSupported", "The bucket does not allow ACLs"},
		{"no key", signedPolicy(t, exp, []any{map[string]string{"bucket": "forms"}}), []byte("x"), false,
			400, "InvalidArgument", "Bucket POST must contain a field named &#39;key&#39;.  If it is specified, please check the order of the fields."},
		{"no file", signedPolicy(t, exp, base, key), nil, true,
			400, "InvalidArgument", "POST requires exactly one file upload per request."},
		{"fields too large", append(signedPolicy(t, exp, base, key), formField{"x-ignore-padding", strings.Repeat("p", 21<<10)}), []byte("x"), false,
			400, "MaxPostPreDataLengthExceeded", "Your POST request fields preceeding the upload file was too large.</Message><MaxPostPreDataLengthBytes>20480</MaxPostPreDataLengthBytes>"},
		{"no signature", withoutField(signedPolicy(t, exp, base, key), "x-amz-signature"), []byte("x"), false,
			400, "InvalidArgument", "Bucket POST must contain a field named &#39;X-Amz-Signature&#39;.  If it is specified, please check the order of the fields.</Message><ArgumentName>X-Amz-Signature</ArgumentName><ArgumentValue></ArgumentValue>"},
		{"absent field", signedPolicy(t, exp, with([]any{"starts-with", "$Content-Type", ""}), key), []byte("x"), false,
			403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", ""]`},
		{"extra field named as sent", signedPolicy(t, exp, base, key, formField{"StorageClass", "STANDARD"}), []byte("x"), false,
			403, "AccessDenied", "Invalid according to Policy: Extra input fields: StorageClass"},
		{"wrong region", withField(signedPolicy(t, exp, base, key), "x-amz-credential", testAccessKey+"/20260101/eu-west-1/s3/aws4_request"), []byte("x"), false,
			400, "InvalidArgument", "the region &#39;eu-west-1&#39; is wrong; expecting &#39;us-east-1&#39;</Message><ArgumentName>X-Amz-Credential</ArgumentName>"},
		{"bad date", withField(signedPolicy(t, exp, base, key), "x-amz-date", "2026-01-01"), []byte("x"), false,
			400, "InvalidArgument", "X-Amz-Date must be formated via ISO8601 Long format</Message><ArgumentName>X-Amz-Date</ArgumentName><ArgumentValue>2026-01-01</ArgumentValue>"},
		{"simple condition not a string", signedPolicy(t, exp, with(map[string]any{"content-length": 5}), key), []byte("x"), false,
			400, "InvalidPolicyDocument", "Invalid Policy: Invalid Simple-Condition: value must be a string."},
		{"two properties", signedPolicy(t, exp, with(map[string]string{"acl": "private", "key": "k"}), key), []byte("x"), false,
			400, "InvalidPolicyDocument", "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
		{"float bound", signedPolicy(t, exp, with([]any{"content-length-range", 0, 512.5}), key), []byte("x"), false,
			400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON."},
		{"anonymous", []formField{key}, []byte("x"), false,
			403, "AccessDenied", "Access Denied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			filename := "f"
			if tc.nofile {
				filename = ""
			}
			resp, body := sendPostForm(t, g.endpoint, "forms", tc.fields, filename, tc.file)
			if resp.StatusCode != tc.status || !strings.Contains(body, "<Code>"+tc.code+"</Code>") || !strings.Contains(body, xmlQuote(tc.message)) {
				t.Fatalf("status %d body %s\nwant %d %s %q", resp.StatusCode, body, tc.status, tc.code, tc.message)
			}
			if g.objectExists(t, "forms", "k") || g.objectExists(t, "forms", "other") {
				t.Fatal("a refused POST stored an object")
			}
		})
	}
}

func withoutField(fields []formField, name string) []formField {
	var out []formField
	for _, f := range fields {
		if f.name != name {
			out = append(out, f)
		}
	}
	return out
}

func withField(fields []formField, name, value string) []formField {
	out := withoutField(fields, name)
	return append(out, formField{name, value})
}

// xmlQuote escapes the quotes encoding/xml escapes in a message.
func xmlQuote(s string) string { return strings.ReplaceAll(s, `"`, "&#34;") }

// TestPostObjectAnonymousWithBucketPolicy: a form without a signature is
// served when the bucket policy lets anyone put objects (the policy is
// the only authorization an anonymous request gets).
func TestPostObjectAnonymousWithBucketPolicy(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "drop")
	_, err := g.client().PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String("drop"),
		Policy: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::drop/inbox/*"}]}`)})
	if err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	resp, body := sendPostForm(t, g.endpoint, "drop", []formField{{"key", "inbox/${filename}"}}, "note.txt", []byte("hi"))
	if resp.StatusCode != http.StatusNoContent || string(g.getBytes(t, "drop", "inbox/note.txt")) != "hi" {
		t.Fatalf("anonymous POST: %d %s", resp.StatusCode, body)
	}
	resp, body = sendPostForm(t, g.endpoint, "drop", []formField{{"key", "outside"}}, "x", []byte("x"))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous POST outside the grant: %d %s", resp.StatusCode, body)
	}
}
