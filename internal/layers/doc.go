// Package layers records the layering of terngate's packages and, in its
// test, enforces it: no package imports one above it.
//
// From the bottom up:
//
//	0  s3err, internal/...            shared vocabulary with no dependencies
//	1  checksum, store, auth/users,   S3 checksums, the storage interface,
//	   sse, kms                       encryption at rest (format, key sealing), and
//	                                  the KMS providers SSE-KMS draws data keys from
//	2  store/ternfs/...               the TernFS client below its adapter: wire (codec,
//	                                  messages), span (CRC, Reed-Solomon), client (over
//	                                  both) and, for tests only, internal/ternfstest
//	                                  (fakes of a cluster, over wire and span)
//	3  store/local, store/ternfs,     the two stores, the S3 mapping over them,
//	   store/objects, auth, auth/...  signature verification, and the per-name
//	   lease                          leases in Redis that serialise writes
//	                                  between gateway replicas
//	4  multipart                      upload lifecycle over store/objects
//	5  metrics, bench/...             instruments; the benchmark behind `terngate bench`
//	6  s3api                          HTTP: routing, operations, XML
//	7  gateway                        the program
//	8  e2e, compat, charts, dockerfile  tests of the whole
//
// A package may import packages of its own layer or below; Go's ban on
// import cycles keeps a layer's own packages in order among themselves.
package layers
