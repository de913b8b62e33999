package auth

import (
	"net/http"
	"time"

	"github.com/terngate/terngate/s3err"
)

var errMissingDate = s3err.AccessDenied.With("AWS authentication requires a valid Date or x-amz-date header")

// requestTime reads the signing time of a header-signed request:
// X-Amz-Date (ISO 8601 basic) wins over Date (RFC 1123 and the other HTTP
// date forms).
func requestTime(h http.Header) (time.Time, error) {
	if v := h.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(iso8601Basic, v)
		if err != nil {
			return time.Time{}, errMissingDate
		}
		return t, nil
	}
	if v := h.Get("Date"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return time.Time{}, errMissingDate
		}
		return t.UTC(), nil
	}
	return time.Time{}, errMissingDate
}

// requestTimeText is the signing time as the client wrote it, which S3
// echoes in RequestTimeTooSkewed's <RequestTime>.
func requestTimeText(h http.Header) string {
	if v := h.Get("X-Amz-Date"); v != "" {
		return v
	}
	return h.Get("Date")
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
