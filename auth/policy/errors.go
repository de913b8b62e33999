package policy

import (
	"net/http"

	"github.com/terngate/terngate/s3err"
)

// MalformedPolicy is S3's error for a policy it cannot accept. Every error
// Parse returns is a copy of it with a specific message (errors.Is matches).
var MalformedPolicy = &s3err.Error{
	Code:    "MalformedPolicy",
	Status:  http.StatusBadRequest,
	Message: "Policies must be valid JSON and the first byte must be '{'",
}

func malformed(format string, args ...any) error {
	return MalformedPolicy.With(format, args...)
}
