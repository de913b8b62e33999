package s3api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/syncbuf"
)

// The access line names the request once, with the ID the client got in
// x-amz-request-id, and carries the fields operators match on.
func TestAccessLine(t *testing.T) {
	var out syncbuf.Buffer
	g := startGateway(t, Config{Logger: slog.New(slog.NewJSONHandler(&out, nil))})
	g.mustCreateBucket(t, "logged")
	resp, _ := do(t, g.signedRequest(t, http.MethodGet, "/logged/missing", nil, testSecretKey))
	id := resp.Header.Get("x-amz-request-id")

	var line string
	for deadline := time.Now().Add(5 * time.Second); line == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for l := range strings.SplitSeq(out.String(), "\n") {
			if strings.Contains(l, id) {
				line = l
			}
		}
	}
	if line == "" {
		t.Fatalf("no access line names request %s in:\n%s", id, out.String())
	}
	if n := strings.Count(line, `"request_id"`); n != 1 {
		t.Errorf("request_id appears %d times in %s", n, line)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"level": "INFO", "msg": "request", "operation": "GetObject", "method": "GET",
		"bucket": "logged", "key": "missing", "status": float64(404),
		"bytes_in": float64(0), "access_key": testAccessKey, "request_id": id,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, line)
		}
	}
	for _, k := range []string{"time", "bytes_out", "duration_ms", "remote_addr"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %s in %s", k, line)
		}
	}
}
