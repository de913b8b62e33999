package s3api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// corsRules is the configuration the CORS tests install: the first rule
// names one origin, the second allows any origin to GET.
var corsRules = []types.CORSRule{
	{
		ID:             aws.String("app"),
		AllowedOrigins: []string{"https://app.example.com", "https://*.example.org"},
		AllowedMethods: []string{"GET", "PUT", "POST"},
		AllowedHeaders: []string{"content-type", "x-amz-*"},
		ExposeHeaders:  []string{"ETag", "x-amz-request-id"},
		MaxAgeSeconds:  aws.Int32(600),
	},
	{
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{"GET", "HEAD"},
	},
}

func TestBucketCORSConfigurationRoundTrip(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "cors")
	ctx := context.Background()
	c := g.client()

	// API_GetBucketCors: a bucket without a configuration answers
	// NoSuchCORSConfiguration, 404.
	_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cors")})
	expectAPIError(t, err, "NoSuchCORSConfiguration", http.StatusNotFound)

	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{
		Bucket:            aws.String("cors"),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: corsRules},
	}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cors")})
	if err != nil {
		t.Fatalf("GetBucketCors: %v", err)
	}
	if len(got.CORSRules) != 2 || aws.ToString(got.CORSRules[0].ID) != "app" ||
		aws.ToInt32(got.CORSRules[0].MaxAgeSeconds) != 600 ||
		strings.Join(got.CORSRules[0].AllowedOrigins, " ") != "https://app.example.com https://*.example.org" ||
		strings.Join(got.CORSRules[1].AllowedMethods, " ") != "GET HEAD" {
		t.Fatalf("GetBucketCors returned %+v", got.CORSRules)
	}

	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("cors")}); err != nil {
		t.Fatalf("DeleteBucketCors: %v", err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cors")})
	expectAPIError(t, err, "NoSuchCORSConfiguration", http.StatusNotFound)

	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("missing")})
	expectAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
}

