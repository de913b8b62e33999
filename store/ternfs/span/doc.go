// Package span turns a span's bytes into what TernFS stores: the layout a
// directory's policies give a span of some size (span_layout.go), CRC32C
// with combination (crc.go), Reed-Solomon parity over GF(2^8)/0x11B (gf.go,
// rs.go, rs_simd.go with its AVX2 byte map in fieldmap_amd64.s) and the
// encoding of data and parity into blocks and their CRCs (span_encode.go).
//
// It computes only; reading and writing spans over the network is the
// client's.
package span
