package s3api

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"testing"
)

// These benchmarks measure the gateway's cost per small request: the real
// fiber app on the local store, over a loopback socket, driven by net/http
// with one keep-alive connection. Each request is signed once (SigV4 with
// the body's SHA-256, as `terngate bench` sends them) and replayed, so the
// client adds as little as it can; ns/op and allocs/op still include the
// client's share, which the changes measured here leave alone.

const benchSmallSize = 4 << 10

// benchRequest is a signed request replayed on every iteration.
type benchRequest struct {
	method, url string
	header      http.Header
	body        []byte
}

func newBenchRequest(b *testing.B, g *gateway, method, path string, body []byte) benchRequest {
	req := g.signedRequest(b, method, path, body, testSecretKey)
	return benchRequest{method: method, url: req.URL.String(), header: req.Header, body: body}
}

func (br benchRequest) do(b *testing.B, client *http.Client, wantStatus int) {
	req, err := http.NewRequest(br.method, br.url, bytes.NewReader(br.body))
	if err != nil {
		b.Fatal(err)
	}
	maps.Copy(req.Header, br.header)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != wantStatus {
		b.Fatalf("%s %s: status %d, want %d", br.method, br.url, resp.StatusCode, wantStatus)
	}
}

func benchGateway(b *testing.B) (*gateway, *http.Client, []byte) {
	g := startGateway(b, Config{})
	g.mustCreateBucket(b, "bench")
	body := bytes.Repeat([]byte("terngate"), benchSmallSize/8)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	b.Cleanup(client.CloseIdleConnections)
	put := newBenchRequest(b, g, http.MethodPut, "/bench/object", body)
	put.do(b, client, http.StatusOK)
	return g, client, body
}

func BenchmarkSmallRequest(b *testing.B) {
	g, client, body := benchGateway(b)
	cases := []struct {
		name   string
		req    benchRequest
		status int
	}{
		{"GET", newBenchRequest(b, g, http.MethodGet, "/bench/object", nil), http.StatusOK},
		{"HEAD", newBenchRequest(b, g, http.MethodHead, "/bench/object", nil), http.StatusOK},
		{"PUT", newBenchRequest(b, g, http.MethodPut, "/bench/object", body), http.StatusOK},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.req.do(b, client, c.status)
			}
		})
	}
}
