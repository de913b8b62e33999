// Package ternfs is a clean-room client of the TernFS wire protocol.
//
// It is hand-written because no maintained Go library speaks this protocol:
// upstream's own Go client lives in an internal module tied to cgo CRC and
// Reed-Solomon code, and we do not import it. Everything here is derived from
// the message layouts (see /work/shared/docs/ternfs-protocol.md).
//
// The codec, messages, framing and protocol errors are package wire; span
// layout, CRC32C and Reed-Solomon are package span. This package still
// holds the transports and the store.Store implementation built on top.
package ternfs
