package auth

// The Signature Version 2 string to sign is rebuilt by hand for the same
// reason as the SigV4 canonical request (see canonical.go): SDKs only sign,
// and a server has to rebuild the string from what arrived on the wire.
//
// Rules: AWS, "Signing and authenticating REST requests" (Signature
// Version 2), https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html

import (
	"net/http"
	"sort"
	"strings"
)

// v2Subresources are the query parameters signed as part of the
// CanonicalizedResource. AWS's list is acl, lifecycle, location, logging,
// notification, partNumber, policy, requestPayment, torrent, uploadId,
// uploads, versionId, versioning, versions, website, delete and the
// response-* overrides; the clients that still sign V2 add the newer
// subresources (botocore's HmacV1Auth.QSAOfInterest, minio-go's
// resourceList), and AWS accepts what they sign, so those are here too.
var v2Subresources = map[string]bool{
	"acl": true, "lifecycle": true, "location": true, "logging": true,
	"notification": true, "partNumber": true, "policy": true,
	"requestPayment": true, "torrent": true, "uploadId": true,
	"uploads": true, "versionId": true, "versioning": true, "versions": true,
	"website": true, "delete": true, "cors": true, "tagging": true,

	"response-content-type": true, "response-content-language": true,
	"response-expires": true, "response-cache-control": true,
	"response-content-disposition": true, "response-content-encoding": true,

	// Signed by botocore and/or minio-go.
	"accelerate": true, "defaultObjectAcl": true, "restore": true,
	"storageClass": true, "replication": true, "analytics": true,
	"metrics": true, "inventory": true, "select": true, "select-type": true,
	"object-lock": true, "encryption": true, "legal-hold": true,
	"retention": true,
}

// v2Signed is what a SigV2 signature covers, gathered from the request.
type v2Signed struct {
	method      string
	contentMD5  string
	contentType string
	// date is the Date line: the Date header, empty when x-amz-date is
	// sent, or Expires for the query form.
	date       string
	amzHeaders http.Header // every x-amz-* header, by any key case
	resource   string
}

// stringToSign joins the parts: Verb, Content-MD5, Content-Type and Date
// lines, then the CanonicalizedAmzHeaders and the CanonicalizedResource.
func (s v2Signed) stringToSign() string {
	var b strings.Builder
	b.WriteString(s.method)
	b.WriteByte('\n')
	b.WriteString(s.contentMD5)
	b.WriteByte('\n')
	b.WriteString(s.contentType)
	b.WriteByte('\n')
	b.WriteString(s.date)
	b.WriteByte('\n')
	b.WriteString(canonicalAmzHeaders(s.amzHeaders))
	b.WriteString(s.resource)
	return b.String()
}

// canonicalAmzHeaders lowercases the x-amz-* names, sorts them, joins the
// values of a repeated header with commas and unfolds and trims each value,
// one "name:value\n" line per header.
func canonicalAmzHeaders(h http.Header) string {
	values := map[string][]string{}
	for name, vs := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, "x-amz-") {
			continue
		}
		for _, v := range vs {
			values[lower] = append(values[lower], unfoldHeaderValue(v))
		}
	}
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(strings.Join(values[n], ","))
		b.WriteByte('\n')
	}
	return b.String()
}

// unfoldHeaderValue replaces each line fold (a line break and the
// whitespace around it) by one space and trims the value. Inner spaces
// stay: unlike SigV4, V2 does not collapse them.
func unfoldHeaderValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		lines := strings.FieldsFunc(v, func(r rune) bool { return r == '\r' || r == '\n' })
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		v = strings.Join(lines, " ")
	}
	return strings.TrimSpace(v)
}

// canonicalResourceV2 is "/" + the virtual-host bucket (if any), the path
// exactly as sent (still percent-encoded), and the signed subresources
// sorted by name: "?name" for an empty value, "?name=value" otherwise.
func canonicalResourceV2(virtualHostBucket, rawPath string, params []queryParam) string {
	var b strings.Builder
	if virtualHostBucket != "" {
		b.WriteByte('/')
		b.WriteString(virtualHostBucket)
	}
	if rawPath == "" {
		rawPath = "/"
	}
	b.WriteString(rawPath)
	var subs []queryParam
	for _, p := range params {
		if v2Subresources[p.name] {
			subs = append(subs, p)
		}
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].name < subs[j].name })
	for i, p := range subs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		if p.value != "" {
			b.WriteByte('=')
			b.WriteString(p.value)
		}
	}
	return b.String()
}
