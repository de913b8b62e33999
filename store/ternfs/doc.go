// Package ternfs is a clean-room client of the TernFS wire protocol.
//
// It is hand-written because no maintained Go library speaks this protocol:
// upstream's own Go client lives in an internal module tied to cgo CRC and
// Reed-Solomon code, and we do not import it. Everything here is derived from
// the message layouts (see /work/shared/docs/ternfs-protocol.md).
//
// It is layered as upstream's own Go code is: package wire is the codec,
// messages, framing and protocol errors; package span computes a span's
// layout, CRC32C and Reed-Solomon parity; package client speaks to the
// registry, shards, CDC and block services and reads and writes spans. This
// package is the store.Store over them: names as paths, transient files
// and multipart parts, the span buffer budget and the journal.
package ternfs
