package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

// TestSSETernFSBlocks is the security check on a real TernFS cluster: a
// known plaintext written with SSE-S3 and SSE-C, as single PUTs and as
// multipart uploads, appears in no file the cluster wrote since the test
// began (block files, and the shards' databases, which hold small spans),
// while the same kind of objects written without encryption are found
// there, so the search can fail. TERNFS_BLOCKS_DIR names the directory the
// block services (and shards) keep their files under (/opt/ternfs/run in
// the development cluster). Source: AWS user guide, "Protecting data with
// server-side encryption" (data is encrypted before it is written to disk).
func TestSSETernFSBlocks(t *testing.T) {
	blocksDir := os.Getenv("TERNFS_BLOCKS_DIR")
	if ternfsRegistry() == "" || blocksDir == "" {
		t.Skip("needs TERNFS_REGISTRY (a TernFS cluster) and TERNFS_BLOCKS_DIR (the directory its block services write under, e.g. /opt/ternfs/run)")
	}
	since := time.Now().Add(-2 * time.Second) // file times are coarser than the clock
	g := startSSEGateway(t)                   // on the cluster: TERNFS_REGISTRY is set
	var nonce [6]byte
	_, _ = rand.Read(nonce[:])
	// Markers of this run only, so files of earlier runs cannot answer for it.
	secret := []byte("E2E-TERNFS-SECRET-" + hex.EncodeToString(nonce[:]) + "-")
	control := []byte("E2E-TERNFS-PLAIN-" + hex.EncodeToString(nonce[:]) + "-")

	mc, err := minio.New(g.addr, &minio.Options{Creds: miniocreds.NewStaticV4(g.accessKey, g.secretKey, ""), Region: testRegion,
		Secure: true, Transport: g.httpClient(2 * time.Minute).Transport})
	mustNoErr(t, err, "minio client")
	ctx := testContext(t, 3*time.Minute)
	mustNoErr(t, mc.MakeBucket(ctx, "sse-blocks", minio.MakeBucketOptions{}), "make bucket")
	ssec, err := encrypt.NewSSEC(bytes.Repeat([]byte{0x91}, 32))
	mustNoErr(t, err, "SSE-C key")
	small, large := 300<<10, 12<<20+333 // large goes up in three 5 MiB parts
	objects := []struct {
		key    string
		marker []byte
		size   int
		sse    encrypt.ServerSide
	}{
		{"sses3-single", secret, small, encrypt.NewSSE()},
		{"ssec-single", secret, small, ssec},
		{"sses3-multipart", secret, large, encrypt.NewSSE()},
		{"ssec-multipart", secret, large, ssec},
		{"plain-single", control, small, nil},
		{"plain-multipart", control, large, nil},
	}
	for _, o := range objects {
		body := markedBody(o.size, o.marker)
		if _, err := mc.PutObject(ctx, "sse-blocks", o.key, bytes.NewReader(body), int64(len(body)),
			minio.PutObjectOptions{ServerSideEncryption: o.sse, PartSize: 5 << 20}); err != nil {
			t.Fatalf("%s: PutObject: %v", o.key, err)
		}
		var get minio.GetObjectOptions
		if o.sse == ssec {
			get.ServerSideEncryption = ssec
		}
		obj, err := mc.GetObject(ctx, "sse-blocks", o.key, get)
		mustNoErr(t, err, "GetObject %s", o.key)
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("%s: read back %d bytes (%v), not what was written", o.key, len(got), err)
		}
	}

	secrets, controls, files := 0, 0, 0
	err = filepath.WalkDir(blocksDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // a file removed while the walk ran
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil || info.ModTime().Before(since) || !info.Mode().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		files++
		if n := bytes.Count(b, secret); n > 0 {
			secrets += n
			t.Errorf("%s holds plaintext of an encrypted object (%d times)", path, n)
		}
		controls += bytes.Count(b, control)
		return nil
	})
	mustNoErr(t, err, "walk %s", blocksDir)
	t.Logf("searched %d files written since the test began: %d copies of the plain objects' marker, %d of the encrypted ones'", files, controls, secrets)
	if controls == 0 {
		t.Fatal("the objects written without encryption are not found in the cluster's files either: the search is broken (is TERNFS_BLOCKS_DIR the block services' directory?)")
	}
}

// markedBody is n bytes of marker repeated.
func markedBody(n int, marker []byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = marker[i%len(marker)]
	}
	return out
}
