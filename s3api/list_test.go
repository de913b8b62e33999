package s3api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listFixture creates keys whose order tests S3's byte ordering.
func listFixture(t *testing.T) (*gateway, []string) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "lst")
	keys := []string{"a/1", "a/2", "b", "c/x/1", "c/y", "d e", "obj+", "obj/z", "obj1"}
	for _, k := range keys {
		g.mustPut(t, "lst", k, k)
	}
	return g, keys
}

func TestListObjectsV2Paging(t *testing.T) {
	g, keys := listFixture(t)
	c := g.client()
	ctx := context.Background()

	var got []string
	var token *string
	pages := 0
	for {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), MaxKeys: aws.Int32(2), ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if int(aws.ToInt32(out.KeyCount)) != len(out.Contents) {
			t.Errorf("KeyCount %d, contents %d", aws.ToInt32(out.KeyCount), len(out.Contents))
		}
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
			if o.StorageClass != types.ObjectStorageClassStandard || !strings.HasPrefix(aws.ToString(o.ETag), `"`) || o.Owner != nil {
				t.Errorf("entry %+v", o)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		token = out.NextContinuationToken
	}
	if strings.Join(got, "|") != strings.Join(keys, "|") || pages != 5 {
		t.Errorf("paged listing (%d pages) = %v", pages, got)
	}

	// Delimiter, prefix, start-after, fetch-owner.
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), Delimiter: aws.String("/"), FetchOwner: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []string
	for _, p := range out.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	if strings.Join(prefixes, ",") != "a/,c/,obj/" || len(out.Contents) != 4 || out.Contents[0].Owner == nil ||
		aws.ToString(out.Contents[0].Owner.ID) != testAccessKey || aws.ToInt32(out.KeyCount) != 7 {
		t.Errorf("delimited: prefixes %v, %d contents, key count %d", prefixes, len(out.Contents), aws.ToInt32(out.KeyCount))
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), Prefix: aws.String("c/"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "c/y" || len(out.CommonPrefixes) != 1 ||
		aws.ToString(out.CommonPrefixes[0].Prefix) != "c/x/" {
		t.Errorf("prefix c/: %+v %+v", out.Contents, out.CommonPrefixes)
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), StartAfter: aws.String("c/zzz")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 4 || aws.ToString(out.Contents[0].Key) != "d e" {
		t.Errorf("start-after: %d, first %s", len(out.Contents), aws.ToString(out.Contents[0].Key))
	}

	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), ContinuationToken: aws.String("garbage!")})
	expectAPIError(t, err, "InvalidArgument", 400)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nolist")})
	expectAPIError(t, err, "NoSuchBucket", 404)
}

func TestListObjectsV1Paging(t *testing.T) {
	g, keys := listFixture(t)
	c := g.client()
	ctx := context.Background()

	var got []string
	marker := ""
	for {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lst"), MaxKeys: aws.Int32(4), Marker: aws.String(marker)})
		if err != nil {
			t.Fatal(err)
		}
		if out.NextMarker != nil {
			t.Errorf("NextMarker without delimiter: %s", aws.ToString(out.NextMarker))
		}
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
			if o.Owner == nil || aws.ToString(o.Owner.ID) != testAccessKey {
				t.Errorf("V1 entry without owner: %+v", o)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = got[len(got)-1]
	}
	if strings.Join(got, "|") != strings.Join(keys, "|") {
		t.Errorf("V1 listing = %v", got)
	}

	out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lst"), MaxKeys: aws.Int32(2), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextMarker) != "b" {
		t.Errorf("delimited V1: truncated %v next %q", aws.ToBool(out.IsTruncated), aws.ToString(out.NextMarker))
	}

	// max-keys: negative is refused, above 1000 clamps.
	req := g.signedRequest(t, http.MethodGet, "/lst?max-keys=-1", nil, testSecretKey)
	resp, body := do(t, req)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>InvalidArgument</Code>") {
		t.Errorf("max-keys=-1: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, g.signedRequest(t, http.MethodGet, "/lst?max-keys=5000", nil, testSecretKey))
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<MaxKeys>1000</MaxKeys>") {
		t.Errorf("max-keys=5000: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, g.signedRequest(t, http.MethodGet, "/lst?encoding-type=bogus", nil, testSecretKey))
	if resp.StatusCode != 400 {
		t.Errorf("bad encoding-type: %d %s", resp.StatusCode, body)
	}
}

// TestListEncodingTypeURL: encoding-type=url writes a space as '+' and a
// '+' as "%2B", as S3 answers (boto/boto#2654, bcgov/gwells#1801,
// brekkylab/backlot#178 record it; see listParams.encode).
func TestListEncodingTypeURL(t *testing.T) {
	g, _ := listFixture(t)
	resp, body := do(t, g.signedRequest(t, http.MethodGet, "/lst?list-type=2&encoding-type=url&prefix=d%20", nil, testSecretKey))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	s := string(body)
	for _, want := range []string{"<Key>d+e</Key>", "<Prefix>d+</Prefix>", "<EncodingType>url</EncodingType>"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %s in %s", want, s)
		}
	}
	resp, body = do(t, g.signedRequest(t, http.MethodGet, "/lst?encoding-type=url&prefix=obj", nil, testSecretKey))
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Key>obj%2B</Key>") || !strings.Contains(string(body), "<Key>obj/z</Key>") {
		t.Errorf("V1 url encoding: %s", body)
	}
}

func TestListObjectVersions(t *testing.T) {
	g, keys := listFixture(t)
	c := g.client()
	ctx := context.Background()
	var got []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String("lst"), MaxKeys: aws.Int32(4)}
	for {
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			got = append(got, aws.ToString(v.Key))
			if aws.ToString(v.VersionId) != "null" || !aws.ToBool(v.IsLatest) || aws.ToInt64(v.Size) != int64(len(aws.ToString(v.Key))) {
				t.Errorf("version entry %+v", v)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	if strings.Join(got, "|") != strings.Join(keys, "|") {
		t.Errorf("versions = %v", got)
	}
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lst"), Delimiter: aws.String("/"), Prefix: aws.String("c/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Versions) != 1 || len(out.CommonPrefixes) != 1 {
		t.Errorf("delimited versions: %d versions %d prefixes", len(out.Versions), len(out.CommonPrefixes))
	}
}
