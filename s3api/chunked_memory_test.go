package s3api

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terngate/terngate/auth"
)

// A large aws-chunked body sent with Transfer-Encoding: chunked and no
// Content-Length (botocore over HTTPS) streams through fasthttp and the
// decoder into the store: the heap stays far below the object's size.
func TestTransferEncodingChunkedBodyStreams(t *testing.T) {
	const size = 192 << 20
	g := startGateway(t, Config{})
	g.mustCreateBucket(t, "stream")

	req, err := http.NewRequest(http.MethodPut, g.endpoint+"/stream/big", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(size))
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	signRequest(t, req, auth.StreamingUnsignedPayloadTrailer, testAccessKey, testSecretKey)

	pr, pw := io.Pipe()
	go func() {
		crc := crc32.NewIEEE()
		fmt.Fprintf(pw, "%x\r\n", size)
		block := make([]byte, 1<<20)
		for i := 0; i < size/len(block); i++ {
			for j := 0; j < len(block); j += 8 {
				binary.LittleEndian.PutUint64(block[j:], uint64(i)<<32|uint64(j))
			}
			crc.Write(block)
			if _, err := pw.Write(block); err != nil {
				return
			}
		}
		fmt.Fprintf(pw, "\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", base64.StdEncoding.EncodeToString(crc.Sum(nil)))
		pw.Close()
	}()
	req.Body = pr
	req.ContentLength = -1 // Transfer-Encoding: chunked

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
	if resp.StatusCode != 200 {
		t.Fatalf("chunked PUT: %d %s", resp.StatusCode, body)
	}
	info, err := g.layer.Stat(req.Context(), "stream", "big")
	if err != nil || info.Size != size || info.Metadata.Checksums["CRC32"] == "" {
		t.Fatalf("stored %+v, %v", info, err)
	}
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("heap in use grew by at most %d KiB", grew>>10)
	if grew > 64<<20 {
		t.Errorf("heap grew by %d MiB while a %d MiB chunked body streamed in", grew>>20, size>>20)
	}
}
