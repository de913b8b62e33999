package s3api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestListUploadsTruncatedAtPrefix: a page of ListMultipartUploads that
// ends on a common prefix gives NextKeyMarker = the prefix and
// NextUploadIdMarker = the first upload under it, and the pair resumes
// the listing. Source: versitygw's AWS-run
// ListMultipartUploads_delimiter_truncated (tests/integration/
// ListMultipartUploads.go): with delimiter "/" and max-uploads 2 the page
// is [abc/, foo/], NextKeyMarker "foo/", NextUploadIdMarker the upload of
// "foo/bar/baz"; the next page, from those markers, is [foo/, some/, xyz/,
// zzz/], untruncated, with empty next markers.
func TestListUploadsTruncatedAtPrefix(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "ups")
	ids := map[string]string{}
	for _, k := range []string{"abc/something", "foo/bar/baz", "foo/quxx", "xyz/hello", "zzz/bca", "some/very/nested/mp/object"} {
		ids[k] = mpCreate(t, c, "ups", k)
	}
	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("ups"), Delimiter: aws.String("/"), MaxUploads: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := uploadPrefixes(out); got != "abc/,foo/" || len(out.Uploads) != 0 || !aws.ToBool(out.IsTruncated) ||
		aws.ToString(out.NextKeyMarker) != "foo/" || aws.ToString(out.NextUploadIdMarker) != ids["foo/bar/baz"] {
		t.Fatalf("first page: %s truncated %v next %q %q", got, aws.ToBool(out.IsTruncated), aws.ToString(out.NextKeyMarker), aws.ToString(out.NextUploadIdMarker))
	}
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("ups"), Delimiter: aws.String("/"),
		KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker})
	if err != nil {
		t.Fatal(err)
	}
	if got := uploadPrefixes(out); got != "foo/,some/,xyz/,zzz/" || aws.ToBool(out.IsTruncated) ||
		aws.ToString(out.NextKeyMarker) != "" || aws.ToString(out.NextUploadIdMarker) != "" ||
		aws.ToString(out.KeyMarker) != "foo/" || aws.ToString(out.UploadIdMarker) != ids["foo/bar/baz"] {
		t.Errorf("second page: %s truncated %v markers %q %q", got, aws.ToBool(out.IsTruncated), aws.ToString(out.KeyMarker), aws.ToString(out.UploadIdMarker))
	}
}

func uploadPrefixes(out *s3.ListMultipartUploadsOutput) string {
	var p []string
	for _, cp := range out.CommonPrefixes {
		p = append(p, aws.ToString(cp.Prefix))
	}
	return strings.Join(p, ",")
}

