package refserver

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func do(t *testing.T, method, url string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, got
}

func TestPutGetDelete(t *testing.T) {
	srv := httptest.NewServer(New(t.TempDir(), slog.New(slog.DiscardHandler), 1<<20))
	defer srv.Close()
	body := bytes.Repeat([]byte("terngate"), 300_000) // spans several copy buffers
	sum := sha256.Sum256(body)
	md := md5.Sum(body)

	resp, _ := do(t, http.MethodPut, srv.URL+"/b/dir/obj", body, map[string]string{"X-Amz-Content-Sha256": hex.EncodeToString(sum[:])})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %s", resp.Status)
	}
	if want := `"` + hex.EncodeToString(md[:]) + `"`; resp.Header.Get("ETag") != want {
		t.Fatalf("ETag %s, want %s", resp.Header.Get("ETag"), want)
	}
	resp, got := do(t, http.MethodGet, srv.URL+"/b/dir/obj", nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Fatalf("GET: %s, %d bytes", resp.Status, len(got))
	}
	if resp, _ := do(t, http.MethodDelete, srv.URL+"/b/dir/obj", nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %s", resp.Status)
	}
	if resp, _ := do(t, http.MethodGet, srv.URL+"/b/dir/obj", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET after DELETE: %s", resp.Status)
	}
}

func TestPutRejectsAWrongPayloadHash(t *testing.T) {
	srv := httptest.NewServer(New(t.TempDir(), slog.New(slog.DiscardHandler), 1<<20))
	defer srv.Close()
	wrong := sha256.Sum256([]byte("something else"))
	resp, _ := do(t, http.MethodPut, srv.URL+"/b/k", []byte("body"), map[string]string{"X-Amz-Content-Sha256": hex.EncodeToString(wrong[:])})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("PUT with a wrong hash: %s", resp.Status)
	}
	if resp, _ := do(t, http.MethodGet, srv.URL+"/b/k", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a rejected PUT left an object: %s", resp.Status)
	}
	resp, _ = do(t, http.MethodPut, srv.URL+"/b/k", []byte("body"), map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("unsigned PUT: %s", resp.Status)
	}
}
