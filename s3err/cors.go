package s3err

import "net/http"

// CORS and browser-form (POST Object) errors. The texts are S3's, as its
// error responses page lists them (docs.aws.amazon.com/AmazonS3/latest/API/
// ErrorResponses.html) and as ceph/s3-tests (test_cors_*, test_post_object_*)
// records S3's answers.
var (
	NoSuchCORSConfiguration = newErr("NoSuchCORSConfiguration", http.StatusNotFound, "The CORS configuration does not exist")
	// CORSNotEnabled answers a preflight to a bucket without a CORS
	// configuration; CORSNotAllowed one that no rule matches. S3 spells
	// "evalution" so.
	CORSNotEnabled = newErr("AccessForbidden", http.StatusForbidden, "CORSResponse: CORS is not enabled for this bucket.")
	CORSNotAllowed = newErr("AccessForbidden", http.StatusForbidden, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	// BadRequest is the code of a preflight lacking its CORS headers.
	BadRequest = newErr("BadRequest", http.StatusBadRequest, "Bad Request")
	// MaxPostPreDataLengthExceeded: the form fields before the file are
	// limited to 20 KB. Code and text (with its misspelling) are what S3
	// sends, not its error table's (waynehoover/s3_direct_upload#45,
	// Vydia/react-native-background-upload#55).
	MaxPostPreDataLengthExceeded = newErr("MaxPostPreDataLengthExceeded", http.StatusBadRequest, "Your POST request fields preceeding the upload file was too large.")
)
