package s3api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/terngate/terngate/kms"
)

// FuzzParseKMSContext: the context header's parser never panics, accepts
// exactly base64 of UTF-8 JSON objects of strings (API_PutObject,
// x-amz-server-side-encryption-context: "a Base64 encoded string of a
// UTF-8 encoded JSON, which contains the encryption context as key-value
// pairs"), refuses everything else with S3's one InvalidArgument, and what
// it accepts seals and opens under the static ring with the object's ARN
// added (UsingKMSEncryption, "Encryption context").
func FuzzParseKMSContext(f *testing.F) {
	for _, seed := range []string{`{"a":"b"}`, `{}`, `null`, `[]`, `{"a":1}`, `{"a":"b","a":"c"}`, "{\"\xff\":\"x\"}", `{"aws:s3:arn":"x"}`, ` {"k" : "v"} `} {
		f.Add(base64.StdEncoding.EncodeToString([]byte(seed)))
	}
	f.Add("not base64!")
	f.Add("")
	ring := testKMSRing(f, "k1")
	f.Fuzz(func(t *testing.T, header string) {
		ec, err := parseKMSContext(header)
		raw, decodeErr := base64.StdEncoding.DecodeString(header)
		var want map[string]string
		valid := decodeErr == nil && utf8.Valid(raw) && json.Unmarshal(raw, &want) == nil && want != nil
		if err != nil {
			if !errors.Is(err, errKMSContext) {
				t.Fatalf("%q: error %v is not S3's context error", header, err)
			}
			if valid {
				t.Fatalf("%q: refused a valid context", header)
			}
			return
		}
		if !valid {
			t.Fatalf("%q: accepted an invalid context as %v", header, ec)
		}
		full := kmsContextOf(ec, "bucket", "key")
		dk, err := ring.GenerateDataKey(t.Context(), "", full)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ring.Decrypt(t.Context(), dk.KeyID, dk.Sealed, kmsContextOf(kms.Context(ec), "bucket", "key")); err != nil {
			t.Fatalf("%q: the data key does not open under the same context: %v", header, err)
		}
	})
}
