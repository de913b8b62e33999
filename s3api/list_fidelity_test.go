package s3api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func signedGet(t *testing.T, g *gateway, path string) (*http.Response, []byte) {
	t.Helper()
	return do(t, g.signedRequest(t, http.MethodGet, path, nil, testSecretKey))
}

func keysOf(objs []string) string { return strings.Join(objs, ",") }

// TestListV1EncodesOnlyWhenAsked: names in a V1 listing (Prefix, Marker,
// Delimiter, Key) are URL-encoded with encoding-type=url and only then.
// Sources: ListObjects API reference, EncodingType ("returns encoded key
// name values in the following response elements: Delimiter, Marker,
// Prefix, NextMarker, Key"); aws/aws-sdk-java#611 (S3 answered a V1
// listing with encoding-type=url with <Prefix>reports/year%3D2015, so the
// SDK had to decode it); ceph/s3-tests test_bucket_list_prefix_basic and
// test_bucket_list_marker_none (without it the elements come back as sent,
// and <Marker> is there, empty, even when no marker was sent).
func TestListV1EncodesOnlyWhenAsked(t *testing.T) {
	g, _ := listFixture(t)
	_, body := signedGet(t, g, "/lst?prefix=d%20&marker=d%20")
	s := string(body)
	for _, want := range []string{"<Prefix>d </Prefix>", "<Marker>d </Marker>"} {
		if !strings.Contains(s, want) {
			t.Errorf("plain V1 lacks %s: %s", want, s)
		}
	}
	if strings.Contains(s, "EncodingType") {
		t.Errorf("plain V1 names an encoding: %s", s)
	}
	_, body = signedGet(t, g, "/lst?prefix=d%20&encoding-type=url")
	s = string(body)
	for _, want := range []string{"<Prefix>d+</Prefix>", "<Key>d+e</Key>", "<EncodingType>url</EncodingType>"} {
		if !strings.Contains(s, want) {
			t.Errorf("url-encoded V1 lacks %s: %s", want, s)
		}
	}
	_, body = signedGet(t, g, "/lst")
	if s := string(body); !strings.Contains(s, "<Prefix></Prefix><Marker></Marker>") {
		t.Errorf("V1 without prefix or marker: %s", s)
	}
}

// TestListV2ContinuationToken: an empty continuation-token lists from the
// start and is echoed empty; with start-after, the token's position wins
// when it is further on, and start-after is still echoed. Sources:
// ceph/s3-tests test_bucket_listv2_continuationtoken_empty and
// test_bucket_listv2_both_continuationtoken_startafter; versitygw's
// AWS-run ListObjectsV2_both_start_after_and_continuation_token;
// ListObjectsV2 API reference ("ContinuationToken: If ContinuationToken
// was sent with the request, it is included in the response"; StartAfter
// likewise).
func TestListV2ContinuationToken(t *testing.T) {
	g, keys := listFixture(t)
	c := g.client()
	ctx := context.Background()
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), ContinuationToken: aws.String("")})
	if err != nil {
		t.Fatal(err)
	}
	if out.ContinuationToken == nil || *out.ContinuationToken != "" || len(out.Contents) != len(keys) || aws.ToBool(out.IsTruncated) {
		t.Errorf("empty token: token %v, %d keys", out.ContinuationToken, len(out.Contents))
	}
	if out.StartAfter != nil {
		t.Errorf("StartAfter echoed though not sent: %q", *out.StartAfter)
	}

	first, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), StartAfter: aws.String("a/1"), MaxKeys: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(first.Contents); n != 2 || aws.ToString(first.Contents[1].Key) != "b" {
		t.Fatalf("first page: %d keys", n)
	}
	next, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), StartAfter: aws.String("a/1"),
		ContinuationToken: first.NextContinuationToken, MaxKeys: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range next.Contents {
		got = append(got, aws.ToString(o.Key))
	}
	if keysOf(got) != "c/x/1,c/y" || aws.ToString(next.StartAfter) != "a/1" ||
		aws.ToString(next.ContinuationToken) != aws.ToString(first.NextContinuationToken) {
		t.Errorf("token after start-after: %v, StartAfter %q", got, aws.ToString(next.StartAfter))
	}
	// A start-after past the token's position wins.
	next, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), StartAfter: aws.String("obj+"),
		ContinuationToken: first.NextContinuationToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Contents) != 2 || aws.ToString(next.Contents[0].Key) != "obj/z" {
		t.Errorf("start-after beyond the token: %d keys", len(next.Contents))
	}
}

