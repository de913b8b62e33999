package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestConformanceRefusedCompleteKeepsUpload: a CompleteMultipartUpload
// refused for a client error leaves the upload exactly as it was: listed,
// its parts intact, and a right retry completes it. Sources: the
// CompleteMultipartUpload API reference
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html:
// EntityTooSmall, "Your proposed upload is smaller than the minimum allowed
// object size. Each part must be at least 5 MB in size, except the last
// part"; If-Match / If-None-Match answer 412 Precondition Failed); the
// EntityTooSmall document as S3 sends it (message without the word
// "object", ProposedSize, MinSizeAllowed, PartNumber, and the ETag
// unquoted) recorded in
// apache/arrow-rs-object-store#211 and versity/versitygw#2040; the
// PreconditionFailed document with its Condition in versity/versitygw#2044.
func TestConformanceRefusedCompleteKeepsUpload(t *testing.T) {
	g := startGateway(t, newDataDir(t))
	ctx := testContext(t, 3*time.Minute)
	expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-complete"}), http.StatusOK, "create bucket")

	t.Run("EntityTooSmall", func(t *testing.T) {
		u := newRawUpload(t, ctx, g, "conf-complete", "small")
		small := patternBytes(1, 1<<20)
		etag := u.part(t, ctx, small)
		u.part(t, ctx, []byte("last part"))
		expectS3Error(t, u.complete(t, ctx, nil), http.StatusBadRequest, "EntityTooSmall",
			"Your proposed upload is smaller than the minimum allowed size",
			map[string]string{"ProposedSize": strconv.Itoa(len(small)), "MinSizeAllowed": "5242880", "PartNumber": "1", "ETag": strings.Trim(etag, `"`)})
		u.expectIntact(t, ctx, "EntityTooSmall")
		// Only the last part may be small: the retry without the rest works.
		u.completeParts = u.completeParts[:1]
		expectStatus(t, u.complete(t, ctx, nil), http.StatusOK, "Complete of the small part alone")
		expectBody(t, g, u.path(), small)
	})

	t.Run("precondition", func(t *testing.T) {
		expectStatus(t, g.do(t, ctx, rawRequest{method: "PUT", rawPath: "/conf-complete/guarded", bodyBytes: []byte("existing")}), http.StatusOK, "PUT the existing object")
		u := newRawUpload(t, ctx, g, "conf-complete", "guarded")
		data := patternBytes(2, 1000)
		u.part(t, ctx, data)
		const failed = "At least one of the pre-conditions you specified did not hold"
		expectS3Error(t, u.complete(t, ctx, headers("If-None-Match", "*")), http.StatusPreconditionFailed, "PreconditionFailed", failed,
			map[string]string{"Condition": "If-None-Match"})
		u.expectIntact(t, ctx, "If-None-Match: *")
		expectS3Error(t, u.complete(t, ctx, headers("If-Match", `"00000000000000000000000000000000"`)), http.StatusPreconditionFailed, "PreconditionFailed", failed,
			map[string]string{"Condition": "If-Match"})
		u.expectIntact(t, ctx, "a false If-Match")
		expectBody(t, g, u.path(), []byte("existing"))
		expectStatus(t, u.complete(t, ctx, headers("If-Match", "*")), http.StatusOK, "Complete with If-Match: *")
		expectBody(t, g, u.path(), data)
	})
}
