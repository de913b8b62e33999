package compat

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

const streamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"

// payloadModes records the x-amz-content-sha256 of each PUT a client
// sends, to prove which body encoding a scenario exercised.
type payloadModes struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (p *payloadModes) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut {
		p.mu.Lock()
		p.seen = append(p.seen, r.Header.Get("X-Amz-Content-Sha256"))
		p.mu.Unlock()
	}
	return p.next.RoundTrip(r)
}

func (p *payloadModes) used(mode string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.seen, mode)
}

// minioGoScenario: PutObject (signed aws-chunked over HTTP), ranged
// GetObject, ListObjects, ComposeObject (UploadPartCopy), RemoveObjects.
func minioGoScenario(t *testing.T, g *gateway) (string, []step, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	transport := http.DefaultTransport
	if t := g.httpClient().Transport; t != nil {
		transport = t
	}
	modes := &payloadModes{next: transport}
	c, err := minio.New(g.addr, &minio.Options{
		Creds:        credentials.NewStaticV4(accessKey, secretKey, ""),
		Secure:       g.tls(),
		Region:       region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    modes,
		MaxRetries:   1,
	})
	if err != nil {
		return "", nil, err
	}
	const bucket = "minio-go-bucket"
	object := randomBytes(41, 3*mib+17)
	head, rest := randomBytes(42, 6*mib), randomBytes(43, mib+1)

	put := func(key string, data []byte) error {
		info, err := c.PutObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{ContentType: "application/octet-stream"})
		if err == nil && info.ETag != md5Hex(data) {
			err = fmt.Errorf("PutObject %s: ETag %s, want %s", key, info.ETag, md5Hex(data))
		}
		return err
	}
	steps := []step{
		{"make bucket", func() error { return c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: region}) }},
		{"put object", func() error {
			if err := put("object.bin", object); err != nil {
				return err
			}
			if !g.tls() && !modes.used(streamingSigned) {
				return fmt.Errorf("minio-go sent no %s body over HTTP (modes %v), so the signed aws-chunked path went untested", streamingSigned, modes.seen)
			}
			return nil
		}},
		{"get object ranges", func() error {
			for _, r := range [][2]int64{{0, 0}, {0, 65535}, {65536, 2*mib + 5}, {int64(len(object)) - 10, int64(len(object)) - 1}} {
				opts := minio.GetObjectOptions{}
				if err := opts.SetRange(r[0], r[1]); err != nil {
					return err
				}
				got, err := readMinio(ctx, c, bucket, "object.bin", opts)
				if err != nil {
					return err
				}
				if !bytes.Equal(got, object[r[0]:r[1]+1]) {
					return fmt.Errorf("range %d-%d: %d bytes that differ from the object's", r[0], r[1], len(got))
				}
			}
			return nil
		}},
		{"compose object", func() error {
			if err := put("parts/head", head); err != nil {
				return err
			}
			if err := put("parts/rest", rest); err != nil {
				return err
			}
			info, err := c.ComposeObject(ctx, minio.CopyDestOptions{Bucket: bucket, Object: "composed.bin"},
				minio.CopySrcOptions{Bucket: bucket, Object: "parts/head"},
				minio.CopySrcOptions{Bucket: bucket, Object: "parts/rest"})
			if err != nil {
				return err
			}
			want := append(slices.Clone(head), rest...)
			if etag := `"` + info.ETag + `"`; etag != multipartETag(want, len(head)) {
				return fmt.Errorf("ComposeObject ETag %s, want %s", etag, multipartETag(want, len(head)))
			}
			got, err := readMinio(ctx, c, bucket, "composed.bin", minio.GetObjectOptions{})
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("composed object: %d bytes that differ from the %d composed", len(got), len(want))
			}
			return err
		}},
		{"list objects", func() error {
			want := map[string]int{"composed.bin": len(head) + len(rest), "object.bin": len(object), "parts/head": len(head), "parts/rest": len(rest)}
			got := map[string]int{}
			for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
				if o.Err != nil {
					return o.Err
				}
				got[o.Key] = int(o.Size)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("ListObjects gave %v, want %v", got, want)
			}
			return nil
		}},
		{"remove objects", func() error {
			keys := make(chan minio.ObjectInfo)
			go func() {
				defer close(keys)
				for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
					keys <- o
				}
			}()
			for e := range c.RemoveObjects(ctx, bucket, keys, minio.RemoveObjectsOptions{}) {
				return fmt.Errorf("RemoveObjects %s: %v", e.ObjectName, e.Err)
			}
			for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
				return fmt.Errorf("%s is still listed after RemoveObjects (%v)", o.Key, o.Err)
			}
			return c.RemoveBucket(ctx, bucket)
		}},
	}
	return moduleVersion("github.com/minio/minio-go/v7"), steps, nil
}

func readMinio(ctx context.Context, c *minio.Client, bucket, key string, opts minio.GetObjectOptions) ([]byte, error) {
	obj, err := c.GetObject(ctx, bucket, key, opts)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	return io.ReadAll(obj)
}
