package s3api

import (
	"net/netip"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// validateBucketName applies S3's bucket naming rules: 3-63 characters of
// lower-case letters, digits, '.' and '-', starting and ending with a
// letter or digit, no "..", not shaped like an IP address, and none of the
// prefixes and suffixes AWS reserves.
func validateBucketName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return s3err.InvalidBucketName
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return s3err.InvalidBucketName
			}
		default:
			return s3err.InvalidBucketName
		}
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return s3err.InvalidBucketName
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return s3err.InvalidBucketName
	}
	for _, p := range []string{"xn--", "sthree-"} {
		if strings.HasPrefix(name, p) {
			return s3err.InvalidBucketName
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return s3err.InvalidBucketName
		}
	}
	return nil
}