// TestPutBucketCORSRefusesInvalidConfigurations checks the validation
// PutBucketCors does. Sources: API_CORSRule ("Valid values are GET, PUT,
// HEAD, POST, and DELETE"; one wildcard in AllowedOrigin and
// AllowedHeader), API_CORSConfiguration ("up to 100 rules"); the texts are
// S3's InvalidRequest answers as ceph/s3-tests test_set_cors and the AWS
// user guide's CORS troubleshooting quote them.
func TestPutBucketCORSRefusesInvalidConfigurations(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "cors")
	rule := func(origin, method, header string) string {
		return fmt.Sprintf("<CORSRule><AllowedOrigin>%s</AllowedOrigin><AllowedMethod>%s</AllowedMethod><AllowedHeader>%s</AllowedHeader></CORSRule>", origin, method, header)
	}
	doc := func(rules ...string) string {
		return `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(rules, "") + `</CORSConfiguration>`
	}
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = rule("*", "GET", "*")
	}
	cases := []struct {
		name, body, code, message string
	}{
		{"method", doc(rule("*", "PATCH", "*")), "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
		{"origin wildcards", doc(rule("http://*.*.com", "GET", "*")), "InvalidRequest", `AllowedOrigin "http://*.*.com" can not have more than one wildcard.`},
		{"header wildcards", doc(rule("*", "GET", "x-*-*")), "InvalidRequest", `AllowedHeader "x-*-*" can not have more than one wildcard.`},
		{"no rules", doc(), "MalformedXML", ""},
		{"no origin", doc("<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>"), "MalformedXML", ""},
		{"no method", doc("<CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>"), "MalformedXML", ""},
		{"101 rules", doc(tooMany...), "MalformedXML", ""},
		{"not XML", "<CORSConfiguration>", "MalformedXML", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, g.signedRequest(t, http.MethodPut, "/cors?cors", []byte(tc.body), testSecretKey))
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "<Code>"+tc.code+"</Code>") {
				t.Fatalf("status %d body %s, want 400 %s", resp.StatusCode, body, tc.code)
			}
			if tc.message != "" && !strings.Contains(string(body), "<Message>"+xmlEscape(tc.message)+"</Message>") {
				t.Fatalf("body %s, want message %q", body, tc.message)
			}
		})
	}
	_, err := g.client().GetBucketCors(context.Background(), &s3.GetBucketCorsInput{Bucket: aws.String("cors")})
	expectAPIError(t, err, "NoSuchCORSConfiguration", http.StatusNotFound)
}

func xmlEscape(s string) string {
	return strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(s)
}

// TestCORSPreflight drives OPTIONS preflights, which S3 serves unsigned
// (AmazonS3/latest/userguide/cors.html, "How does Amazon S3 evaluate the
// CORS configuration on a bucket?": the first rule matching the origin,
// the Access-Control-Request-Method and every
// Access-Control-Request-Headers name applies).
func TestCORSPreflight(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "cors")
	preflight := func(t *testing.T, path string, headers map[string]string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodOptions, g.endpoint+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, body := do(t, req)
		return resp, string(body)
	}
	put := map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"}

	// No configuration yet: 403 AccessForbidden, naming the method and
	// the kind of resource.
	resp, body := preflight(t, "/cors/k", put)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "<Code>AccessForbidden</Code>") ||
		!strings.Contains(body, "CORSResponse: CORS is not enabled for this bucket.") ||
		!strings.Contains(body, "<Method>PUT</Method><ResourceType>OBJECT</ResourceType>") {
		t.Fatalf("preflight without configuration: %d %s", resp.StatusCode, body)
	}

	if _, err := g.client().PutBucketCors(context.Background(), &s3.PutBucketCorsInput{
		Bucket:            aws.String("cors"),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: corsRules},
	}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}

	t.Run("named origin", func(t *testing.T) {
		resp, body := preflight(t, "/cors/k", map[string]string{
			"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
			"Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-Color",
		})
		want := map[string]string{
			"Access-Control-Allow-Origin":      "https://app.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods":     "GET, PUT, POST",
			"Access-Control-Allow-Headers":     "content-type, x-amz-meta-color",
			"Access-Control-Expose-Headers":    "ETag, x-amz-request-id",
			"Access-Control-Max-Age":           "600",
			"Vary":                             "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d %s", resp.StatusCode, body)
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
	})
	t.Run("wildcard origin pattern", func(t *testing.T) {
		resp, body := preflight(t, "/cors", map[string]string{"Origin": "https://a.b.example.org", "Access-Control-Request-Method": "POST"})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "https://a.b.example.org" {
			t.Fatalf("status %d %s headers %v", resp.StatusCode, body, resp.Header)
		}
	})
	t.Run("any origin", func(t *testing.T) {
		resp, body := preflight(t, "/cors/k", map[string]string{"Origin": "https://elsewhere.test", "Access-Control-Request-Method": "GET"})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
			resp.Header.Get("Access-Control-Allow-Credentials") != "" || resp.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" {
			t.Fatalf("status %d %s headers %v", resp.StatusCode, body, resp.Header)
		}
	})
	refusals := []struct {
		name    string
		headers map[string]string
		status  int
		code    string
		message string
	}{
		{"origin not allowed", map[string]string{"Origin": "https://evil.test", "Access-Control-Request-Method": "PUT"},
			http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed."},
		{"header not allowed", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization"},
			http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed."},
		{"method not allowed", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE"},
			http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed."},
		{"no origin", map[string]string{"Access-Control-Request-Method": "PUT"},
			http.StatusBadRequest, "BadRequest", "Insufficient information. Origin request header needed."},
		{"no method", map[string]string{"Origin": "https://app.example.com"},
			http.StatusBadRequest, "BadRequest", "Invalid Access-Control-Request-Method: null"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := preflight(t, "/cors/k", tc.headers)
			if resp.StatusCode != tc.status || !strings.Contains(body, "<Code>"+tc.code+"</Code>") || !strings.Contains(body, tc.message) {
				t.Fatalf("status %d body %s, want %d %s %q", resp.StatusCode, body, tc.status, tc.code, tc.message)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("refused preflight granted %q", resp.Header.Get("Access-Control-Allow-Origin"))
			}
		})
	}
}

// TestCORSHeadersOnRequests checks that a request carrying an Origin gets
// the matching rule's headers, on success and on error, and that one
// without an Origin or with an origin no rule allows gets none.
func TestCORSHeadersOnRequests(t *testing.T) {
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "cors")
	g.mustPut(t, "cors", "k", "hello")
	if _, err := g.client().PutBucketCors(context.Background(), &s3.PutBucketCorsInput{
		Bucket:            aws.String("cors"),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: corsRules},
	}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	get := func(path, origin string) *http.Response {
		req := g.signedRequest(t, http.MethodGet, path, nil, testSecretKey)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, _ := do(t, req)
		return resp
	}
	resp := get("/cors/k", "https://app.example.com")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		resp.Header.Get("Access-Control-Expose-Headers") != "ETag, x-amz-request-id" {
		t.Fatalf("GET with origin: %d %v", resp.StatusCode, resp.Header)
	}
	resp = get("/cors/missing", "https://app.example.com")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("failed GET with origin: %d %v", resp.StatusCode, resp.Header)
	}
	if resp = get("/cors/k", ""); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("GET without origin got CORS headers %v", resp.Header)
	}
	if resp = get("/cors/k", "https://evil.test"); resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		// The second rule allows any origin to GET.
		t.Fatalf("GET from another origin: %v", resp.Header)
	}
	req := g.signedRequest(t, http.MethodDelete, "/cors/k", nil, testSecretKey)
	req.Header.Set("Origin", "https://evil.test")
	if resp, _ := do(t, req); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("DELETE from an origin no rule allows got %v", resp.Header)
	}
}