// TestListUploadsArguments: encoding-type=url is echoed and encodes the
// names; a malformed upload-id-marker beside a key-marker is
// InvalidArgument naming it (without a key-marker it is ignored); limits
// are checked as max-keys is. Sources: ListMultipartUploads API reference
// (EncodingType: "Encoding type used by Amazon S3 to encode object keys in
// the response"; upload-id-marker: "If key-marker is not specified, the
// upload-id-marker parameter is ignored"); versitygw's AWS-run
// ListMultipartUploads_invalid_uploadId_marker (InvalidArgument "Invalid
// uploadId marker", ArgumentName upload-id-marker),
// ListMultipartUploads_ignore_upload_id_marker and
// ListMultipartUploads_invalid_max_uploads.
func TestListUploadsArguments(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "ups")
	mpCreate(t, c, "ups", "a b+c")
	mpCreate(t, c, "ups", "d/e f")

	resp, body := signedGet(t, g.gateway, "/ups?uploads&encoding-type=url&delimiter=/&prefix=a%20")
	s := string(body)
	for _, want := range []string{"<Key>a+b%2Bc</Key>", "<Prefix>a+</Prefix>", "<EncodingType>url</EncodingType>"} {
		if resp.StatusCode != 200 || !strings.Contains(s, want) {
			t.Errorf("url-encoded listing lacks %s: %d %s", want, resp.StatusCode, s)
		}
	}
	_, body = signedGet(t, g.gateway, "/ups?uploads&delimiter=%20")
	if s := string(body); !strings.Contains(s, "<Prefix>d/e </Prefix>") || strings.Contains(s, "EncodingType") {
		t.Errorf("plain listing: %s", s)
	}
	// The SDK decodes what it asked to be encoded.
	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("ups"), EncodingType: "url"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 2 || out.EncodingType != "url" {
		t.Errorf("SDK url listing: %d uploads, encoding %q", len(out.Uploads), out.EncodingType)
	}

	for _, tc := range []struct{ path, message, name, value string }{
		{"/ups?uploads&key-marker=a&upload-id-marker=bogus", "Invalid uploadId marker", "upload-id-marker", "bogus"},
		// Well-formed but naming no upload: the same answer
		// (versity/versitygw#1797 records S3's).
		{"/ups?uploads&key-marker=a&upload-id-marker=0123456789abcdef0123456789abcdef", "Invalid uploadId marker", "upload-id-marker", "0123456789abcdef0123456789abcdef"},
		{"/ups?uploads&max-uploads=-3", "Argument max-uploads must be an integer between 0 and 2147483647", "max-uploads", "-3"},
		{"/ups?uploads&max-uploads=x", "Provided max-uploads not an integer or within integer range", "max-uploads", "x"},
		{"/ups?uploads&encoding-type=gzip", "Invalid Encoding Method specified in Request", "encoding-type", "gzip"},
	} {
		resp, body := signedGet(t, g.gateway, tc.path)
		checkErrorXML(t, resp, body, http.StatusBadRequest, "InvalidArgument")
		want := "<Message>" + tc.message + "</Message><ArgumentName>" + tc.name + "</ArgumentName><ArgumentValue>" + tc.value + "</ArgumentValue>"
		if !strings.Contains(string(body), want) {
			t.Errorf("%s: %s", tc.path, body)
		}
	}
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("ups"), UploadIdMarker: aws.String("bogus")})
	if err != nil || len(out.Uploads) != 2 {
		t.Errorf("upload-id-marker without key-marker: %v", err)
	}
}

// TestListPartsPaging: max-parts pages the parts, NextPartNumberMarker
// resumes them, and bad limits name the argument. Sources: ListParts API
// reference (max-parts, part-number-marker: "Specifies the part after
// which listing should begin. Only parts with higher part numbers will be
// listed", NextPartNumberMarker); versitygw's AWS-run ListParts tests and
// its limiter rules (2365f9f1: "Provided part-number-marker not an integer
// or within integer range", "Argument max-parts must be an integer between
// 0 and 2147483647").
func TestListPartsPaging(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "parts")
	id := mpCreate(t, c, "parts", "k")
	for n := int32(1); n <= 5; n++ {
		mpPart(t, c, "parts", "k", id, n, []byte("part"))
	}
	var got []int32
	in := &s3.ListPartsInput{Bucket: aws.String("parts"), Key: aws.String("k"), UploadId: aws.String(id), MaxParts: aws.Int32(2)}
	for pages := 0; ; pages++ {
		out, err := c.ListParts(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.Parts {
			got = append(got, aws.ToInt32(p.PartNumber))
		}
		if aws.ToInt32(out.MaxParts) != 2 || pages > 3 {
			t.Fatalf("page %d: max-parts %d", pages, aws.ToInt32(out.MaxParts))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		if aws.ToString(out.NextPartNumberMarker) != fmt.Sprint(got[len(got)-1]) {
			t.Errorf("NextPartNumberMarker %q after %v", aws.ToString(out.NextPartNumberMarker), got)
		}
		in.PartNumberMarker = out.NextPartNumberMarker
	}
	if fmt.Sprint(got) != "[1 2 3 4 5]" {
		t.Errorf("paged parts %v", got)
	}
	base := "/parts/k?uploadId=" + id
	for _, tc := range []struct{ query, message, name, value string }{
		{"&max-parts=-1", "Argument max-parts must be an integer between 0 and 2147483647", "max-parts", "-1"},
		{"&part-number-marker=x", "Provided part-number-marker not an integer or within integer range", "part-number-marker", "x"},
	} {
		resp, body := signedGet(t, g.gateway, base+tc.query)
		checkErrorXML(t, resp, body, http.StatusBadRequest, "InvalidArgument")
		want := "<Message>" + tc.message + "</Message><ArgumentName>" + tc.name + "</ArgumentName><ArgumentValue>" + tc.value + "</ArgumentValue>"
		if !strings.Contains(string(body), want) {
			t.Errorf("%s: %s", tc.query, body)
		}
	}
}
