package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// These tests read what multipart uploads leave on a TernFS cluster with
// TernFS's own client, terncli: the object a Complete stitched together
// with MoveSpan must be an ordinary TernFS file, byte-identical.

// startTernFSGateway starts a gateway on the cluster (skipping without
// one) and returns it with its bucket root there.
func startTernFSGateway(t *testing.T) (*gateway, string) {
	t.Helper()
	if ternfsRegistry() == "" {
		t.Skip("TERNFS_REGISTRY not set (host:port): this test reads objects back from a TernFS cluster with terncli")
	}
	g := startGateway(t, newDataDir(t))
	return g, ternfsRootOf(g.dataDir)
}

// terncliOutOf copies the cluster file at path out with terncli and
// returns its SHA-256 and size.
func terncliOutOf(t *testing.T, path string) (string, int64) {
	t.Helper()
	terncli := os.Getenv("TERNFS_TERNCLI")
	if terncli == "" {
		t.Fatal("TERNFS_TERNCLI must name TernFS's terncli binary when TERNFS_REGISTRY is set: the TernFS tests read objects back with it")
	}
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(terncli, "-registry", ternfsRegistry(), "cp-outof", "-i", path, "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terncli cp-outof %s: %v\n%s", path, err, b)
	}
	f, err := os.Open(out)
	mustNoErr(t, err, "open terncli's copy")
	defer f.Close()
	defer os.Remove(out)
	return readerSHA256(t, f)
}

// checkBothWays reads key back through the gateway and with terncli.
func checkBothWays(t *testing.T, c *s3.Client, root, bucket, key, wantSHA string, wantSize int64, wantETag string) {
	t.Helper()
	if sum, n, etag := getObjectSHA256(t, c, bucket, key); sum != wantSHA || n != wantSize || (wantETag != "" && etag != wantETag) {
		t.Errorf("GET %s through terngate: %d bytes %s ETag %s, want %d bytes %s ETag %s", key, n, sum, etag, wantSize, wantSHA, wantETag)
	}
	if sum, n := terncliOutOf(t, root+"/"+bucket+"/"+key); sum != wantSHA || n != wantSize {
		t.Errorf("terncli cp-outof %s: %d bytes %s, want %d bytes %s", key, n, sum, wantSize, wantSHA)
	}
}

// TestTernFSMultipartAWSCLI copies 1 GiB with `aws s3 cp` (8 MiB parts,
// 10 in flight) onto TernFS.
func TestTernFSMultipartAWSCLI(t *testing.T) {
	g, root := startTernFSGateway(t)
	c := g.sdkClient()
	createBucketSDK(t, c, "cli")
	src := writePatternFile(t, t.TempDir(), "big.bin", 4242, 1<<30, cliPartSize)
	newAWSCLI(t, g).must("s3", "cp", "--only-show-errors", src.path, "s3://cli/big.bin")
	os.Remove(src.path)
	checkBothWays(t, c, root, "cli", "big.bin", src.sha256, src.size, multipartETagOf(src.partMD5s))
}

// TestTernFSMultipartManyParts completes a 1,000-part upload in which two
// parts were uploaded twice (the second upload wins), and an upload whose
// parts do not end on 4 KiB boundaries (assembled partly by copying, which
// the alignment metric counts), then aborts one.
func TestTernFSMultipartManyParts(t *testing.T) {
	g, root := startTernFSGateway(t)
	c := g.sdkClient()
	ctx := testContext(t, 20*time.Minute)
	createBucketSDK(t, c, "many")

	t.Run("1000 parts, two re-uploaded", func(t *testing.T) {
		const nparts, partSize = 1000, 5 << 20
		id := createIn(t, c, "many", "thousand")
		// Parts 7 and 500 are uploaded twice; the second upload wins.
		reupload := func(i int) {
			if i == 6 || i == 499 {
				uploadPartIn(t, c, "many", "thousand", id, int32(i+1), patternBytes(uint64(90000+i), partSize))
			}
		}
		parts, md5s := uploadPatternParts(t, func(int) *s3.Client { return c }, "many", "thousand", id, 1000, nparts, partSize, 8, reupload)
		started := time.Now()
		out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String("many"), Key: aws.String("thousand"), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		mustNoErr(t, err, "Complete of 1,000 parts")
		t.Logf("Complete of 1,000 parts took %v", time.Since(started).Round(time.Millisecond))
		wantETag := multipartETagOf(md5s)
		if aws.ToString(out.ETag) != wantETag {
			t.Errorf("Complete: ETag %s, want %s", aws.ToString(out.ETag), wantETag)
		}
		checkBothWays(t, c, root, "many", "thousand", patternSHA256Parts(1000, nparts, partSize), nparts*partSize, wantETag)
	})

	t.Run("unaligned parts", func(t *testing.T) {
		sizes := []int{5<<20 + 1, 5<<20 + 4097, 6 << 20, 300}
		id := createIn(t, c, "many", "unaligned")
		var parts []types.CompletedPart
		var md5s [][]byte
		var all bytes.Buffer
		for i, n := range sizes {
			data := patternBytes(uint64(5000+i), n)
			parts = append(parts, uploadPartIn(t, c, "many", "unaligned", id, int32(i+1), data))
			md5s = append(md5s, md5Of(data))
			all.Write(data)
		}
		before := scrapeMetrics(t, "http://"+g.adminAddr)["terngate_multipart_alignment_copy_bytes_total"]
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String("many"), Key: aws.String("unaligned"), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		mustNoErr(t, err, "Complete of unaligned parts")
		copied := scrapeMetrics(t, "http://"+g.adminAddr)["terngate_multipart_alignment_copy_bytes_total"] - before
		// Everything after part 1's first page-aligned spans is copied.
		if rest := float64(all.Len() - (5 << 20)); copied < rest {
			t.Errorf("alignment copy counted %.0f bytes, want at least the %.0f after the first misaligned boundary", copied, rest)
		}
		checkBothWays(t, c, root, "many", "unaligned", sha256Hex(all.Bytes()), int64(all.Len()), multipartETagOf(md5s))
	})

	t.Run("aborted", func(t *testing.T) {
		id := createIn(t, c, "many", "aborted")
		watch := watchStore(t, g, "many", "mpu:"+id)
		for i := range 3 {
			uploadPartIn(t, c, "many", "aborted", id, int32(i+1), patternBytes(uint64(7000+i), 5<<20))
		}
		_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("many"), Key: aws.String("aborted"), UploadId: aws.String(id)})
		mustNoErr(t, err, "Abort")
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("many"), Key: aws.String("aborted"), UploadId: aws.String(id)})
		expectAPIError(t, err, "NoSuchUpload", 404, "ListParts after Abort")
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("many"), Key: aws.String("aborted")})
		if apiErrorCode(err) != "NotFound" {
			t.Errorf("HEAD of the aborted upload's key: %v, want NotFound", err)
		}
		// Nothing of the upload is kept alive on the cluster: every file
		// of it (part heads and span files) is scrapped, its deadline
		// passed, left to TernFS's collector.
		watch.expectReleased(t, "aborted upload", bySweep)
	})
}
