package e2e

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pathCase is a key written on the wire one way and stored as another.
type pathCase struct {
	wire string // path after "/<bucket>/", percent-encoded as sent
	key  string // the key S3 must store: the wire path percent-decoded, nothing cleaned
	// mayReject allows a 400 instead of storing the key (NUL in a key can
	// not be listed in XML 1.0 without encoding-type=url).
	mayReject bool
}

func traversalCases(marker string) []pathCase {
	return []pathCase{
		{wire: "dotdot/../x", key: "dotdot/../x"},
		{wire: "../../etc/passwd", key: "../../etc/passwd"},
		{wire: "%2e%2e/%2e%2e/etc/shadow", key: "../../etc/shadow"},
		{wire: "..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Ftmp%2F" + marker, key: "../../../../../../../../tmp/" + marker},
		{wire: "enc%2Fslash%2F..%2F..%2F" + marker, key: "enc/slash/../../" + marker},
		{wire: "nul%00byte", key: "nul\x00byte", mayReject: true},
		{wire: "/etc/passwd", key: "/etc/passwd"},
		{wire: "..", key: ".."},
		{wire: ".", key: "."},
		{wire: "a/./b/../c", key: "a/./b/../c"},
		{wire: "%2E%2E%2F" + marker, key: "../" + marker},
	}
}

// s3EscapePath is the canonical wire form of a key: every byte escaped
// except unreserved characters and '/'.
func s3EscapePath(key string) string {
	var b strings.Builder
	for _, c := range []byte(key) {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}

// TestPathTraversalKeys stores keys that look like paths escaping the data
// dir, reads them back exactly and checks nothing appeared outside.
func TestPathTraversalKeys(t *testing.T) {
	dataDir := newDataDir(t)
	// Watch the test's whole temp root (the data dir's grandparent): a key
	// resolved naively under <data>/<bucket>/ lands there with two "..".
	parent := filepath.Dir(filepath.Dir(dataDir))
	passwdBefore, _ := os.ReadFile("/etc/passwd")
	g := startGateway(t, dataDir)
	ctx := testContext(t, 2*time.Minute)
	marker := "terngate-e2e-escape-" + filepathSafeName(t.Name()) + "-" + time.Now().Format("150405.000000")
	for _, b := range []string{"attacker", "victim"} {
		expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/" + b}), http.StatusOK, "create bucket "+b)
	}
	outsideBefore := outsideFiles(t, parent, dataDir)

	stored := map[string][]byte{}
	for _, pc := range traversalCases(marker) {
		body := []byte("body for " + pc.key)
		resp := g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/attacker/" + pc.wire, bodyBytes: body})
		if pc.mayReject && resp.status == http.StatusBadRequest {
			t.Logf("PUT %q rejected with 400 %s (allowed)", pc.wire, resp.errorCode())
			continue
		}
		if resp.status != http.StatusOK {
			t.Errorf("PUT /attacker/%s: %d %s, want 200 (S3 stores key %q as is)", pc.wire, resp.status, resp.body, pc.key)
			continue
		}
		stored[pc.key] = body
	}
	for key, body := range stored {
		resp := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/attacker/" + s3EscapePath(key)})
		if resp.status != http.StatusOK || !bytes.Equal(resp.body, body) {
			t.Errorf("GET key %q: %d %q, want 200 %q", key, resp.status, resp.body, body)
		}
	}
	listed := map[string]bool{}
	for _, k := range listKeysURLEncoded(t, g, "attacker", 1000) {
		listed[k] = true
	}
	for key := range stored {
		if !listed[key] {
			t.Errorf("key %q missing from the listing (listed: %q)", key, sortedKeys(listed))
		}
	}
	if len(listed) != len(stored) {
		t.Errorf("listing has %d keys, %d were stored: %q", len(listed), len(stored), sortedKeys(listed))
	}

	// Another bucket's object is not reachable through '..' in the path.
	secret := []byte("victim's secret")
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/victim/secret", bodyBytes: secret}), http.StatusOK, "PUT victim/secret")
	for _, wire := range []string{"/attacker/../victim/secret", "/attacker/%2e%2e/victim/secret", "/attacker/..%2Fvictim%2Fsecret"} {
		resp := g.do(t, ctx, rawRequest{method: "GET", rawPath: wire})
		if bytes.Contains(resp.body, secret) {
			t.Errorf("GET %s returned the victim bucket's object", wire)
		}
		if resp.status != http.StatusNotFound || resp.errorCode() != "NoSuchKey" {
			t.Errorf("GET %s: %d %s, want 404 NoSuchKey (key ../victim/secret in bucket attacker)", wire, resp.status, resp.errorCode())
		}
	}
	resp := g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/attacker/../victim/secret", bodyBytes: []byte("overwrite")})
	expectStatus(t, resp, http.StatusOK, "PUT /attacker/../victim/secret (key ../victim/secret in attacker)")
	resp = g.do(t, ctx, rawRequest{method: "GET", rawPath: "/victim/secret"})
	if !bytes.Equal(resp.body, secret) {
		t.Errorf("victim/secret changed to %q by a PUT to /attacker/../victim/secret", resp.body)
	}

	g.stop()
	outsideAfter := outsideFiles(t, parent, dataDir)
	for f := range outsideAfter {
		if _, ok := outsideBefore[f]; !ok {
			t.Errorf("file %s appeared outside the data dir", f)
		}
	}
	if passwdAfter, _ := os.ReadFile("/etc/passwd"); !bytes.Equal(passwdBefore, passwdAfter) {
		t.Errorf("/etc/passwd changed during the test")
	}
	for _, p := range []string{filepath.Join("/tmp", marker), filepath.Join(parent, marker), filepath.Join(filepath.Dir(parent), marker), "/" + marker} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was created outside the data dir", p)
		}
	}
}

func filepathSafeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}

// outsideFiles lists files under parent that are not in dataDir.
func outsideFiles(t *testing.T, parent, dataDir string) map[string]int64 {
	out := map[string]int64{}
	rel, _ := filepath.Rel(parent, dataDir)
	for f, size := range treeFiles(t, parent) {
		if f == rel || strings.HasPrefix(f, rel+string(filepath.Separator)) {
			continue
		}
		out[f] = size
	}
	return out
}

func expectStatus(t *testing.T, resp *rawResponse, want int, what string) {
	t.Helper()
	if resp.status != want {
		t.Fatalf("%s: status %d, want %d; body: %s", what, resp.status, want, resp.body)
	}
}

type listV2Result struct {
	Keys                  []string `xml:"Contents>Key"`
	IsTruncated           bool     `xml:"IsTruncated"`
	NextContinuationToken string   `xml:"NextContinuationToken"`
	EncodingType          string   `xml:"EncodingType"`
}

// listKeysURLEncoded lists a whole bucket (V2, pages of maxKeys) with
// encoding-type=url, so keys with bytes XML cannot carry come back intact,
// and returns the decoded keys in listing order.
func listKeysURLEncoded(t *testing.T, g *gateway, bucket string, maxKeys int) []string {
	t.Helper()
	ctx := testContext(t, time.Minute)
	var keys []string
	token := ""
	for range 1000 {
		q := url.Values{"list-type": {"2"}, "encoding-type": {"url"}, "max-keys": {strconv.Itoa(maxKeys)}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		resp := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/" + bucket, rawQuery: strings.ReplaceAll(q.Encode(), "+", "%20")})
		expectStatus(t, resp, http.StatusOK, "ListObjectsV2 encoding-type=url")
		var res listV2Result
		if err := xml.Unmarshal(resp.body, &res); err != nil {
			t.Fatalf("ListObjectsV2 XML: %v\n%s", err, resp.body)
		}
		if res.EncodingType != "url" {
			t.Errorf("ListObjectsV2 EncodingType %q, want url", res.EncodingType)
		}
		for _, k := range res.Keys {
			// S3's url encoding is form encoding: '+' stands for a space.
			dec, err := url.QueryUnescape(k)
			if err != nil {
				t.Fatalf("listed key %q is not url-encoded: %v", k, err)
			}
			keys = append(keys, dec)
		}
		if !res.IsTruncated {
			return keys
		}
		token = res.NextContinuationToken
	}
	t.Fatal("listing did not end after 1000 pages")
	return nil
}
