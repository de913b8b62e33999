package multipart

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/terngate/terngate/sse"
)

// An encrypted upload served by two gateways sharing Redis: the upload's
// state carries the sealed object key, so a part uploaded through either
// gateway is encrypted under the same object key; a part re-uploaded
// under its number replaces the first; a part without the key is refused.
// The assembled object records each part's number and stored size, reads
// back as plaintext (whole and across part boundaries), and its stored
// bytes hold none of it.
func TestEncryptedUploadAcrossGateways(t *testing.T) {
	addr := startRedis(t)
	st, l := newLayer(t)
	ta, err := OpenRedis(t.Context(), "redis://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ta.Close()
	tb, err := OpenRedis(t.Context(), "redis://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	a := NewManager(st, l, ta, Options{MinPartSize: 4})
	b := NewManager(st, l, tb, Options{MinPartSize: 4})
	ctx := t.Context()

	secret := bytes.Repeat([]byte{0x42}, sse.KeySize)
	objectKey, err := sse.NewObjectKey()
	if err != nil {
		t.Fatal(err)
	}
	info, err := sse.Seal(objectKey, sse.ModeS3, "k1", secret, "bkt", "enc")
	if err != nil {
		t.Fatal(err)
	}
	objectKey.Zero()
	u, err := a.Create(ctx, CreateInput{Bucket: "bkt", Key: "enc", Encryption: &Encryption{Info: info, PlainETag: true, Method: "AES256"}})
	if err != nil {
		t.Fatal(err)
	}
	unseal := func(enc *Encryption) (*sse.ObjectKey, error) {
		if enc == nil {
			return nil, errors.New("the upload lost its encryption")
		}
		return sse.Unseal(enc.Info, secret, "bkt", "enc")
	}
	parts := []string{strings.Repeat("SECRET-PART-ONE-", 5000), strings.Repeat("SECRET-PART-TWO-", 3000)}
	put := func(m *Manager, n int, body string, withKey bool) (Part, error) {
		in := PartInput{Bucket: "bkt", Key: "enc", UploadID: u.ID, Number: n, Body: strings.NewReader(body), Size: int64(len(body))}
		if withKey {
			in.Unseal = unseal
		}
		return m.UploadPart(ctx, in)
	}
	if _, err := put(b, 1, parts[0], false); !errors.Is(err, errNoPartKey) {
		t.Fatalf("a part without the key: %v", err)
	}
	if _, err := put(a, 1, strings.Repeat("first try ", 100), true); err != nil {
		t.Fatal(err)
	}
	var listed []CompletePart
	for i, body := range parts {
		m := []*Manager{b, a}[i]
		p, err := put(m, i+1, body, true)
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		if p.Size != int64(len(body)) || p.StoredSize != sse.StoredSize(int64(len(body))) || p.ETag != md5hex(body) {
			t.Fatalf("part %d: size %d stored %d ETag %s", i+1, p.Size, p.StoredSize, p.ETag)
		}
		listed = append(listed, CompletePart{Number: i + 1, ETag: p.ETag})
	}
	res, err := b.Complete(ctx, CompleteInput{Bucket: "bkt", Key: "enc", UploadID: u.ID, Parts: listed, ObjectSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	plain := parts[0] + parts[1]
	if res.Size != int64(len(plain)) || res.ETag != expectedETag(parts...) || res.Encryption == nil {
		t.Fatalf("Complete: %+v", res)
	}
	obj, err := l.Open(ctx, "bkt", "enc")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if obj.Info.Encryption == nil || len(obj.Info.SealedParts) != 2 || obj.Info.SealedParts[1].Number != 2 || obj.Info.Size != int64(len(plain)) {
		t.Fatalf("record: %+v", obj.Info)
	}
	stored := make([]byte, obj.File.Size())
	if _, err := obj.File.ReadAt(stored, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if bytes.Contains(stored, []byte("SECRET-PART")) || int64(len(stored)) != obj.Info.SealedParts[0].StoredSize+obj.Info.SealedParts[1].StoredSize {
		t.Fatalf("the stored object (%d bytes) holds plaintext or is not the parts' stored bytes", len(stored))
	}
	for _, rng := range [][2]int{{0, len(plain)}, {len(parts[0]) - 70000, 100000}, {len(parts[0]), 10}, {len(plain) - 1, 1}} {
		key, err := unseal(res.Encryption)
		if err != nil {
			t.Fatal(err)
		}
		r, err := obj.NewPlainReader(key, int64(rng[0]), int64(rng[1]))
		key.Zero()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != plain[rng[0]:rng[0]+rng[1]] {
			t.Fatalf("range %v: %d bytes, %v", rng, len(got), err)
		}
	}
}
