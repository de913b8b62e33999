package checksum

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestAgainstAWSSDK lets aws-sdk-go-v2 compute the checksum of a PutObject
// (its checksum package is internal, so it is driven through the client)
// and checks that FromHeaders and the verifier accept exactly that request
// and store the value the SDK sent.
func TestAgainstAWSSDK(t *testing.T) {
	type received struct {
		header http.Header
		body   []byte
	}
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), body}
		w.Header().Set("ETag", `"0"`)
	}))
	defer srv.Close()

	client := s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		HTTPClient:                 srv.Client(),
	})
	body := bytes.Repeat([]byte("terngate checksum "), 5000)
	sdkAlgorithms := map[Algorithm]types.ChecksumAlgorithm{
		CRC32:     types.ChecksumAlgorithmCrc32,
		CRC32C:    types.ChecksumAlgorithmCrc32c,
		CRC64NVME: types.ChecksumAlgorithmCrc64nvme,
		SHA1:      types.ChecksumAlgorithmSha1,
		SHA256:    types.ChecksumAlgorithmSha256,
	}
	for a, sdkAlg := range sdkAlgorithms {
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket:            aws.String("bucket"),
			Key:               aws.String("key"),
			Body:              bytes.NewReader(body),
			ChecksumAlgorithm: sdkAlg,
		})
		if err != nil {
			t.Fatalf("%s: PutObject: %v", a, err)
		}
		req := <-got
		sent := req.header.Get(HeaderName(a))
		if sent == "" {
			t.Fatalf("%s: the SDK sent no %s header (headers %v)", a, HeaderName(a), req.header)
		}
		if !bytes.Equal(req.body, body) {
			t.Fatalf("%s: body was re-encoded (%d bytes)", a, len(req.body))
		}
		spec, err := FromHeaders(req.header)
		if err != nil || spec != (Spec{Algorithm: a, Value: sent}) {
			t.Fatalf("%s: FromHeaders = %+v, %v", a, spec, err)
		}
		r := NewVerifier(bytes.NewReader(req.body), spec)
		if _, err := io.Copy(io.Discard, r); err != nil {
			t.Fatalf("%s: verifier rejected the SDK's checksum: %v", a, err)
		}
		if r.Sums()[a] != sent || Checksum(a, body) != sent {
			t.Fatalf("%s: stored %v, SDK sent %s", a, r.Sums(), sent)
		}
	}
}
