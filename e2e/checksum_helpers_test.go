package e2e

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"testing"
)

// crc32Base64 is the x-amz-checksum-crc32 value of data: the IEEE CRC32,
// big-endian, base64.
func crc32Base64(data []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)))
}

// quotedMD5 is the ETag of a single-part object holding data.
func quotedMD5(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// headObjectOutput is the part of `aws s3api head-object` JSON we check.
type headObjectOutput struct {
	ContentLength int64
	ETag          string
	ChecksumCRC32 string
	ChecksumType  string
}

func parseHeadObject(t testing.TB, out string) headObjectOutput {
	t.Helper()
	var h headObjectOutput
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("head-object output is not JSON: %v\n%s", err, out)
	}
	return h
}
