package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/ternfs/wire"
)

// TestTernFSBucketMapAndRetention runs the binary with --ternfs-bucket-map
// over a directory other clients filled, and --ternfs-snapshot-retention:
// the directory is a bucket in every S3 sense but deletion, and the bucket
// root carries the retention as its SNAPSHOT policy.
func TestTernFSBucketMapAndRetention(t *testing.T) {
	if ternfsRegistry() == "" {
		t.Skip("TERNFS_REGISTRY not set: mapped buckets and snapshot retention need a TernFS cluster")
	}
	ctx := testContext(t, 3*time.Minute)
	cluster := openClusterStore(t, "/", nil)
	userPath := fmt.Sprintf("/terngate-e2e-users/%d/photos", time.Now().UnixNano())
	dir := store.ID(wire.RootDirectory)
	for _, name := range strings.Split(strings.TrimPrefix(userPath, "/"), "/") {
		id, err := cluster.MakeDirectory(ctx, dir, name)
		mustNoErr(t, err, "make %s", name)
		dir = id
	}
	files := map[string][]byte{"b.txt": []byte("bee"), "a.txt": patternBytes(500, 3<<20), "Z.txt": []byte("zed")}
	for name, data := range files {
		tr, err := cluster.CreateTransient(ctx, dir, "user file")
		if err == nil {
			_, err = cluster.Append(ctx, tr, bytes.NewReader(data))
		}
		if err == nil {
			_, err = cluster.LinkFile(ctx, tr, dir, name)
		}
		mustNoErr(t, err, "write the user's %s", name)
	}

	g := startGateway(t, newDataDir(t), "--ternfs-bucket-map", "photos="+userPath, "--ternfs-snapshot-retention", "10m")
	c := g.sdkClient()
	createBucketSDK(t, c, "own")

	buckets, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustNoErr(t, err, "ListBuckets")
	var names []string
	for _, b := range buckets.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	if !slices.Equal(names, []string{"own", "photos"}) {
		t.Errorf("ListBuckets: %v, want [own photos]", names)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("photos")})
	mustNoErr(t, err, "HeadBucket of the mapped bucket")
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("photos")})
	mustNoErr(t, err, "ListObjectsV2")
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if !slices.Equal(keys, []string{"Z.txt", "a.txt", "b.txt"}) {
		t.Errorf("keys %v, want [Z.txt a.txt b.txt] (byte order)", keys)
	}
	sum, n, etag := getObjectSHA256(t, c, "photos", "a.txt")
	if sum != sha256Hex(files["a.txt"]) || n != int64(len(files["a.txt"])) || !strings.Contains(etag, "-") {
		t.Errorf("GET a.txt: %d bytes, sha256 %s, ETag %s; want the user's bytes and a synthetic ETag", n, sum, etag)
	}

	// Writes and deletes inside the mapped directory.
	body := patternBytes(501, 1<<20)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("new/c.bin"), Body: bytes.NewReader(body)})
	mustNoErr(t, err, "PutObject into the mapped bucket")
	if e, err := cluster.ResolvePath(ctx, userPath+"/new"); err != nil {
		t.Errorf("the PUT's directory is not in the user's directory: %v", err)
	} else if _, err := cluster.Lookup(ctx, e.ID, "c.bin"); err != nil {
		t.Errorf("new/c.bin is not in the user's directory: %v", err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("photos"), Key: aws.String("big.bin")})
	mustNoErr(t, err, "CreateMultipartUpload")
	parts := []types.CompletedPart{
		uploadPartIn(t, c, "photos", "big.bin", aws.ToString(up.UploadId), 1, patternBytes(502, 5<<20)),
		uploadPartIn(t, c, "photos", "big.bin", aws.ToString(up.UploadId), 2, patternBytes(503, 1000)),
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("photos"), Key: aws.String("big.bin"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	mustNoErr(t, err, "CompleteMultipartUpload in the mapped bucket")
	if sum, n, _ := getObjectSHA256(t, c, "photos", "big.bin"); n != 5<<20+1000 || sum != sha256Hex(append(patternBytes(502, 5<<20), patternBytes(503, 1000)...)) {
		t.Errorf("big.bin: %d bytes %s", n, sum)
	}
	for _, key := range []string{"a.txt", "b.txt", "Z.txt", "new/c.bin", "big.bin"} {
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String(key)})
		mustNoErr(t, err, "DeleteObject %s", key)
	}
	if _, err := cluster.Lookup(ctx, dir, "b.txt"); err == nil {
		t.Error("b.txt is still in the user's directory after DeleteObject")
	}

	// DeleteBucket leaves the (now empty) directory: the mapping is configuration.
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("photos")})
	expectAPIError(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed, "DeleteBucket of a mapped bucket")
	if e, err := cluster.ResolvePath(ctx, userPath); err != nil || e.ID != dir {
		t.Errorf("the user's directory after DeleteBucket: %+v %v", e, err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("photos")})
	mustNoErr(t, err, "HeadBucket after the refused DeleteBucket")

	// The bucket root keeps deleted objects 10 minutes.
	root, err := cluster.ResolvePath(ctx, ternfsRootOf(g.dataDir))
	mustNoErr(t, err, "resolve the bucket root")
	st, err := cluster.Client().StatDirectory(ctx, wire.InodeID(root.ID))
	mustNoErr(t, err, "stat the bucket root")
	var snap wire.SnapshotPolicy
	if found, err := st.Info.Lookup(&snap); err != nil || !found {
		t.Fatalf("the bucket root has no SNAPSHOT policy of its own: %v %v", found, err)
	}
	if d, active := snap.DeleteAfter(); !active || d != 10*time.Minute {
		t.Errorf("the bucket root's SNAPSHOT policy deletes after %v (active %v), want 10m", d, active)
	}
}
