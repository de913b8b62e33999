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
	// limited to 20 KB.
	MaxPostPreDataLengthExceeded = newErr("MaxPostPreDataLengthExceededError", http.StatusBadRequest, "Your POST request fields preceding the upload file were too large.")
	// IncorrectNumberOfFilesInPostRequest: a POST must carry exactly one file.
	IncorrectNumberOfFilesInPostRequest = newErr("IncorrectNumberOfFilesInPostRequest", http.StatusBadRequest, "POST requires exactly one file upload per request.")
)
