package s3err

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Elements: the extra elements AWS puts after <Message>, in AWS's order.
// Each constructor below is the one place a code's elements are named, so
// every layer that has the data attaches the same document. Sources are the
// error documents real S3 returned, as recorded in public issue threads.

// TimeFormat is how AWS writes times in error documents.
const TimeFormat = "2006-01-02T15:04:05Z"

// Time renders t as AWS does in error documents.
func Time(t time.Time) string { return t.UTC().Format(TimeFormat) }

// NoSuchUploadFor is NoSuchUpload naming the upload id
// (versity/versitygw#2035).
func NoSuchUploadFor(uploadID string) *Error {
	return NoSuchUpload.WithFields("UploadId", uploadID)
}

// MethodNotAllowedFor names the method and the kind of resource (SERVICE,
// BUCKET, OBJECT) refused (versity/versitygw#1487, #1810).
func MethodNotAllowedFor(method, resourceType string) *Error {
	return MethodNotAllowed.WithFields("Method", method, "ResourceType", resourceType)
}

// NoSuchBucketNamed names a bucket other than the request's own (a copy
// source) in NoSuchBucket's BucketName, which otherwise names the
// request's bucket (minio/minio#11293 and basho/riak_cs#400 record S3's
// document).
func NoSuchBucketNamed(bucket string) *Error {
	return NoSuchBucket.WithFields("BucketName", bucket)
}

// MethodNotAllowedAllowing is MethodNotAllowed answered with the Allow
// header listing the methods the resource takes: S3 sends "Allow: GET" with
// a POST to the service (versity/versitygw#1810), as RFC 9110 section
// 15.5.6 requires of every 405. The Method and ResourceType elements are
// the request's own and are added where it is at hand.
func MethodNotAllowedAllowing(methods ...string) *Error {
	return MethodNotAllowed.WithHeader("Allow", strings.Join(methods, ", "))
}

// KeyTooLongFor names the key's length in bytes and the limit
// (basho/riak_cs#1233 records S3's document; versity/versitygw#2080).
func KeyTooLongFor(size, max int) *Error {
	return KeyTooLongError.WithFields("Size", strconv.Itoa(size), "MaxSizeAllowed", strconv.Itoa(max))
}

// MetadataTooLargeFor names the user metadata's size and the limit
// (versity/versitygw#2086).
func MetadataTooLargeFor(size, max int) *Error {
	return MetadataTooLarge.WithFields("Size", strconv.Itoa(size), "MaxSizeAllowed", strconv.Itoa(max))
}

// NotImplementedValue is S3's refusal of a value it does not take for a
// header it knows: the header, and a sentence saying so in
// <additionalMessage> (versity/versitygw#2108 records S3's answer to
// PutObject with If-None-Match other than '*').
func NotImplementedValue(header string) *Error {
	return NotImplemented.ForHeader(header).WithFields("additionalMessage",
		"We don't accept the provided value of "+header+" header for this API")
}

// PreconditionFailedOn names the header whose condition did not hold:
// If-Match, If-None-Match or If-Unmodified-Since (versity/versitygw#2044).
func PreconditionFailedOn(condition string) *Error {
	return PreconditionFailed.WithFields("Condition", condition)
}

// InvalidRangeFor is InvalidRange with the Range header as sent and the
// object's size (versity/versitygw#2069; SDKs retry without the range
// using ActualObjectSize, minio/minio#19668).
func InvalidRangeFor(requested string, size int64) *Error {
	return InvalidRange.WithFields("RangeRequested", requested, "ActualObjectSize", strconv.FormatInt(size, 10))
}

// EntityTooSmallPart is Complete's refusal of a part below the minimum
// (apache/arrow-rs-object-store#211, versity/versitygw#2040).
func EntityTooSmallPart(size, min int64, part int, etag string) *Error {
	return EntityTooSmall.WithFields("ProposedSize", strconv.FormatInt(size, 10),
		"MinSizeAllowed", strconv.FormatInt(min, 10), "PartNumber", strconv.Itoa(part), "ETag", etag)
}

// EntityTooLargeFor names the proposed size and the limit
// (versity/versitygw#2041).
func EntityTooLargeFor(size, max int64) *Error {
	return EntityTooLarge.WithFields("ProposedSize", strconv.FormatInt(size, 10),
		"MaxSizeAllowed", strconv.FormatInt(max, 10))
}

