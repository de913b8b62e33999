package wire

import (
	"encoding/hex"
	"strings"
	"testing"
)

// Distinctive field values shared by the wire vectors; their little-endian
// encodings are spelled out in each vector.
const (
	vDir   InodeID  = 0x2000000000000101 // 01 01 00 00 00 00 00 20
	vDir2  InodeID  = 0x2000000000000202 // 02 02 00 00 00 00 00 20
	vFile  InodeID  = 0x4000000000001205 // 05 12 00 00 00 00 00 40
	vFile2 InodeID  = 0x4000000000001305 // 05 13 00 00 00 00 00 40
	vTime  TernTime = 0x1122334455667788 // 88 77 66 55 44 33 22 11
	vTime2 TernTime = 0x0102030405060708 // 08 07 06 05 04 03 02 01
	vBlock BlockID  = 0xb10c             // 0c b1 00 00 00 00 00 00
)

var (
	vCookie  = Cookie{0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7}
	vCookie2 = Cookie{0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7}
	vCert    = [8]byte{0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7}
	vProof   = [8]byte{0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7}
	// 10.0.0.1:8000 and an absent second address.
	vAddrs = AddrsInfo{Addr1: IPPort{IP: [4]byte{10, 0, 0, 1}, Port: 8000}}
)

func fd(s string) FailureDomain {
	var f FailureDomain
	copy(f[:], s)
	return f
}

// wire joins hex fields written one per line with a comment; everything
// after "//" on a line and all spaces are ignored.
func wire(t testing.TB, fields string) []byte {
	t.Helper()
	var sb strings.Builder
	for _, line := range strings.Split(fields, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		sb.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(sb.String())
	if err != nil {
		t.Fatalf("bad vector hex: %v", err)
	}
	return b
}
