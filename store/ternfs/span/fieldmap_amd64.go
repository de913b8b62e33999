package span

import "golang.org/x/sys/cpu"

// Mapping bytes between the two fields is a pass over every data and parity
// byte of a span; a table lookup per byte cost as much CPU as the parity
// itself (12% of a multipart upload's profile). No library maps bytes
// through an arbitrary linear map with vector shuffles, so this is
// written by hand: fieldmap_amd64.s.

//go:noescape
func mapBytesAVX2(dst, src *byte, n int, lo, hi *[16]byte)

var haveAVX2 = cpu.X86.HasAVX2

// mapBytesVector maps the longest prefix of src that is whole 32-byte
// blocks and says how many bytes that was.
func mapBytesVector(dst, src []byte, m *byteMap) int {
	n := len(src) &^ 31
	if !haveAVX2 || n == 0 {
		return 0
	}
	_ = dst[n-1]
	mapBytesAVX2(&dst[0], &src[0], n, &m.lo, &m.hi)
	return n
}
