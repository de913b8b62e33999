package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terngate/terngate/s3err"
)

// anyValue in a wanted element matches any non-empty value (times, the
// signature material checked exactly in auth's tests).
const anyValue = "\x00any"

// extraElements returns, in document order, the elements between
// <Message> and the common trailer (BucketName, Key, Resource, RequestId,
// HostId): the code's own elements.
func extraElements(t *testing.T, body []byte) []s3err.Field {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	var out []s3err.Field
	depth, afterMessage := 0, false
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			var v string
			if err := dec.DecodeElement(&v, &el); err != nil {
				t.Fatalf("element %s of %q: %v", el.Name.Local, body, err)
			}
			depth--
			switch name := el.Name.Local; {
			case name == "Message":
				afterMessage = true
			case name == "BucketName" || name == "Key" || name == "Resource" || name == "RequestId" || name == "HostId":
				afterMessage = false
			case afterMessage:
				out = append(out, s3err.Field{Name: name, Value: v})
			}
		case xml.EndElement:
			depth--
		}
	}
}

// TestErrorCatalogueOnTheWire provokes each common error over HTTP and
// checks the status, code, AWS's message and its extra elements in AWS's
// order. The expected documents are S3's as recorded in public threads;
// each case names its source (the constructors in s3err/elements.go cite
// the same).
func TestErrorCatalogueOnTheWire(t *testing.T) {
	const minPart = 10
	g := startMPGateway(t, minPart, time.Hour)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "cat")
	g.mustPut(t, "cat", "five", "12345")
	upload := mpCreate(t, c, "cat", "mp")
	small := []byte("abc")
	smallETag := fmt.Sprintf("%x", md5.Sum(small))
	mpPart(t, c, "cat", "mp", upload, 1, small)
	mpPart(t, c, "cat", "mp", upload, 2, small)

	signed := func(method, path string, body []byte, headers ...string) func() *http.Request {
		return func() *http.Request {
			req, _ := http.NewRequest(method, g.endpoint+path, bytes.NewReader(body))
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			signRequest(t, req, sha256Hex(body), testAccessKey, testSecretKey)
			return req
		}
	}
	signedAt := func(when time.Time, region string) func() *http.Request {
		return func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, g.endpoint+"/cat/five", nil)
			hash := sha256Hex(nil)
			req.Header.Set("X-Amz-Content-Sha256", hash)
			creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
			if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "s3", region, when); err != nil {
				t.Fatal(err)
			}
			return req
		}
	}
	twoHoursAgo := time.Now().Add(-2 * time.Hour).UTC()
	completeDoc := func(parts ...string) []byte {
		return []byte("<CompleteMultipartUpload>" + strings.Join(parts, "") + "</CompleteMultipartUpload>")
	}
	part := func(n int, etag string) string {
		return fmt.Sprintf("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, etag)
	}
	otherMD5 := md5.Sum([]byte("other"))
	dataMD5 := md5.Sum([]byte("data"))
	noSuchBucket := []s3err.Field(nil)

	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
		msg    string
		fields []s3err.Field
	}{
		// Bucket and key: messages as S3 sends them (no period after
		// "bucket does not exist", one after "key does not exist.").
		{"GetObject, missing bucket", signed(http.MethodGet, "/nobucket/k", nil), 404, "NoSuchBucket", "The specified bucket does not exist", nil},
		{"GetObject, missing key", signed(http.MethodGet, "/cat/nokey", nil), 404, "NoSuchKey", "The specified key does not exist.", nil},
		{"CopyObject, missing source bucket", signed(http.MethodPut, "/cat/copy", nil, "x-amz-copy-source", "/nobucket/k"), 404, "NoSuchBucket", "The specified bucket does not exist", nil},

		// versity/versitygw#2035: NoSuchUpload names the upload.
		{"ListParts, missing upload", signed(http.MethodGet, "/cat/mp?uploadId=nope", nil), 404, "NoSuchUpload",
			"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
			[]s3err.Field{{Name: "UploadId", Value: "nope"}}},

		// Missing bucket comes before missing upload (issue #13).
		{"UploadPart, missing bucket", signed(http.MethodPut, "/nobucket/mp?partNumber=1&uploadId="+upload, small), 404, "NoSuchBucket", "The specified bucket does not exist", noSuchBucket},
		{"ListParts, missing bucket", signed(http.MethodGet, "/nobucket/mp?uploadId="+upload, nil), 404, "NoSuchBucket", "The specified bucket does not exist", noSuchBucket},
		{"Complete, missing bucket", signed(http.MethodPost, "/nobucket/mp?uploadId="+upload, completeDoc(part(1, smallETag))), 404, "NoSuchBucket", "The specified bucket does not exist", noSuchBucket},
		{"Abort, missing bucket", signed(http.MethodDelete, "/nobucket/mp?uploadId="+upload, nil), 404, "NoSuchBucket", "The specified bucket does not exist", noSuchBucket},
		{"UploadPartCopy, missing bucket", signed(http.MethodPut, "/nobucket/mp?partNumber=1&uploadId="+upload, nil, "x-amz-copy-source", "/cat/five"), 404, "NoSuchBucket", "The specified bucket does not exist", noSuchBucket},

		// versity/versitygw#1487, #1810.
		{"POST to the service", signed(http.MethodPost, "/", nil), 405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
			[]s3err.Field{{Name: "Method", Value: "POST"}, {Name: "ResourceType", Value: "SERVICE"}}},
		{"PATCH an object", signed(http.MethodPatch, "/cat/five", nil), 405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
			[]s3err.Field{{Name: "Method", Value: "PATCH"}, {Name: "ResourceType", Value: "OBJECT"}}},

		// minio/minio#11293 records S3 answering an anonymous request for
		// a missing bucket NoSuchBucket (with BucketName, checked below):
		// bucket names are not secret in S3.
		{"anonymous GET, missing bucket", func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, g.endpoint+"/nobucket", nil)
			return req
		}, 404, "NoSuchBucket", "The specified bucket does not exist", nil},
		{"anonymous GET object, missing bucket", func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, g.endpoint+"/nobucket/k", nil)
			return req
		}, 404, "NoSuchBucket", "The specified bucket does not exist", nil},

		// basho/riak_cs#1233 records S3's document; versity/versitygw#2080.
		{"PUT a 1025-byte key", signed(http.MethodPut, "/cat/"+strings.Repeat("k", 1025), []byte("x")), 400, "KeyTooLongError", "Your key is too long",
			[]s3err.Field{{Name: "Size", Value: "1025"}, {Name: "MaxSizeAllowed", Value: "1024"}}},
		// versity/versitygw#2086 (elements); S3's message has no final
		// period, as qld-gov-au/ckanext-s3filestore#132 quotes it.
		{"PUT 2049 bytes of metadata", signed(http.MethodPut, "/cat/meta", []byte("x"), "x-amz-meta-m", strings.Repeat("v", 2048)), 400, "MetadataTooLarge",
			"Your metadata headers exceed the maximum allowed metadata size",
			[]s3err.Field{{Name: "Size", Value: "2049"}, {Name: "MaxSizeAllowed", Value: "2048"}}},
		// versity/versitygw#2108 records S3's answer to If-None-Match other
		// than '*' on PutObject.
		{"PUT If-None-Match an ETag", signed(http.MethodPut, "/cat/five", []byte("x"), "If-None-Match", `"abc"`), 501, "NotImplemented",
			"A header you provided implies functionality that is not implemented",
			[]s3err.Field{{Name: "Header", Value: "If-None-Match"}, {Name: "additionalMessage", Value: "We don't accept the provided value of If-None-Match header for this API"}}},

		// NotImplemented has one text in S3, about headers, with <Header>
		// naming it (chilts/awssum#30 records S3's document); a subresource
		// terngate lacks gets the same text, as S3-compatible servers send
		// for APIs they lack (minio/mc#3370).
		{"PUT with x-amz-website-redirect-location", signed(http.MethodPut, "/cat/redirected", []byte("x"), "x-amz-website-redirect-location", "/a"), 501, "NotImplemented",
			"A header you provided implies functionality that is not implemented", []s3err.Field{{Name: "Header", Value: "x-amz-website-redirect-location"}}},
		// A bucket POST is a form upload (RESTObjectPOST.html); without a
		// multipart/form-data body S3 names the precondition it failed.
		{"POST to a bucket, not a form", signed(http.MethodPost, "/cat", nil), 412, "PreconditionFailed",
			"At least one of the pre-conditions you specified did not hold", []s3err.Field{{Name: "Condition", Value: "Bucket POST must be of the enclosure-type multipart/form-data"}}},
		{"GET bucket ?website", signed(http.MethodGet, "/cat?website", nil), 501, "NotImplemented",
			"A header you provided implies functionality that is not implemented", nil},
		// API_GetBucketTagging; ceph/s3-tests test_set_bucket_tagging.
		{"GET bucket ?tagging without tags", signed(http.MethodGet, "/cat?tagging", nil), 404, "NoSuchTagSet",
			"The TagSet does not exist", nil},
		{"GET object ?torrent", signed(http.MethodGet, "/cat/five?torrent", nil), 501, "NotImplemented",
			"A header you provided implies functionality that is not implemented", nil},

		// versity/versitygw#993, aws/aws-sdk-js-v3#1636: the argument is
		// named, not echoed.
		{"ListObjectsV2 with a forged token", signed(http.MethodGet, "/cat?list-type=2&continuation-token=forged", nil), 400, "InvalidArgument",
			"The continuation token provided is incorrect", []s3err.Field{{Name: "ArgumentName", Value: "continuation-token"}}},
		// gaul/s3proxy#304.
		{"UploadPartCopy with a range lacking bytes=", signed(http.MethodPut, "/cat/mp?partNumber=3&uploadId="+upload, nil, "x-amz-copy-source", "/cat/five", "x-amz-copy-source-range", "0-2"), 400, "InvalidArgument",
			"The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
			[]s3err.Field{{Name: "ArgumentName", Value: "x-amz-copy-source-range"}, {Name: "ArgumentValue", Value: "0-2"}}},

		// versity/versitygw#1388, #1389: S3 words a copy source without a
		// bucket or without a key apart.
		{"CopyObject, empty copy source", signed(http.MethodPut, "/cat/copy", nil, "x-amz-copy-source", ""), 400, "InvalidArgument",
			"Invalid copy source bucket name", nil},
		{"CopyObject, copy source without a key", signed(http.MethodPut, "/cat/copy", nil, "x-amz-copy-source", "cat"), 400, "InvalidArgument",
			"Invalid copy source object key", nil},
		{"UploadPartCopy, copy source without a key", signed(http.MethodPut, "/cat/mp?partNumber=3&uploadId="+upload, nil, "x-amz-copy-source", "/cat/"), 400, "InvalidArgument",
			"Invalid copy source object key", nil},

		// basho/riak_cs's table of S3 errors keys this text by the header.
		{"CopyObject, unknown metadata directive", signed(http.MethodPut, "/cat/copy", nil, "x-amz-copy-source", "/cat/five", "x-amz-metadata-directive", "MERGE"), 400, "InvalidArgument",
			"Unknown metadata directive.", []s3err.Field{{Name: "ArgumentName", Value: "x-amz-metadata-directive"}, {Name: "ArgumentValue", Value: "MERGE"}}},

		// versity/versitygw#915 and #917, #1000 record S3's answers.
		{"GetObjectAttributes without the header", signed(http.MethodGet, "/cat/five?attributes", nil), 400, "InvalidRequest",
			"The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty", nil},
		{"GetObjectAttributes of an unknown name", signed(http.MethodGet, "/cat/five?attributes", nil, "x-amz-object-attributes", "ETags"), 400, "InvalidArgument",
			"Invalid attribute name specified.", []s3err.Field{{Name: "ArgumentName", Value: "x-amz-object-attributes"}, {Name: "ArgumentValue", Value: "ETags"}}},

		// versity/versitygw#2174 records S3's document.
		{"ListObjectVersions, version-id-marker alone", signed(http.MethodGet, "/cat?versions&version-id-marker=null", nil), 400, "InvalidArgument",
			"A version-id marker cannot be specified without a key marker.", []s3err.Field{{Name: "ArgumentName", Value: "version-id-marker"}, {Name: "ArgumentValue", Value: "null"}}},

		// versity/versitygw#2044.
		{"GET If-Match other", signed(http.MethodGet, "/cat/five", nil, "If-Match", `"other"`), 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
			[]s3err.Field{{Name: "Condition", Value: "If-Match"}}},
		{"GET If-Unmodified-Since past", signed(http.MethodGet, "/cat/five", nil, "If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"), 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
			[]s3err.Field{{Name: "Condition", Value: "If-Unmodified-Since"}}},
		{"PUT If-None-Match * over an object", signed(http.MethodPut, "/cat/five", []byte("x"), "If-None-Match", "*"), 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
			[]s3err.Field{{Name: "Condition", Value: "If-None-Match"}}},

		// versity/versitygw#2069.
		{"Range past the end", signed(http.MethodGet, "/cat/five", nil, "Range", "bytes=100-200"), 416, "InvalidRange", "The requested range is not satisfiable",
			[]s3err.Field{{Name: "RangeRequested", Value: "bytes=100-200"}, {Name: "ActualObjectSize", Value: "5"}}},

		// apache/arrow-rs-object-store#211, versity/versitygw#2040, #1980.
		{"Complete with a small first part", signed(http.MethodPost, "/cat/mp?uploadId="+upload, completeDoc(part(1, smallETag), part(2, smallETag))), 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size",
			[]s3err.Field{{Name: "ProposedSize", Value: "3"}, {Name: "MinSizeAllowed", Value: fmt.Sprint(minPart)}, {Name: "PartNumber", Value: "1"}, {Name: "ETag", Value: smallETag}}},
		// versity/versitygw#1008, #2036 (two spaces after "found.").
		{"Complete with an unknown part", signed(http.MethodPost, "/cat/mp?uploadId="+upload, completeDoc(part(7, "gibberish"))), 400, "InvalidPart",
			"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
			[]s3err.Field{{Name: "UploadId", Value: upload}, {Name: "PartNumber", Value: "7"}, {Name: "ETag", Value: "gibberish"}}},
		{"UploadPart number 0", signed(http.MethodPut, "/cat/mp?partNumber=0&uploadId="+upload, small), 400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive",
			[]s3err.Field{{Name: "ArgumentName", Value: "partNumber"}, {Name: "ArgumentValue", Value: "0"}}},

		// versity/versitygw#1072 and #1398 record S3's answers.
		{"Complete with part number 0", signed(http.MethodPost, "/cat/mp?uploadId="+upload, completeDoc(part(0, smallETag))), 400, "InvalidArgument",
			"PartNumber must be >= 1", nil},
		{"Complete with x-amz-mp-object-size not a number", signed(http.MethodPost, "/cat/mp?uploadId="+upload, completeDoc(part(1, smallETag)), "x-amz-mp-object-size", "size"), 400, "InvalidRequest",
			"Value for x-amz-mp-object-size header is invalid: 'size'", nil},

		// versity/versitygw#2034 (computed digest in base64, the sent one in hex).
		{"PUT Content-MD5 of other bytes", signed(http.MethodPut, "/cat/md5", []byte("data"), "Content-MD5", b64(otherMD5[:])), 400, "BadDigest", "The Content-MD5 you specified did not match what we received.",
			[]s3err.Field{{Name: "CalculatedDigest", Value: b64(dataMD5[:])}, {Name: "ExpectedDigest", Value: hex.EncodeToString(otherMD5[:])}}},
		// versity/versitygw#1526.
		{"PUT Content-MD5 not base64", signed(http.MethodPut, "/cat/md5", []byte("data"), "Content-MD5", "dummy"), 400, "InvalidDigest", "The Content-MD5 you specified was invalid.",
			[]s3err.Field{{Name: "Content-MD5", Value: "dummy"}}},

		// Authentication.
		{"unknown access key", func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, g.endpoint+"/cat/five", nil)
			signRequest(t, req, sha256Hex(nil), "AKIDUNKNOWN", testSecretKey)
			return req
		}, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
			[]s3err.Field{{Name: "AWSAccessKeyId", Value: "AKIDUNKNOWN"}}},
		// badslug/Paw-AWSSignature4DynamicValue#4.
		{"unsigned x-amz header", func() *http.Request {
			req := signed(http.MethodGet, "/cat/five", nil)()
			req.Header.Set("X-Amz-Meta-Late", "1")
			return req
		}, 403, "AccessDenied", "There were headers present in the request which were not signed",
			[]s3err.Field{{Name: "HeadersNotSigned", Value: "x-amz-meta-late"}}},
		// versity/versitygw#1514.
		{"request two hours old", signedAt(twoHoursAgo, testRegion), 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.",
			[]s3err.Field{{Name: "RequestTime", Value: twoHoursAgo.Format("20060102T150405Z")}, {Name: "ServerTime", Value: anyValue}, {Name: "MaxAllowedSkewMilliseconds", Value: "900000"}}},
		// JuliaServices/CloudStore.jl#52.
		{"credential for another region", signedAt(time.Now(), "eu-west-1"), 400, "AuthorizationHeaderMalformed",
			"The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
			[]s3err.Field{{Name: "Region", Value: testRegion}}},
		// minio/minio#2986 quotes S3's document; exact values in auth's tests.
		{"wrong secret", func() *http.Request {
			return g.signedRequest(t, http.MethodGet, "/cat/five", nil, "wrong-secret")
		}, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			[]s3err.Field{{Name: "AWSAccessKeyId", Value: testAccessKey}, {Name: "StringToSign", Value: anyValue}, {Name: "SignatureProvided", Value: anyValue},
				{Name: "StringToSignBytes", Value: anyValue}, {Name: "CanonicalRequest", Value: anyValue}, {Name: "CanonicalRequestBytes", Value: anyValue}}},
		// versity/versitygw#2116, lukejacksonn/react-slack-clone#27.
		{"expired presigned URL", func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, g.endpoint+"/cat/five?X-Amz-Expires=60", nil)
			creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
			u, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", testRegion, twoHoursAgo)
			if err != nil {
				t.Fatal(err)
			}
			req, _ = http.NewRequest(http.MethodGet, u, nil)
			return req
		}, 403, "AccessDenied", "Request has expired",
			[]s3err.Field{{Name: "X-Amz-Expires", Value: "60"}, {Name: "Expires", Value: twoHoursAgo.Add(time.Minute).Format(s3err.TimeFormat)}, {Name: "ServerTime", Value: anyValue}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, tc.req())
			doc := parseErrorDoc(t, body)
			if resp.StatusCode != tc.status || doc.Code != tc.code || doc.Message != tc.msg {
				t.Fatalf("got %d %s %q, want %d %s %q\n%s", resp.StatusCode, doc.Code, doc.Message, tc.status, tc.code, tc.msg, body)
			}
			if tc.code == "NoSuchBucket" && doc.Elements["BucketName"] != "nobucket" {
				t.Errorf("BucketName %q, want nobucket\n%s", doc.Elements["BucketName"], body)
			}
			got := extraElements(t, body)
			if len(got) != len(tc.fields) {
				t.Fatalf("elements %v, want %v\n%s", got, tc.fields, body)
			}
			for i, want := range tc.fields {
				if got[i].Name != want.Name || (want.Value == anyValue && got[i].Value == "") || (want.Value != anyValue && got[i].Value != want.Value) {
					t.Errorf("element %d = %s=%q, want %s=%q", i, got[i].Name, got[i].Value, want.Name, want.Value)
				}
			}
		})
	}
	// The refused Complete left the upload whole.
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("cat"), Key: aws.String("mp"), UploadId: aws.String(upload)}); err != nil {
		t.Errorf("upload gone after refused Completes: %v", err)
	}
}

