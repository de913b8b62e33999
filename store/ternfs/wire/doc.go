// Package wire is the TernFS wire protocol: the bincode-style codec
// (bincode.go), the identifiers and values messages carry (types.go), the
// request and response messages of the registry, shards, the CDC and block
// services (msgs_*.go), directory policies (dirinfo.go), datagram and
// stream framing (frame.go) and the protocol's error codes (errors.go).
//
// It only encodes and decodes; it does no I/O. Everything is derived from
// the message layouts in /work/shared/docs/ternfs-protocol.md.
package wire
