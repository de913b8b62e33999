package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terngate/terngate/internal/syncbuf"
)

// Over HTTPS botocore ≥1.36 sends PutObject bodies as unsigned aws-chunked
// with a CRC32 trailer; over HTTP it sends the CRC32 as a header. Both must
// store the checksum the client computed.

func TestAWSCLIChecksumsHTTPS(t *testing.T) {
	g := startTLSGateway(t, newDataDir(t))
	if !strings.Contains(g.stdout.String(), g.caFile) {
		t.Errorf("the gateway did not print the path of its self-signed certificate %s; stdout:\n%s", g.caFile, g.stdout.String())
	}
	checkAWSCLIChecksums(t, g, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
}

func TestAWSCLIChecksumsHTTP(t *testing.T) {
	checkAWSCLIChecksums(t, startGateway(t, newDataDir(t)), "x-amz-checksum-crc32")
}

// checkAWSCLIChecksums uploads with the CLI's defaults and with
// AWS_REQUEST_CHECKSUM_CALCULATION=when_required; wireMark is what the
// --debug log of the 20 MiB put-object must show (how the checksum went).
func checkAWSCLIChecksums(t *testing.T, g *gateway, wireMark string) {
	cli := newAWSCLI(t, g)
	work := t.TempDir()
	cli.must("s3", "mb", "s3://cli-sums")

	t.Run("s3 cp", func(t *testing.T) {
		data := patternBytes(71, 7<<20)
		src := writeTemp(t, work, "seven.bin", data)
		cli.must("s3", "cp", src, "s3://cli-sums/seven.bin")
		dst := filepath.Join(work, "seven.down")
		cli.must("s3", "cp", "s3://cli-sums/seven.bin", dst)
		expectFileBytes(t, dst, data)
		expectCLIChecksum(t, cli, "seven.bin", data, crc32Base64(data))
	})

	t.Run("put-object 20 MiB", func(t *testing.T) {
		data := patternBytes(72, 20<<20)
		src := writeTemp(t, work, "twenty.bin", data)
		_, debug, err := cli.run("s3api", "put-object", "--bucket", "cli-sums", "--key", "twenty.bin", "--body", src, "--debug")
		if err != nil {
			t.Fatalf("put-object: %v\n%s", err, syncbuf.Tail(debug, 4000))
		}
		if !strings.Contains(debug, wireMark) {
			t.Errorf("the CLI did not send %s (wrong wire path exercised); debug log tail:\n%s", wireMark, syncbuf.Tail(debug, 3000))
		}
		expectCLIChecksum(t, cli, "twenty.bin", data, crc32Base64(data))
		dst := filepath.Join(work, "twenty.down")
		cli.must("s3api", "get-object", "--bucket", "cli-sums", "--key", "twenty.bin", "--checksum-mode", "ENABLED", dst)
		expectFileBytes(t, dst, data)
	})

	t.Run("when_required", func(t *testing.T) {
		lazy := cli.withEnv("AWS_REQUEST_CHECKSUM_CALCULATION=when_required")
		data := patternBytes(73, 20<<20)
		src := writeTemp(t, work, "required.bin", data)
		// An explicit algorithm is still sent.
		lazy.must("s3api", "put-object", "--bucket", "cli-sums", "--key", "explicit.bin", "--body", src, "--checksum-algorithm", "CRC32")
		expectCLIChecksum(t, lazy, "explicit.bin", data, crc32Base64(data))
		// Without one no CRC32 is sent, so none may be reported.
		lazy.must("s3api", "put-object", "--bucket", "cli-sums", "--key", "none.bin", "--body", src)
		expectCLIChecksum(t, lazy, "none.bin", data, "")
	})
}

// expectCLIChecksum checks head-object --checksum-mode ENABLED: size,
// single-part ETag (the MD5 of the bytes stored) and ChecksumCRC32 (empty wantCRC: none reported).
func expectCLIChecksum(t *testing.T, cli *awsCLI, key string, data []byte, wantCRC string) {
	t.Helper()
	h := parseHeadObject(t, cli.must("s3api", "head-object", "--bucket", "cli-sums", "--key", key, "--checksum-mode", "ENABLED"))
	if h.ContentLength != int64(len(data)) {
		t.Errorf("%s: ContentLength %d, want %d", key, h.ContentLength, len(data))
	}
	if h.ETag != quotedMD5(data) {
		t.Errorf("%s: ETag %s, want the MD5 %s", key, h.ETag, quotedMD5(data))
	}
	if h.ChecksumCRC32 != wantCRC {
		t.Errorf("%s: ChecksumCRC32 %q, want %q", key, h.ChecksumCRC32, wantCRC)
	}
}

// withEnv is a copy of c with more environment variables.
func (c *awsCLI) withEnv(kv ...string) *awsCLI {
	copied := *c
	copied.env = append(append([]string(nil), c.env...), kv...)
	return &copied
}

func writeTemp(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	mustNoErr(t, os.WriteFile(p, data, 0o644), "write %s", p)
	return p
}

func expectFileBytes(t testing.TB, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	mustNoErr(t, err, "read %s", path)
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes differ from the %d expected", path, len(got), len(want))
	}
}
