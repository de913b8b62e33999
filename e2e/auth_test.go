package e2e

import (
	"encoding/xml"
	"net/http"
	"testing"
	"time"
)

// TestAuthFailures checks the errors for missing, wrong and unknown
// credentials and for a body that does not match its signed hash.
func TestAuthFailures(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/authz"}), http.StatusOK, "create bucket")
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/authz/present", bodyBytes: []byte("x")}), http.StatusOK, "PUT present")

	cases := []struct {
		name   string
		req    rawRequest
		status int
		code   string
	}{
		{"no signature, list", rawRequest{method: "GET", rawPath: "/authz", unsigned: true}, http.StatusForbidden, "AccessDenied"},
		{"no signature, get", rawRequest{method: "GET", rawPath: "/authz/present", unsigned: true}, http.StatusForbidden, "AccessDenied"},
		{"no signature, put", rawRequest{method: "PUT", rawPath: "/authz/anon", bodyBytes: []byte("x"), unsigned: true}, http.StatusForbidden, "AccessDenied"},
		{"wrong secret", rawRequest{method: "GET", rawPath: "/authz/present", accessKey: g.accessKey, secretKey: "not-the-secret"}, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"unknown access key", rawRequest{method: "GET", rawPath: "/authz/present", accessKey: "AKIDNOTKNOWN00000000", secretKey: g.secretKey}, http.StatusForbidden, "InvalidAccessKeyId"},
		{"body does not match signed sha256", rawRequest{method: "PUT", rawPath: "/authz/tampered", bodyBytes: []byte("the real body"),
			payloadHash: sha256Hex([]byte("the signed body"))}, http.StatusBadRequest, "XAmzContentSHA256Mismatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := g.do(t, ctx, tc.req)
			if resp.status != tc.status || resp.errorCode() != tc.code {
				t.Errorf("%d %s, want %d %s; body: %s", resp.status, resp.errorCode(), tc.status, tc.code, resp.body)
			}
			id := resp.header.Get("x-amz-request-id")
			if id == "" {
				t.Errorf("no x-amz-request-id header on the error response")
			}
			var doc s3Error
			if err := xml.Unmarshal(resp.body, &doc); err != nil || doc.RequestID != id {
				t.Errorf("error body RequestId %q (%v) differs from the x-amz-request-id header %q", doc.RequestID, err, id)
			}
			if ct := resp.header.Get("Content-Type"); ct != "application/xml" && ct != "application/xml; charset=utf-8" {
				t.Errorf("error Content-Type %q, want application/xml", ct)
			}
		})
	}
	for _, key := range []string{"anon", "tampered"} {
		resp := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/authz/" + key})
		if resp.status != http.StatusNotFound || resp.errorCode() != "NoSuchKey" {
			t.Errorf("GET %s after the rejected PUT: %d %s, want 404 NoSuchKey", key, resp.status, resp.errorCode())
		}
	}
}
