package s3api

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestGetAndHeadPartNumberOfMultipartObject(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "parts")
	id := mpCreate(t, c, "parts", "obj")
	p1 := mpPart(t, c, "parts", "obj", id, 1, []byte("aaaaa"))
	p2 := mpPart(t, c, "parts", "obj", id, 2, []byte("bbb"))
	p3 := mpPart(t, c, "parts", "obj", id, 3, []byte("cc"))
	done, err := mpComplete(c, "parts", "obj", id, p1, p2, p3)
	if err != nil {
		t.Fatal(err)
	}
	wholeETag := aws.ToString(done.ETag)

	for _, tc := range []struct {
		n      int32
		body   string
		crange string
	}{{1, "aaaaa", "bytes 0-4/10"}, {2, "bbb", "bytes 5-7/10"}, {3, "cc", "bytes 8-9/10"}} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("parts"), Key: aws.String("obj"), PartNumber: aws.Int32(tc.n)})
		if err != nil {
			t.Fatalf("GetObject part %d: %v", tc.n, err)
		}
		body, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(body) != tc.body || aws.ToString(out.ContentRange) != tc.crange ||
			aws.ToInt32(out.PartsCount) != 3 || aws.ToString(out.ETag) != wholeETag {
			t.Errorf("part %d: body %q range %q parts %d etag %s; want %q %q 3 %s",
				tc.n, body, aws.ToString(out.ContentRange), aws.ToInt32(out.PartsCount), aws.ToString(out.ETag), tc.body, tc.crange, wholeETag)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("parts"), Key: aws.String("obj"), PartNumber: aws.Int32(tc.n)})
		if err != nil {
			t.Fatalf("HeadObject part %d: %v", tc.n, err)
		}
		if aws.ToInt64(head.ContentLength) != int64(len(tc.body)) || aws.ToInt32(head.PartsCount) != 3 || aws.ToString(head.ContentRange) != tc.crange {
			t.Errorf("HEAD part %d: length %d parts %d range %q", tc.n, aws.ToInt64(head.ContentLength), aws.ToInt32(head.PartsCount), aws.ToString(head.ContentRange))
		}
	}

	resp, body := do(t, g.signedRequest(t, http.MethodGet, "/parts/obj?partNumber=4", nil, testSecretKey))
	checkErrorXML(t, resp, body, http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber")
	resp, body = do(t, g.signedRequest(t, http.MethodGet, "/parts/obj?partNumber=0", nil, testSecretKey))
	checkErrorXML(t, resp, body, http.StatusBadRequest, "InvalidArgument")
	req := g.signedRequest(t, http.MethodGet, "/parts/obj?partNumber=1", nil, testSecretKey)
	req.Header.Set("Range", "bytes=0-1")
	signRequest(t, req, sha256Hex(nil), testAccessKey, testSecretKey)
	resp, body = do(t, req)
	checkErrorXML(t, resp, body, http.StatusBadRequest, "InvalidRequest")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("parts"), Key: aws.String("obj"), PartNumber: aws.Int32(9)})
	expectAPIError(t, err, "", http.StatusRequestedRangeNotSatisfiable)
}
