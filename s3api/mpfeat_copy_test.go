package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

func TestUploadPartCopy(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "src")
	g.mustCreateBucket(t, "dst")
	g.mustPut(t, "src", "dir/source", "0123456789abcdefghij")

	id := mpCreate(t, c, "dst", "joined")
	copyPart := func(n int32, rng string, mod func(*s3.UploadPartCopyInput)) (*s3.UploadPartCopyOutput, error) {
		in := &s3.UploadPartCopyInput{
			Bucket: aws.String("dst"), Key: aws.String("joined"), UploadId: aws.String(id),
			PartNumber: aws.Int32(n), CopySource: aws.String("src/dir/source"),
		}
		if rng != "" {
			in.CopySourceRange = aws.String(rng)
		}
		if mod != nil {
			mod(in)
		}
		return c.UploadPartCopy(ctx, in)
	}
	whole, err := copyPart(1, "", nil)
	if err != nil {
		t.Fatalf("UploadPartCopy of the whole source: %v", err)
	}
	if got := aws.ToString(whole.CopyPartResult.ETag); got != `"`+md5Hex("0123456789abcdefghij")+`"` {
		t.Errorf("part ETag = %s, want the MD5 of the copied bytes", got)
	}
	if whole.CopyPartResult.LastModified == nil || time.Since(*whole.CopyPartResult.LastModified) > time.Minute {
		t.Errorf("LastModified = %v", whole.CopyPartResult.LastModified)
	}
	ranged, err := copyPart(2, "bytes=10-14", nil)
	if err != nil {
		t.Fatalf("UploadPartCopy of a range: %v", err)
	}
	srcETag := `"` + md5Hex("0123456789abcdefghij") + `"`
	if _, err := copyPart(3, "bytes=0-0", func(in *s3.UploadPartCopyInput) { in.CopySourceIfMatch = aws.String(srcETag) }); err != nil {
		t.Fatalf("matching x-amz-copy-source-if-match: %v", err)
	}

	for _, tc := range []struct {
		name   string
		rng    string
		mod    func(*s3.UploadPartCopyInput)
		code   string
		status int
	}{
		{"if-match mismatch", "", func(in *s3.UploadPartCopyInput) { in.CopySourceIfMatch = aws.String(`"nope"`) }, "PreconditionFailed", 412},
		{"if-unmodified-since past", "", func(in *s3.UploadPartCopyInput) {
			in.CopySourceIfUnmodifiedSince = aws.Time(time.Now().Add(-time.Hour))
		}, "PreconditionFailed", 412},
		{"range past the end", "bytes=5-20", nil, "InvalidArgument", 400},
		{"range reversed", "bytes=9-3", nil, "InvalidArgument", 400},
		{"range malformed", "bytes=3-", nil, "InvalidArgument", 400},
		{"missing source", "", func(in *s3.UploadPartCopyInput) { in.CopySource = aws.String("src/nothing") }, "NoSuchKey", 404},
		{"missing upload", "", func(in *s3.UploadPartCopyInput) { in.UploadId = aws.String("0123") }, "NoSuchUpload", 404},
		{"part number 0", "", func(in *s3.UploadPartCopyInput) { in.PartNumber = aws.Int32(0) }, "InvalidArgument", 400},
	} {
		_, err := copyPart(4, tc.rng, tc.mod)
		if code, status := apiErrorCode(t, err); code != tc.code || status != tc.status {
			t.Errorf("%s: %s/%d (%v), want %s/%d", tc.name, code, status, err, tc.code, tc.status)
		}
	}

	done, err := mpComplete(c, "dst", "joined", id,
		types.CompletedPart{PartNumber: aws.Int32(1), ETag: whole.CopyPartResult.ETag},
		types.CompletedPart{PartNumber: aws.Int32(2), ETag: ranged.CopyPartResult.ETag})
	if err != nil {
		t.Fatal(err)
	}
	if got := getString(t, c, "dst", "joined"); got != "0123456789abcdefghij"+"abcde" {
		t.Fatalf("assembled object = %q", got)
	}
	if aws.ToString(done.ETag) == "" {
		t.Fatal("no ETag")
	}
}

// With an upload that asked for a checksum, CopyPartResult carries the
// part's checksum under that algorithm.
func TestUploadPartCopyChecksum(t *testing.T) {
	g := startMPGateway(t, 1, 0)
	c := g.client()
	ctx := context.Background()
	g.mustCreateBucket(t, "bkt")
	g.mustPut(t, "bkt", "src", "checksummed bytes")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String("bkt"), Key: aws.String("dst"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
		Bucket: aws.String("bkt"), Key: aws.String("dst"), UploadId: up.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("/bkt/src"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.CopyPartResult.ChecksumCRC32C), crc32cBase64([]byte("checksummed bytes")); got != want {
		t.Fatalf("CopyPartResult CRC32C = %q, want %q", got, want)
	}
	if out.CopyPartResult.ChecksumCRC32 != nil || out.CopyPartResult.ChecksumCRC64NVME != nil {
		t.Fatal("CopyPartResult names an algorithm the upload did not ask for")
	}
}

// minio-go's ComposeObject drives UploadPartCopy with ranges and
// x-amz-copy-source-if-match.
func TestMinioComposeObject(t *testing.T) {
	g := startMPGateway(t, 0, 0)
	g.mustCreateBucket(t, "compose")
	mc := g.minioClient(t, false)
	ctx := context.Background()
	const mib = 1 << 20
	a, b, tail := randomBytes(t, 5*mib), randomBytes(t, 7*mib), randomBytes(t, 1000)
	for key, data := range map[string][]byte{"a": a, "b": b, "tail": tail} {
		if _, err := mc.PutObject(ctx, "compose", key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
	}
	srcs := []minio.CopySrcOptions{
		{Bucket: "compose", Object: "a"},
		{Bucket: "compose", Object: "b", MatchRange: true, Start: mib, End: 6*mib + 17},
		{Bucket: "compose", Object: "tail", MatchRange: true, Start: 10, End: 909},
	}
	info, err := mc.ComposeObject(ctx, minio.CopyDestOptions{Bucket: "compose", Object: "composed"}, srcs...)
	if err != nil {
		t.Fatalf("ComposeObject: %v", err)
	}
	want := append(append(append([]byte{}, a...), b[mib:6*mib+18]...), tail[10:910]...)
	if info.Size != int64(len(want)) {
		t.Errorf("composed size = %d, want %d", info.Size, len(want))
	}
	obj, err := mc.GetObject(ctx, "compose", "composed", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	obj.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("composed object differs (%d bytes, want %d)", len(got), len(want))
	}
	st, err := mc.StatObject(ctx, "compose", "composed", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix([]byte(st.ETag), []byte("-3")) {
		t.Errorf("composed ETag %q is not a 3-part multipart ETag", st.ETag)
	}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func crc32cBase64(b []byte) string {
	var out [4]byte
	binary.BigEndian.PutUint32(out[:], crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return base64.StdEncoding.EncodeToString(out[:])
}
