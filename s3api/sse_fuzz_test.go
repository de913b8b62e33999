package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParseCustomerKey: the SSE-C headers' parser never panics, accepts
// only a 256-bit key whose MD5 matches, and its errors never hold the key.
func FuzzParseCustomerKey(f *testing.F) {
	k := newTestCustomerKey(0x42)
	f.Add("AES256", k.b64, k.md5b64, true, true, true)
	f.Add("AES128", k.b64, k.md5b64, true, true, true)
	f.Add("AES256", "", k.md5b64, true, false, true)
	f.Add("AES256", k.b64[:40]+"====", k.md5b64, true, true, true)
	f.Add("AES256", k.b64, "", true, true, false)
	f.Fuzz(func(t *testing.T, alg, key, keyMD5 string, hasAlg, hasKey, hasMD5 bool) {
		h := ssecHeaders{algorithm: alg, key: key, keyMD5: keyMD5, hasAlgorithm: hasAlg, hasKey: hasKey, hasKeyMD5: hasMD5}
		ck, err := parseCustomerKey(h, ssecPrefix)
		if err != nil {
			if len(key) >= 8 && strings.Contains(err.Error(), key) {
				t.Fatalf("error %q holds the key", err)
			}
			return
		}
		if ck == nil {
			if hasAlg || hasKey || hasMD5 {
				t.Fatal("headers present but no key and no error")
			}
			return
		}
		raw, derr := base64.StdEncoding.DecodeString(key)
		sum := md5.Sum(raw)
		if derr != nil || len(raw) != 32 || string(raw) != string(ck.key[:]) || ck.md5 != base64.StdEncoding.EncodeToString(sum[:]) || alg != "AES256" {
			t.Fatalf("accepted alg %q key %q md5 %q", alg, key, keyMD5)
		}
	})
}
