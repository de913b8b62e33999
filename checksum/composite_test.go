package checksum

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

func TestComposite(t *testing.T) {
	parts := [][]byte{[]byte("part one "), []byte("part two "), []byte("and three")}

	// CRC32C, computed independently: the CRC of the big-endian part CRCs.
	var concat []byte
	var digests [][]byte
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	for _, p := range parts {
		d := binary.BigEndian.AppendUint32(nil, crc32.Checksum(p, castagnoli))
		concat = append(concat, d...)
		digests = append(digests, d)
	}
	want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.Checksum(concat, castagnoli))) + "-3"
	if got := Composite(CRC32C, digests); got != want {
		t.Errorf("CRC32C composite = %s, want %s", got, want)
	}

	// SHA256 over raw part digests.
	concat, digests = nil, nil
	for _, p := range parts {
		d := sha256.Sum256(p)
		concat = append(concat, d[:]...)
		digests = append(digests, d[:])
	}
	sum := sha256.Sum256(concat)
	want = base64.StdEncoding.EncodeToString(sum[:]) + "-3"
	if got := Composite(SHA256, digests); got != want {
		t.Errorf("SHA256 composite = %s, want %s", got, want)
	}

	// One part: the checksum of the part's checksum, "-1".
	d, _ := Decode(CRC32, "y/Q5Jg==")
	if got, want := Composite(CRC32, [][]byte{d}), Checksum(CRC32, d)+"-1"; got != want {
		t.Errorf("single part = %s, want %s", got, want)
	}
}
