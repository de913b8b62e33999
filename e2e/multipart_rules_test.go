package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const mpuBucket = "mpu-rules"

// mpuClient wraps the SDK for the multipart rule tests.
type mpuClient struct {
	t *testing.T
	c *s3.Client
}

func (m mpuClient) create(key string) string {
	m.t.Helper()
	out, err := m.c.CreateMultipartUpload(testContext(m.t, time.Minute), &s3.CreateMultipartUploadInput{Bucket: aws.String(mpuBucket), Key: aws.String(key)})
	mustNoErr(m.t, err, "CreateMultipartUpload %s", key)
	return aws.ToString(out.UploadId)
}

func (m mpuClient) part(key, id string, n int32, data []byte) (string, error) {
	out, err := m.c.UploadPart(testContext(m.t, time.Minute), &s3.UploadPartInput{
		Bucket: aws.String(mpuBucket), Key: aws.String(key), UploadId: aws.String(id),
		PartNumber: aws.Int32(n), Body: bytes.NewReader(data),
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

func (m mpuClient) mustPart(key, id string, n int32, data []byte) types.CompletedPart {
	m.t.Helper()
	etag, err := m.part(key, id, n, data)
	mustNoErr(m.t, err, "UploadPart %s #%d", key, n)
	if want := quotedMD5(data); etag != want {
		m.t.Errorf("UploadPart %s #%d: ETag %s, want %s", key, n, etag, want)
	}
	return types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(etag)}
}

func (m mpuClient) complete(key, id string, parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
	return m.c.CompleteMultipartUpload(testContext(m.t, 2*time.Minute), &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(mpuBucket), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
}

// TestMultipartRules: part numbers, sizes, errors and listings of
// multipart uploads. Source: the CompleteMultipartUpload API reference,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html.
func TestMultipartRules(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	m := mpuClient{t: t, c: g.sdkClient()}
	createBucketSDK(t, m.c, mpuBucket)
	big := func(seed uint64) []byte { return patternBytes(seed, 5<<20) }

	t.Run("PartNumberRange", func(t *testing.T) {
		m := mpuClient{t: t, c: m.c}
		id := m.create("range")
		for _, n := range []int32{0, 10001, -1} {
			_, err := m.part("range", id, n, []byte("x"))
			expectAPIError(t, err, "InvalidArgument", http.StatusBadRequest, fmt.Sprintf("UploadPart #%d", n))
		}
		m.mustPart("range", id, 10000, []byte("last allowed"))
		m.mustPart("range", id, 1, []byte("first allowed"))
		// Complete also refuses out-of-range numbers.
		_, err := m.complete("range", id, types.CompletedPart{PartNumber: aws.Int32(10001), ETag: aws.String(quotedMD5([]byte("x")))})
		expectAPIError(t, err, "InvalidArgument", http.StatusBadRequest, "Complete listing part 10001")
	})

	t.Run("EntityTooSmallAndGaps", func(t *testing.T) {
		m := mpuClient{t: t, c: m.c}
		id := m.create("small")
		p1 := m.mustPart("small", id, 1, big(1))
		small := patternBytes(2, 1<<20)
		p2 := m.mustPart("small", id, 2, small)
		tail := []byte("tail")
		p3 := m.mustPart("small", id, 3, tail)
		_, err := m.complete("small", id, p1, p2, p3)
		expectAPIError(t, err, "EntityTooSmall", http.StatusBadRequest, "Complete with a 1 MiB middle part")
		// The upload survives the refusal; leaving the small part out (a
		// gap in the numbers) is legal.
		out, err := m.complete("small", id, p1, p3)
		mustNoErr(t, err, "Complete 1,3")
		want := append(big(1), tail...)
		if etag := multipartETagOf([][]byte{md5Of(big(1)), md5Of(tail)}); aws.ToString(out.ETag) != etag {
			t.Errorf("Complete 1,3: ETag %s, want %s", aws.ToString(out.ETag), etag)
		}
		if sum, n, _ := getObjectSHA256(t, m.c, mpuBucket, "small"); n != int64(len(want)) || sum != sha256Hex(want) {
			t.Errorf("object after Complete 1,3: %d bytes %s, want %d bytes %s", n, sum, len(want), sha256Hex(want))
		}
	})

	t.Run("ReplacedPart", func(t *testing.T) {
		m := mpuClient{t: t, c: m.c}
		id := m.create("replaced")
		old := m.mustPart("replaced", id, 1, big(10))
		newer := m.mustPart("replaced", id, 1, big(11))
		p2 := m.mustPart("replaced", id, 2, []byte("second"))
		parts, err := m.c.ListParts(testContext(t, time.Minute), &s3.ListPartsInput{Bucket: aws.String(mpuBucket), Key: aws.String("replaced"), UploadId: aws.String(id)})
		mustNoErr(t, err, "ListParts")
		if len(parts.Parts) != 2 || aws.ToString(parts.Parts[0].ETag) != aws.ToString(newer.ETag) {
			t.Errorf("ListParts after replacing part 1: %d parts, first ETag %v, want 2 parts with %s", len(parts.Parts), parts.Parts, aws.ToString(newer.ETag))
		}
		_, err = m.complete("replaced", id, old, p2)
		expectAPIError(t, err, "InvalidPart", http.StatusBadRequest, "Complete with the replaced part's ETag")
		out, err := m.complete("replaced", id, newer, p2)
		mustNoErr(t, err, "Complete with the new part")
		if etag := multipartETagOf([][]byte{md5Of(big(11)), md5Of([]byte("second"))}); aws.ToString(out.ETag) != etag {
			t.Errorf("ETag %s, want %s (the new part 1)", aws.ToString(out.ETag), etag)
		}
		want := append(big(11), "second"...)
		if sum, n, _ := getObjectSHA256(t, m.c, mpuBucket, "replaced"); n != int64(len(want)) || sum != sha256Hex(want) {
			t.Errorf("object: %d bytes %s, want the new part 1 + part 2 (%d bytes %s)", n, sum, len(want), sha256Hex(want))
		}
	})

	t.Run("CompleteErrors", func(t *testing.T) {
		m := mpuClient{t: t, c: m.c}
		id := m.create("errors")
		p1 := m.mustPart("errors", id, 1, big(20))
		p2 := m.mustPart("errors", id, 2, []byte("two"))
		wrong := types.CompletedPart{PartNumber: aws.Int32(2), ETag: aws.String(quotedMD5([]byte("not two")))}
		_, err := m.complete("errors", id, p1, wrong)
		expectAPIError(t, err, "InvalidPart", http.StatusBadRequest, "Complete with a wrong ETag")
		_, err = m.complete("errors", id, p1, types.CompletedPart{PartNumber: aws.Int32(3), ETag: p2.ETag})
		expectAPIError(t, err, "InvalidPart", http.StatusBadRequest, "Complete with a part never uploaded")
		_, err = m.complete("errors", id, p2, p1)
		expectAPIError(t, err, "InvalidPartOrder", http.StatusBadRequest, "Complete with parts 2,1")
		_, err = m.complete("errors", id, p1, p1)
		expectAPIError(t, err, "InvalidPartOrder", http.StatusBadRequest, "Complete with parts 1,1")
		// An empty part list, sent raw (the SDK would still send it, but
		// be explicit about the body).
		empty := []byte(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></CompleteMultipartUpload>`)
		resp := g.do(t, testContext(t, time.Minute), rawRequest{method: "POST", rawPath: "/" + mpuBucket + "/errors", rawQuery: "uploadId=" + id, bodyBytes: empty})
		if resp.status != http.StatusBadRequest || resp.errorCode() != "MalformedXML" {
			t.Errorf("Complete with no parts: %d %s, want 400 MalformedXML", resp.status, resp.errorCode())
		}
		resp = g.do(t, testContext(t, time.Minute), rawRequest{method: "POST", rawPath: "/" + mpuBucket + "/errors", rawQuery: "uploadId=" + id, bodyBytes: []byte("<CompleteMultipartUpload><Part>")})
		if resp.status != http.StatusBadRequest || resp.errorCode() != "MalformedXML" {
			t.Errorf("Complete with broken XML: %d %s, want 400 MalformedXML", resp.status, resp.errorCode())
		}
		// None of the refusals consumed the upload.
		if _, err := m.complete("errors", id, p1, p2); err != nil {
			t.Errorf("Complete after the refused ones: %v", err)
		}
	})

	t.Run("NoSuchUpload", func(t *testing.T) {
		m := mpuClient{t: t, c: m.c}
		ctx := testContext(t, time.Minute)
		id := m.create("aborted")
		p1 := m.mustPart("aborted", id, 1, []byte("one"))
		_, err := m.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(mpuBucket), Key: aws.String("aborted"), UploadId: aws.String(id)})
		mustNoErr(t, err, "Abort")
		for _, uid := range []string{id, "0123456789abcdef0123456789abcdef", "not-an-upload-id"} {
			_, err = m.part("aborted", uid, 2, []byte("two"))
			expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound, "UploadPart to "+uid)
			_, err = m.complete("aborted", uid, p1)
			expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound, "Complete of "+uid)
			_, err = m.c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(mpuBucket), Key: aws.String("aborted"), UploadId: aws.String(uid)})
			expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound, "ListParts of "+uid)
			_, err = m.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(mpuBucket), Key: aws.String("aborted"), UploadId: aws.String(uid)})
			expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound, "Abort of "+uid)
		}
		// An upload id used with another key is no upload of that key.
		other := m.create("other")
		_, err = m.part("aborted", other, 1, []byte("x"))
		expectAPIError(t, err, "NoSuchUpload", http.StatusNotFound, "UploadPart with another key's upload id")
		if _, err := m.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(mpuBucket), Key: aws.String("aborted")}); err == nil {
			t.Error("the aborted upload's key exists")
		}
	})

	t.Run("IfNoneMatchStar", func(t *testing.T) {
		m := mpuClient{t: t, c: m.c}
		ctx := testContext(t, time.Minute)
		_, err := m.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(mpuBucket), Key: aws.String("exists"), Body: strings.NewReader("already here")})
		mustNoErr(t, err, "PUT exists")
		id := m.create("exists")
		p1 := m.mustPart("exists", id, 1, []byte("new"))
		_, err = m.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(mpuBucket), Key: aws.String("exists"), UploadId: aws.String(id), IfNoneMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p1}},
		})
		expectAPIError(t, err, "PreconditionFailed", http.StatusPreconditionFailed, "Complete If-None-Match: * over an existing key")
		if sum, _, _ := getObjectSHA256(t, m.c, mpuBucket, "exists"); sum != sha256Hex([]byte("already here")) {
			t.Error("the existing object changed after a refused If-None-Match Complete")
		}
		// On a fresh key the condition holds.
		id2 := m.create("fresh")
		q1 := m.mustPart("fresh", id2, 1, []byte("fresh"))
		_, err = m.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(mpuBucket), Key: aws.String("fresh"), UploadId: aws.String(id2), IfNoneMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{q1}},
		})
		mustNoErr(t, err, "Complete If-None-Match: * on a fresh key")
	})

	t.Run("ListPartsPaging", func(t *testing.T) {
		m := mpuClient{t: t, c: m.c}
		id := m.create("many")
		const total = 1200
		etags := make([]string, total+1)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		var mu sync.Mutex
		var firstErr error
		for n := 1; n <= total; n++ {
			wg.Add(1)
			sem <- struct{}{}
			go func(n int) {
				defer wg.Done()
				defer func() { <-sem }()
				etag, err := m.part("many", id, int32(n), []byte(fmt.Sprintf("part %d", n)))
				mu.Lock()
				defer mu.Unlock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("part %d: %w", n, err)
				}
				etags[n] = etag
			}(n)
		}
		wg.Wait()
		mustNoErr(t, firstErr, "upload 1,200 tiny parts")
		// Default page: 1,000.
		out, err := m.c.ListParts(testContext(t, time.Minute), &s3.ListPartsInput{Bucket: aws.String(mpuBucket), Key: aws.String("many"), UploadId: aws.String(id)})
		mustNoErr(t, err, "ListParts")
		if len(out.Parts) != 1000 || !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextPartNumberMarker) != "1000" {
			t.Errorf("ListParts default page: %d parts, truncated %v, next %q; want 1000, true, 1000", len(out.Parts), aws.ToBool(out.IsTruncated), aws.ToString(out.NextPartNumberMarker))
		}
		for _, max := range []int32{1, 7, 999, 1000, 5000} {
			var got []int32
			marker := ""
			for pages := 0; ; pages++ {
				if pages > total+1 {
					t.Fatalf("max-parts %d: paging does not end", max)
				}
				in := &s3.ListPartsInput{Bucket: aws.String(mpuBucket), Key: aws.String("many"), UploadId: aws.String(id), MaxParts: aws.Int32(max)}
				if marker != "" {
					in.PartNumberMarker = aws.String(marker)
				}
				out, err := m.c.ListParts(testContext(t, time.Minute), in)
				mustNoErr(t, err, "ListParts max %d marker %q", max, marker)
				if len(out.Parts) > int(min(max, 1000)) {
					t.Fatalf("max-parts %d: a page of %d parts", max, len(out.Parts))
				}
				for _, p := range out.Parts {
					n := aws.ToInt32(p.PartNumber)
					got = append(got, n)
					if aws.ToString(p.ETag) != etags[n] || aws.ToInt64(p.Size) != int64(len(fmt.Sprintf("part %d", n))) {
						t.Fatalf("max-parts %d: part %d listed with ETag %s size %d", max, n, aws.ToString(p.ETag), aws.ToInt64(p.Size))
					}
				}
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				marker = aws.ToString(out.NextPartNumberMarker)
			}
			if len(got) != total || !slices.IsSorted(got) || got[0] != 1 || got[total-1] != total {
				t.Errorf("max-parts %d: listed %d parts (sorted %v), want 1..%d", max, len(got), slices.IsSorted(got), total)
			}
		}
		// A marker in the middle starts after it.
		out, err = m.c.ListParts(testContext(t, time.Minute), &s3.ListPartsInput{Bucket: aws.String(mpuBucket), Key: aws.String("many"), UploadId: aws.String(id), PartNumberMarker: aws.String("1195"), MaxParts: aws.Int32(10)})
		mustNoErr(t, err, "ListParts marker 1195")
		if len(out.Parts) != 5 || aws.ToInt32(out.Parts[0].PartNumber) != 1196 || aws.ToBool(out.IsTruncated) {
			t.Errorf("ListParts after 1195: %d parts from %v, truncated %v; want 5 from 1196, not truncated", len(out.Parts), out.Parts, aws.ToBool(out.IsTruncated))
		}
		// Tiny parts are fine until Complete.
		parts := []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(etags[1])}, {PartNumber: aws.Int32(2), ETag: aws.String(etags[2])}}
		_, err = m.complete("many", id, parts...)
		expectAPIError(t, err, "EntityTooSmall", http.StatusBadRequest, "Complete of tiny parts")
		_, err = m.c.AbortMultipartUpload(testContext(t, time.Minute), &s3.AbortMultipartUploadInput{Bucket: aws.String(mpuBucket), Key: aws.String("many"), UploadId: aws.String(id)})
		mustNoErr(t, err, "Abort the 1,200-part upload")
	})

	t.Run("ListUploads", func(t *testing.T) {
		c := g.sdkClient()
		createBucketSDK(t, c, "mpu-list")
		create := func(key string) types.MultipartUpload {
			out, err := c.CreateMultipartUpload(testContext(t, time.Minute), &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu-list"), Key: aws.String(key)})
			mustNoErr(t, err, "Create %s", key)
			time.Sleep(3 * time.Millisecond) // distinct initiation times
			return types.MultipartUpload{Key: aws.String(key), UploadId: out.UploadId}
		}
		// Created out of key order, "a" three times.
		var all []types.MultipartUpload
		for _, k := range []string{"b", "a", "dir/x", "a", "dir/sub/y", "c", "a", "dir/x", "dirz", "a/1"} {
			all = append(all, create(k))
		}
		// Expected order: by key, then by initiation (creation order).
		want := slices.Clone(all)
		slices.SortStableFunc(want, func(x, y types.MultipartUpload) int { return strings.Compare(*x.Key, *y.Key) })
		wantIDs := func(us []types.MultipartUpload) []string {
			var s []string
			for _, u := range us {
				s = append(s, *u.Key+"/"+*u.UploadId)
			}
			return s
		}
		list := func(in s3.ListMultipartUploadsInput) *s3.ListMultipartUploadsOutput {
			in.Bucket = aws.String("mpu-list")
			out, err := c.ListMultipartUploads(testContext(t, time.Minute), &in)
			mustNoErr(t, err, "ListMultipartUploads %+v", in)
			return out
		}
		out := list(s3.ListMultipartUploadsInput{})
		if got := wantIDs(out.Uploads); !slices.Equal(got, wantIDs(want)) {
			t.Errorf("ListMultipartUploads order:\n got %v\nwant %v", got, wantIDs(want))
		}
		for _, u := range out.Uploads {
			if u.Initiated == nil || u.Initiated.IsZero() {
				t.Errorf("upload %s has no Initiated", aws.ToString(u.Key))
			}
		}
		for i := 1; i < len(out.Uploads); i++ {
			a, b := out.Uploads[i-1], out.Uploads[i]
			if *a.Key == *b.Key && b.Initiated.Before(*a.Initiated) {
				t.Errorf("uploads of %s not in initiation order", *a.Key)
			}
		}
		// Paging with max-uploads gives the same sequence.
		for _, max := range []int32{1, 2, 3} {
			var got []types.MultipartUpload
			in := s3.ListMultipartUploadsInput{MaxUploads: aws.Int32(max)}
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatalf("max-uploads %d: paging does not end", max)
				}
				out := list(in)
				if len(out.Uploads) > int(max) {
					t.Errorf("max-uploads %d: page of %d", max, len(out.Uploads))
				}
				got = append(got, out.Uploads...)
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
			}
			if !slices.Equal(wantIDs(got), wantIDs(want)) {
				t.Errorf("max-uploads %d paging:\n got %v\nwant %v", max, wantIDs(got), wantIDs(want))
			}
		}
		// key-marker alone: uploads of keys after it.
		out = list(s3.ListMultipartUploadsInput{KeyMarker: aws.String("a")})
		if got := wantIDs(out.Uploads); !slices.Equal(got, wantIDs(want[3:])) {
			t.Errorf("key-marker a:\n got %v\nwant %v", got, wantIDs(want[3:]))
		}
		// key-marker + upload-id-marker: the rest of that key's uploads first.
		out = list(s3.ListMultipartUploadsInput{KeyMarker: aws.String("a"), UploadIdMarker: want[1].UploadId})
		if got := wantIDs(out.Uploads); !slices.Equal(got, wantIDs(want[2:])) {
			t.Errorf("key-marker a, upload-id-marker of the second a:\n got %v\nwant %v", got, wantIDs(want[2:]))
		}
		// prefix and delimiter.
		out = list(s3.ListMultipartUploadsInput{Prefix: aws.String("dir"), Delimiter: aws.String("/")})
		if got := wantIDs(out.Uploads); !slices.Equal(got, wantIDs(want[len(want)-1:])) {
			t.Errorf("prefix dir, delimiter /: uploads %v, want only dirz", got)
		}
		if cps := commonPrefixes(out.CommonPrefixes); !slices.Equal(cps, []string{"dir/"}) {
			t.Errorf("prefix dir, delimiter /: common prefixes %v, want [dir/]", cps)
		}
		out = list(s3.ListMultipartUploadsInput{Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
		if got, cps := wantIDs(out.Uploads), commonPrefixes(out.CommonPrefixes); len(got) != 2 || !slices.Equal(cps, []string{"dir/sub/"}) {
			t.Errorf("prefix dir/, delimiter /: uploads %v and prefixes %v, want the two dir/x and [dir/sub/]", got, cps)
		}
		out = list(s3.ListMultipartUploadsInput{Delimiter: aws.String("/"), MaxUploads: aws.Int32(5)})
		// a, a, a, a/ (prefix), b: five entries, truncated.
		if got, cps := len(out.Uploads), commonPrefixes(out.CommonPrefixes); got != 4 || !slices.Equal(cps, []string{"a/"}) || !aws.ToBool(out.IsTruncated) {
			t.Errorf("delimiter /, max 5: %d uploads, prefixes %v, truncated %v; want 4 (a×3, b), [a/], true", got, cps, aws.ToBool(out.IsTruncated))
		}
		out = list(s3.ListMultipartUploadsInput{Delimiter: aws.String("/"), KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker})
		if got, cps := wantIDs(out.Uploads), commonPrefixes(out.CommonPrefixes); len(got) != 2 || !slices.Equal(cps, []string{"dir/"}) {
			t.Errorf("delimiter /, second page: uploads %v, prefixes %v; want c, dirz and [dir/]", got, cps)
		}
	})

	t.Run("RetriedAndRacingComplete", func(t *testing.T) {
		m := mpuClient{t: t, c: m.c}
		id := m.create("raced")
		var parts []types.CompletedPart
		var want []byte
		var md5s [][]byte
		for n := int32(1); n <= 4; n++ {
			data := patternBytes(uint64(40+n), 5<<20+int(n))
			parts = append(parts, m.mustPart("raced", id, n, data))
			want = append(want, data...)
			md5s = append(md5s, md5Of(data))
		}
		wantETag := multipartETagOf(md5s)
		type result struct {
			etag string
			err  error
		}
		results := make(chan result, 10)
		start := make(chan struct{})
		for i := 0; i < 10; i++ {
			go func() {
				<-start
				out, err := m.complete("raced", id, parts...)
				if err != nil {
					results <- result{err: err}
					return
				}
				results <- result{etag: aws.ToString(out.ETag)}
			}()
		}
		close(start)
		ok := 0
		for i := 0; i < 10; i++ {
			r := <-results
			switch {
			case r.err == nil && r.etag == wantETag:
				ok++
			case r.err == nil:
				t.Errorf("racing Complete answered ETag %s, want %s", r.etag, wantETag)
			default:
				// A clean S3 error is acceptable; a torn connection or 500 is not.
				if code := apiErrorCode(r.err); code == "" || code == "InternalError" {
					t.Errorf("racing Complete failed uncleanly: %v", r.err)
				} else {
					t.Logf("racing Complete answered %s", code)
				}
			}
		}
		if ok == 0 {
			t.Error("no racing Complete succeeded")
		}
		t.Logf("%d/10 racing Completes answered the ETag", ok)
		// A retry, later, answers the same.
		out, err := m.complete("raced", id, parts...)
		if err != nil || aws.ToString(out.ETag) != wantETag {
			t.Errorf("retried Complete: %v %v, want ETag %s", err, out, wantETag)
		}
		sum, n, etag := getObjectSHA256(t, m.c, mpuBucket, "raced")
		if n != int64(len(want)) || sum != sha256Hex(want) || etag != wantETag {
			t.Errorf("raced object: %d bytes %s ETag %s, want %d bytes %s ETag %s", n, sum, etag, len(want), sha256Hex(want), wantETag)
		}
	})
}
