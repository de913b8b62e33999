package ternfs

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store/objects"
)

// TestMultipartOverTernFS runs the project's multipart manager (embedded
// tracker), unchanged, over the TernFS store: parts become span files,
// Complete moves and certifies them onto the object's file.
func TestMultipartOverTernFS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := openIntegrationStore(t, ctx)
	l, err := objects.New(ctx, s, s.Root(), objects.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const bucket, key = "mp-bucket", "dir/big.bin"
	if err := l.CreateBucket(ctx, bucket, "owner"); err != nil {
		t.Fatal(err)
	}
	tracker, err := multipart.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tracker.Close()
	m := multipart.NewManager(s, l, tracker, multipart.Options{})
	up, err := m.Create(ctx, multipart.CreateInput{Bucket: bucket, Key: key, Owner: "owner"})
	if err != nil {
		t.Fatalf("create upload: %v", err)
	}
	parts := [][]byte{storeTestBytes(12<<20, 30), storeTestBytes(5<<20, 31), storeTestBytes(1000, 32)}
	var listed []multipart.CompletePart
	var want []byte
	for i, body := range parts {
		p, err := m.UploadPart(ctx, multipart.PartInput{Bucket: bucket, Key: key, UploadID: up.ID, Number: i + 1, Body: bytes.NewReader(body), Size: int64(len(body))})
		if err != nil {
			t.Fatalf("upload part %d: %v", i+1, err)
		}
		listed = append(listed, multipart.CompletePart{Number: p.Number, ETag: p.ETag})
		want = append(want, body...)
	}
	res, err := m.Complete(ctx, multipart.CompleteInput{Bucket: bucket, Key: key, UploadID: up.ID, Parts: listed, ObjectSize: -1})
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if res.Size != int64(len(want)) {
		t.Errorf("completed size %d, want %d", res.Size, len(want))
	}
	o, err := l.Open(ctx, bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	r, err := o.File.NewReader(0, o.Info.Size)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read completed object: %d of %d bytes, %v", len(got), len(want), err)
	}
}