// TestMethodNotAllowedNamesAllowedMethods: a 405 carries the Allow header
// listing the methods the resource takes. S3 answers a POST to the service
// with "Allow: GET" (versity/versitygw#1810 records the answer); RFC 9110
// section 15.5.6 requires the header on every 405.
func TestMethodNotAllowedNamesAllowedMethods(t *testing.T) {
	g := startMPGateway(t, 10, time.Hour)
	g.mustCreateBucket(t, "allow")
	g.mustPut(t, "allow", "k", "v")
	for _, tc := range []struct {
		method, path, allow string
	}{
		{http.MethodPost, "/", "GET"},
		{http.MethodPatch, "/allow", "GET, HEAD, PUT, DELETE"},
		{http.MethodPatch, "/allow/k", "GET, HEAD, PUT, DELETE"},
		{http.MethodPut, "/allow?location", "GET"},
		{http.MethodPatch, "/allow/k?uploadId=u", "GET, PUT, POST, DELETE"},
		{http.MethodPost, "/allow?policy", "DELETE, GET, PUT"},
	} {
		resp, body := do(t, g.signedRequest(t, tc.method, tc.path, nil, testSecretKey))
		doc := parseErrorDoc(t, body)
		if resp.StatusCode != http.StatusMethodNotAllowed || doc.Code != "MethodNotAllowed" {
			t.Errorf("%s %s: %d %s, want 405 MethodNotAllowed", tc.method, tc.path, resp.StatusCode, doc.Code)
			continue
		}
		if got := resp.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}
