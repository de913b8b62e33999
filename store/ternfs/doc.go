// Package ternfs is a clean-room client of the TernFS wire protocol.
//
// It is hand-written because no maintained Go library speaks this protocol:
// upstream's own Go client lives in an internal module tied to cgo CRC and
// Reed-Solomon code, and we do not import it. Everything here is derived from
// the message layouts (see /work/shared/docs/ternfs-protocol.md).
//
// This file set is the foundation: the bincode-style codec (bincode.go), the
// message types per service (msgs_*.go), directory policies (dirinfo.go),
// datagram and stream framing (frame.go), protocol errors (errors.go), CRC32C
// with combination (crc.go) and Reed-Solomon over GF(2^8)/0x11B (gf.go,
// rs.go). Transport and the store.Store implementation build on top.
package ternfs