// InvalidPartFor names the upload and the part (as the client listed it)
// that could not be matched (versity/versitygw#1008, #2036).
func InvalidPartFor(uploadID string, part int, etag string) *Error {
	return InvalidPart.WithFields("UploadId", uploadID, "PartNumber", strconv.Itoa(part), "ETag", etag)
}

// BadDigestMD5 is a Content-MD5 mismatch: the digest S3 computed, in
// base64, and the one the client sent, in hex (versity/versitygw#2034).
func BadDigestMD5(calculated, expected []byte) *Error {
	return BadDigest.WithFields("CalculatedDigest", base64.StdEncoding.EncodeToString(calculated),
		"ExpectedDigest", hex.EncodeToString(expected))
}

// InvalidDigestFor echoes the Content-MD5 that is not a base64 MD5
// (versity/versitygw#1526).
func InvalidDigestFor(contentMD5 string) *Error {
	return InvalidDigest.WithFields("Content-MD5", contentMD5)
}

// InvalidAccessKeyIDFor names the unknown key (nathanoehlman/knox-mpu#18).
func InvalidAccessKeyIDFor(accessKey string) *Error {
	return InvalidAccessKeyID.WithFields("AWSAccessKeyId", accessKey)
}

// HeadersNotSigned is AccessDenied for x-amz-* headers the signature does
// not cover, naming them (badslug/Paw-AWSSignature4DynamicValue#4).
func HeadersNotSigned(names string) *Error {
	return AccessDenied.With("There were headers present in the request which were not signed").
		WithFields("HeadersNotSigned", names)
}

// RequestTimeTooSkewedAt carries the request's time as sent, the server's
// clock and the allowed skew (versity/versitygw#1514, aws/aws-sdk-php#612).
func RequestTimeTooSkewedAt(requestTime string, now time.Time, maxSkew time.Duration) *Error {
	return RequestTimeTooSkewed.WithFields("RequestTime", requestTime, "ServerTime", Time(now),
		"MaxAllowedSkewMilliseconds", strconv.FormatInt(maxSkew.Milliseconds(), 10))
}

// PresignExpired is AccessDenied for an expired SigV4 presigned URL
// (versity/versitygw#2116; lukejacksonn/react-slack-clone#27 shows S3's).
func PresignExpired(expiresSeconds int64, expires, now time.Time) *Error {
	return AccessDenied.With("Request has expired").WithFields(
		"X-Amz-Expires", strconv.FormatInt(expiresSeconds, 10),
		"Expires", Time(expires), "ServerTime", Time(now))
}

// WrongRegion is the credential scope naming another region than the
// endpoint's: the message names both and <Region> the right one
// (JuliaServices/CloudStore.jl#52, jsoma/flatware#10).
func WrongRegion(base *Error, prefix, got, want string) *Error {
	return base.With("%s; the region '%s' is wrong; expecting '%s'", prefix, got, want).
		WithFields("Region", want)
}

// SignatureMismatchV4 carries what S3 adds to a SigV4 SignatureDoesNotMatch
// so a client can compare canonicalisations (minio/minio#2986 quotes S3's
// document; aws-amplify/aws-sdk-ios#2236 shows CanonicalRequestBytes).
func SignatureMismatchV4(accessKey, stringToSign, provided, canonicalRequest string) *Error {
	return SignatureDoesNotMatch.WithFields(
		"AWSAccessKeyId", accessKey,
		"StringToSign", stringToSign,
		"SignatureProvided", provided,
		"StringToSignBytes", hexBytes(stringToSign),
		"CanonicalRequest", canonicalRequest,
		"CanonicalRequestBytes", hexBytes(canonicalRequest),
	)
}

// hexBytes is S3's rendering of a string's bytes: two hex digits each,
// separated by spaces.
func hexBytes(s string) string { return fmt.Sprintf("% x", s) }

// InvalidObjectStateFor is InvalidObjectState about an object's storage
// class: a GET or copy of an archived object not restored, or a
// RestoreObject of one that is not archived. The text and the StorageClass
// element are S3's (the AWS Glue and Amazon ES troubleshooting guides quote
// the text; AWS's mock, moto, answers RestoreObject of a STANDARD object
// with both).
func InvalidObjectStateFor(storageClass string) *Error {
	return InvalidObjectState.With("The operation is not valid for the object's storage class").WithFields("StorageClass", storageClass)
}
