package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/redis/go-redis/v9"
)

// roundTrips is one operation's TernFS requests, "service/kind" → count,
// as the gateway's terngate_ternfs_requests_total moved across it.
type roundTrips map[string]int

func (r roundTrips) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, r[k]))
	}
	return strings.Join(parts, " ")
}

// total counts the requests to one service.
func (r roundTrips) total(service string) int {
	n := 0
	for k, v := range r {
		if strings.HasPrefix(k, service+"/") {
			n += v
		}
	}
	return n
}

// ternfsRequests reads the gateway's TernFS request counters. Registry
// requests are left out: the client refreshes its view of the cluster in
// the background, whatever the requests do.
func ternfsRequests(t *testing.T, g *gateway) roundTrips {
	t.Helper()
	out := roundTrips{}
	for series, v := range scrapeMetrics(t, "http://"+g.adminAddr) {
		if !strings.HasPrefix(series, "terngate_ternfs_requests_total{") {
			continue
		}
		labels := parseLabels(series)
		if labels["service"] == "registry" {
			continue
		}
		out[labels["service"]+"/"+labels["kind"]] = int(v)
	}
	return out
}

// parseLabels reads the labels of one exposed series, name{a="x",b="y"}
// (label values here never hold quotes or commas).
func parseLabels(series string) map[string]string {
	out := map[string]string{}
	inner := series[strings.IndexByte(series, '{')+1 : len(series)-1]
	for _, kv := range strings.Split(inner, ",") {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = strings.Trim(v, `"`)
	}
	return out
}

// startQuietReplica starts a gateway as one replica of a group (TernFS
// root and Redis of its own, with the Redis lease), whose multipart
// sweeper stays idle: its lock is taken first, as another replica would
// hold it. The sweeper's walk of every transient file of the cluster
// would otherwise be counted against the operations measured.
func startQuietReplica(t *testing.T) *gateway {
	t.Helper()
	if ternfsRegistry() == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port): counting TernFS round trips needs a TernFS cluster")
	}
	redisSrv := startRedisServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: redisSrv.addr})
	defer rdb.Close()
	// The sweeper's lock key (multipart/sweeper.go leaderKey).
	mustNoErr(t, rdb.Set(context.Background(), "tg:mpu:sweeper", "held by the test", time.Hour).Err(), "take the sweeper lock")
	root := fmt.Sprintf("/terngate-e2e/roundtrips-%d", time.Now().UnixNano())
	return startGateway(t, newDataDir(t), "--store", "ternfs", "--ternfs-registry", ternfsRegistry(),
		"--ternfs-root", root, "--redis-url", redisSrv.url())
}

// measure runs op and returns the TernFS requests it made.
func measure(t *testing.T, g *gateway, op func()) roundTrips {
	t.Helper()
	before := ternfsRequests(t, g)
	op()
	after := ternfsRequests(t, g)
	out := roundTrips{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// TestTernFSRoundTripsPerOperation pins how many shard, CDC and block
// requests each small-object S3 operation costs on a real TernFS cluster,
// on a gateway run as a replica (Redis lease) once it has seen the bucket
// (its caches are warm), so that an extra round trip fails here.
// docs/performance.md ("Round trips on TernFS") explains each count and
// how far it is from the minimum.
func TestTernFSRoundTripsPerOperation(t *testing.T) {
	ctx := testContext(t, 3*time.Minute)
	g := startQuietReplica(t)
	c := g.sdkClient()
	const bucket = "roundtrips"
	createBucketSDK(t, c, bucket)
	body := patternBytes(7, 4<<10)
	put := func(key string) func() {
		return func() {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
			mustNoErr(t, err, "PUT %s", key)
		}
	}
	// Warm up: the first PUT makes the bucket's metadata directories.
	put("warm")()
	put("dir/warm")()

	cases := []struct {
		name string
		op   func()
		want roundTrips
	}{
		{"PUT new key", put("k1"), roundTrips{"block/WriteBlock": 14, "shard/AddInlineSpan": 1, "shard/AddSpanCertify": 1, "shard/AddSpanInitiateWithReference": 1, "shard/ConstructFile": 2, "shard/LinkFile": 2, "shard/Lookup": 3}},
		{"PUT overwrite", put("k1"), roundTrips{"block/WriteBlock": 14, "shard/AddInlineSpan": 1, "shard/AddSpanCertify": 1, "shard/AddSpanInitiateWithReference": 1, "shard/ConstructFile": 2, "shard/LinkFile": 2, "shard/Lookup": 2}},
		{"PUT new key in a directory", put("dir/k2"), roundTrips{"block/WriteBlock": 14, "shard/AddInlineSpan": 1, "shard/AddSpanCertify": 1, "shard/AddSpanInitiateWithReference": 1, "shard/ConstructFile": 2, "shard/LinkFile": 2, "shard/Lookup": 3}},
		{"GET", func() {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k1")})
			mustNoErr(t, err, "GET k1")
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			mustNoErr(t, err, "read k1")
			if !bytes.Equal(got, body) {
				t.Errorf("GET k1: %d bytes, not what was PUT", len(got))
			}
		}, roundTrips{"block/FetchBlockWithCrc": 1, "shard/LocalFileSpans": 2, "shard/Lookup": 3}},
		{"HEAD", func() {
			_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k1")})
			mustNoErr(t, err, "HEAD k1")
		}, roundTrips{"shard/Lookup": 3}},
		{"LIST page", func() {
			out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Delimiter: aws.String("/")})
			mustNoErr(t, err, "LIST")
			if len(out.Contents) != 2 || len(out.CommonPrefixes) != 1 {
				t.Errorf("LIST: %d keys and %d prefixes, want 2 (k1, warm) and 1 (dir/)", len(out.Contents), len(out.CommonPrefixes))
			}
		}, roundTrips{"shard/LocalFileSpans": 1, "shard/Lookup": 3, "shard/ReadDir": 2, "shard/StatDirectory": 1}},
		{"DELETE", func() {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k1")})
			mustNoErr(t, err, "DELETE k1")
		}, roundTrips{"shard/Lookup": 2, "shard/SoftUnlinkFile": 1}},
	}
	for _, tc := range cases {
		got := measure(t, g, tc.op)
		t.Logf("%-28s shard=%d cdc=%d block=%d: %v", tc.name, got.total("shard"), got.total("cdc"), got.total("block"), got)
		if !maps.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
