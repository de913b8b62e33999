package s3api

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// A large form upload streams from the connection through the form reader
// into the store: the heap stays far below the file's size, and the stored
// object is the file, byte for byte (its MD5 is the ETag).
func TestPostObjectFileStreams(t *testing.T) {
	const size = 160 << 20
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "stream")
	fields := signedPolicy(t, time.Now().Add(time.Hour), []any{
		map[string]string{"bucket": "stream"}, map[string]string{"key": "big"},
		[]any{"content-length-range", 1, size},
	}, formField{"key", "big"})

	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	sum := md5.New()
	go func() {
		for _, f := range fields {
			w.WriteField(f.name, f.value)
		}
		fw, _ := w.CreateFormFile("file", "big.bin")
		block := make([]byte, 1<<20)
		for i := 0; i < size/len(block); i++ {
			for j := 0; j < len(block); j += 8 {
				binary.LittleEndian.PutUint64(block[j:], uint64(i)<<32|uint64(j))
			}
			sum.Write(block)
			if _, err := fw.Write(block); err != nil {
				return
			}
		}
		w.Close()
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, g.endpoint+"/stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	resp, body := do(t, req)
	close(stop)
	<-sampled
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	info, err := g.layer.Stat(req.Context(), "stream", "big")
	if err != nil || info.Size != size || info.ETag != hex.EncodeToString(sum.Sum(nil)) {
		t.Fatalf("stored %+v, %v", info, err)
	}
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("heap in use grew by at most %d KiB", grew>>10)
	if grew > 64<<20 {
		t.Errorf("heap grew by %d MiB while a %d MiB form file streamed in", grew>>20, size>>20)
	}
}
