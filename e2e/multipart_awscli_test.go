package e2e

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The AWS CLI v1 (s3transfer) switches to multipart at 8 MiB, with 8 MiB
// parts, 10 in flight.
const cliPartSize = 8 << 20

// TestMultipartAWSCLIEmbedded round-trips files of every interesting size
// (single PUT below 8 MiB, multipart from 8 MiB, up to 1 GiB) through
// `aws s3 cp` with the embedded upload tracker.
func TestMultipartAWSCLIEmbedded(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	checkCLIMultipart(t, g, []int64{0, 1, 5 << 20, 8<<20 + 1, 100 << 20, 1 << 30})
}

// TestMultipartAWSCLIRedis is the same against a gateway tracking uploads in
// a real redis-server (one 1 GiB copy in the suite is enough: it stops at
// 100 MiB).
func TestMultipartAWSCLIRedis(t *testing.T) {
	r := startRedisServer(t, "--save", "", "--appendonly", "no")
	g := startGateway(t, newDataDir(t), "--redis-url", r.url())
	checkCLIMultipart(t, g, []int64{0, 1, 5 << 20, 8<<20 + 1, 100 << 20})
}

func checkCLIMultipart(t *testing.T, g *gateway, sizes []int64) {
	// The CLI takes ~2 s to start: one recursive copy up and one down,
	// HEADs through the SDK.
	cli := newAWSCLI(t, g)
	client := g.sdkClient()
	createBucketSDK(t, client, "mpu-cli")
	up, down := t.TempDir(), t.TempDir()
	srcs := make([]fileDigest, len(sizes))
	for i, size := range sizes {
		srcs[i] = writePatternFile(t, up, "f"+strconv.FormatInt(size, 10), uint64(100+i), size, cliPartSize)
	}
	cli.must("s3", "cp", "--recursive", "--only-show-errors", up, "s3://mpu-cli/sizes/")
	for _, src := range srcs {
		name, size := filepath.Base(src.path), src.size
		os.Remove(src.path)
		wantETag := `"` + hex.EncodeToString(src.md5) + `"`
		if size >= cliPartSize {
			wantETag = multipartETagOf(src.partMD5s)
		}
		head, err := client.HeadObject(testContext(t, time.Minute), &s3.HeadObjectInput{
			Bucket: aws.String("mpu-cli"), Key: aws.String("sizes/" + name), ChecksumMode: types.ChecksumModeEnabled,
		})
		if err != nil {
			t.Errorf("HEAD %s: %v", name, err)
			continue
		}
		if aws.ToInt64(head.ContentLength) != size {
			t.Errorf("%s: ContentLength %d, want %d", name, aws.ToInt64(head.ContentLength), size)
		}
		if aws.ToString(head.ETag) != wantETag {
			t.Errorf("%s (%d bytes): ETag %s, want %s (parts of %d bytes)", name, size, aws.ToString(head.ETag), wantETag, cliPartSize)
		}
		// The CLI asks for CRC32 by default: a full-object CRC32 must be
		// the file's, a composite one ends in the part count.
		crc := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, src.crc32))
		got, typ := aws.ToString(head.ChecksumCRC32), head.ChecksumType
		switch {
		case got == "":
			t.Errorf("%s: no ChecksumCRC32 with checksum mode ENABLED", name)
		case typ == types.ChecksumTypeFullObject && got != crc:
			t.Errorf("%s: full-object ChecksumCRC32 %s, want %s", name, got, crc)
		case typ == types.ChecksumTypeComposite && !strings.HasSuffix(got, "-"+strconv.Itoa(len(src.partMD5s))):
			t.Errorf("%s: COMPOSITE ChecksumCRC32 %s does not end in -%d", name, got, len(src.partMD5s))
		}
		t.Logf("%s: ETag %s, CRC32 %s (%s)", name, aws.ToString(head.ETag), got, typ)
	}
	cli.must("s3", "cp", "--recursive", "--only-show-errors", "s3://mpu-cli/sizes/", down)
	for _, src := range srcs {
		got := filepath.Join(down, filepath.Base(src.path))
		if sum, n := fileSHA256(t, got); n != src.size || sum != src.sha256 {
			t.Errorf("%s: downloaded %d bytes sha256 %s, want %d bytes %s", filepath.Base(got), n, sum, src.size, src.sha256)
		}
		os.Remove(got)
	}
	l, err := client.ListMultipartUploads(testContext(t, time.Minute), &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu-cli")})
	mustNoErr(t, err, "ListMultipartUploads")
	if len(l.Uploads) > 0 {
		t.Errorf("%d uploads left in progress after the copies", len(l.Uploads))
	}
}