// TestListLimitErrors: a max-keys that is not a 32-bit integer, or is
// negative, is InvalidArgument naming the argument and the value sent;
// an unknown encoding-type likewise; max-keys=0 is an empty, untruncated
// page. Sources: ceph/s3-tests test_bucket_list_maxkeys_invalid (400
// InvalidArgument) and test_bucket_list(v2)_maxkeys_zero; versitygw's
// AWS-run ListObjects_invalid_max_keys and the limiter rules of its
// 2365f9f1 ("Provided max-keys not an integer or within integer range";
// "Argument max-keys must be an integer between 0 and 2147483647";
// ListObjectVersions' own "max-keys cannot be negative" naming maxKeys);
// an S3 capture of encoding-type=invalid (<ArgumentName>encoding-type
// </ArgumentName><ArgumentValue>invalid</ArgumentValue>), matched by
// OpenStack Swift's s3api (InvalidArgument('encoding-type', value, ...)).
func TestListLimitErrors(t *testing.T) {
	g, _ := listFixture(t)
	for _, tc := range []struct{ path, message, name, value string }{
		{"/lst?max-keys=blah", "Provided max-keys not an integer or within integer range", "max-keys", "blah"},
		{"/lst?list-type=2&max-keys=2147483648", "Provided max-keys not an integer or within integer range", "max-keys", "2147483648"},
		{"/lst?max-keys=-5", "Argument max-keys must be an integer between 0 and 2147483647", "max-keys", "-5"},
		{"/lst?list-type=2&max-keys=-1", "Argument max-keys must be an integer between 0 and 2147483647", "max-keys", "-1"},
		{"/lst?versions&max-keys=-1", "max-keys cannot be negative", "maxKeys", "-1"},
		{"/lst?versions&max-keys=x", "Provided max-keys not an integer or within integer range", "max-keys", "x"},
		{"/lst?list-type=2&encoding-type=base64", "Invalid Encoding Method specified in Request", "encoding-type", "base64"},
		{"/lst?encoding-type=URL", "Invalid Encoding Method specified in Request", "encoding-type", "URL"},
	} {
		resp, body := signedGet(t, g, tc.path)
		checkErrorXML(t, resp, body, http.StatusBadRequest, "InvalidArgument")
		want := "<Message>" + tc.message + "</Message><ArgumentName>" + tc.name + "</ArgumentName><ArgumentValue>" + tc.value + "</ArgumentValue>"
		if !strings.Contains(string(body), want) {
			t.Errorf("%s: %s", tc.path, body)
		}
	}

	c := g.client()
	ctx := context.Background()
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lst"), MaxKeys: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), MaxKeys: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(v1.Contents) != 0 || aws.ToBool(v1.IsTruncated) || len(v2.Contents) != 0 || aws.ToBool(v2.IsTruncated) || aws.ToInt32(v2.KeyCount) != 0 {
		t.Errorf("max-keys=0: V1 %d truncated %v, V2 %d truncated %v", len(v1.Contents), aws.ToBool(v1.IsTruncated), len(v2.Contents), aws.ToBool(v2.IsTruncated))
	}
}

// ListObjectsV2 gives each key's Owner only for fetch-owner=true; another
// value is accepted and lists no owner, as S3 answered boto3's
// fetch-owner=True (boto/boto3#719, aws/aws-cli#2030: a 200 without Owner).
func TestListV2FetchOwnerOnlyTrue(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "fetchowner")
	g.mustPut(t, "fetchowner", "k", "v")
	for value, wantOwner := range map[string]bool{"true": true, "True": false, "false": false, "maybe": false} {
		resp, body := signedGet(t, g, "/fetchowner?list-type=2&fetch-owner="+value)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("fetch-owner=%s: %d %s", value, resp.StatusCode, body)
		}
		if got := strings.Contains(string(body), "<Owner>"); got != wantOwner {
			t.Errorf("fetch-owner=%s: Owner listed %v, want %v", value, got, wantOwner)
		}
	}
}
