// Package ternfstest is what tests of the TernFS client and adapter run
// against instead of a cluster: in-process fakes of the registry, shards
// and the CDC (UDP peers), a span-keeping shard and block services, each
// speaking the real wire protocol on 127.0.0.1, and reproducible test data.
//
// Only tests import it; it sits under internal so nothing outside
// store/ternfs can.
package ternfstest
