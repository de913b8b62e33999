package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

const benchRegion = "us-east-1"

// credentials is the key pair both servers are started with and the client
// signs with (the reference server ignores the signature, not the payload
// hash).
type credentials struct {
	accessKey, secretKey string
}

func newCredentials() (credentials, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return credentials{}, fmt.Errorf("generate secret: %w", err)
	}
	return credentials{accessKey: "TERNGATEBENCH0000000", secretKey: hex.EncodeToString(b)}, nil
}

// newClient returns the one client configuration used against both servers:
// path-style, SigV4 with a signed SHA-256 payload, no retries (a retry would
// hide a failure inside a timing), and no flexible checksums (CRC32 by
// default in recent SDKs), which S3 does not require and which would add
// work on one server and not the other.
func newClient(endpoint string, creds credentials, concurrency int) *s3.Client {
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = concurrency
		t.DisableCompression = true
	})
	cfg := aws.Config{
		Region:                     benchRegion,
		Credentials:                awscreds.NewStaticCredentialsProvider(creds.accessKey, creds.secretKey, ""),
		HTTPClient:                 httpClient,
		Retryer:                    func() aws.Retryer { return aws.NopRetryer{} },
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}

// withPayloadHash makes the SDK sign hash as the body's SHA-256 instead of
// reading the whole body once more to compute it. The request on the wire is
// the one the SDK would send (x-amz-content-sha256 is the real hash, checked
// by the server); only the client's serial hashing pass before the first
// byte is sent is taken out of the timed phase, where it would dilute the
// difference between the servers. The hash is computed once per body,
// outside any timing.
func withPayloadHash(hash string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("BenchPrecomputedPayloadHash",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
				middleware.FinalizeOutput, middleware.Metadata, error,
			) {
				return next.HandleFinalize(v4.SetPayloadHash(ctx, hash), in)
			}), middleware.Before)
	}
}
