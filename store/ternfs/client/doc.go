// Package client speaks to a TernFS cluster: the registry over TCP for
// discovery (registry.go) and the cluster view it keeps fresh
// (clusterview.go), shards and the CDC over UDP with upstream's retry
// timeouts (udp.go, backoff.go, metadata.go, ops.go, policies.go), and
// block services over pooled TCP connections (blockconn.go, blockpool.go,
// blocks.go). On top of those it reads and writes spans: a span's blocks
// are written and certified (span_write.go) and read back whole, by range,
// or rebuilt from parity when blocks fail (span_read*.go).
//
// Messages come from package wire, span layout, CRC and Reed-Solomon from
// package span.
package client
