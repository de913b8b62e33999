package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/terngate/terngate/s3err"
)

// errorBody is S3's error document.
type errorBody struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
	// Fields are the code's extra elements; each is named by its XMLName.
	Fields     []errorField
	BucketName string `xml:"BucketName,omitempty"`
	Key        string `xml:"Key,omitempty"`
	Resource   string `xml:"Resource"`
	RequestID  string `xml:"RequestId"`
	HostID     string `xml:"HostId"`
}

// errorField is one extra element of an error document.
type errorField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// bucketScoped lists the codes AWS answers with a BucketName element.
var bucketScoped = map[string]bool{
	s3err.NoSuchBucket.Code:            true,
	s3err.BucketAlreadyExists.Code:     true,
	s3err.BucketAlreadyOwnedByYou.Code: true,
	s3err.BucketNotEmpty.Code:          true,
	s3err.InvalidBucketName.Code:       true,
	// Object Lock (s3err/lock.go).
	s3err.ObjectLockConfigurationNotFound.Code: true,
}

// withRequestElements adds the elements whose data is the request itself,
// for errors raised where the request is not at hand: MethodNotAllowed's
// Method and ResourceType, NoSuchUpload's UploadId (see s3err/elements.go
// for the sources).
func withRequestElements(r *request, e *s3err.Error) *s3err.Error {
	switch e.Code {
	case s3err.MethodNotAllowed.Code:
		if e.Field("Method") == "" {
			return e.WithFields("Method", r.method(), "ResourceType", resourceType(r))
		}
	case s3err.NoSuchUpload.Code:
		if e.Field("UploadId") == "" && r.hasParam("uploadId") {
			return e.WithFields("UploadId", r.param("uploadId"))
		}
	}
	return e
}

// resourceType is the kind of resource a request addresses, as S3 names it
// in MethodNotAllowed.
func resourceType(r *request) string {
	switch {
	case r.bucket == "":
		return "SERVICE"
	case r.key == "":
		return "BUCKET"
	}
	return "OBJECT"
}

// writeError renders err as S3 does. Errors outside the catalogue are
// logged and answered with InternalError, so no internal detail leaks.
func (s *server) writeError(r *request, err error) {
	var e *s3err.Error
	if !errors.As(err, &e) {
		// r.ctx adds the request_id (see logWithRequestIDs).
		s.log.ErrorContext(r.ctx, "internal error", "method", r.method(),
			"path", r.rawPath, "error", err)
		e = s3err.InternalError
	} else if e.Status >= http.StatusInternalServerError {
		s.log.WarnContext(r.ctx, "server-side S3 error", "code", e.Code, "error", err)
	}

	resp := r.c.Response()
	resp.ResetBody()
	resp.SetStatusCode(e.Status)
	for _, h := range e.Headers {
		resp.Header.Set(h.Name, h.Value)
	}
	// 304 and HEAD answers carry no body.
	if e.Status == http.StatusNotModified || r.isHead() {
		return
	}
	s.writeXMLStatus(r, e.Status, errorDocument(r, e))
}

// errorDocument is e's Error document for request r.
func errorDocument(r *request, e *s3err.Error) errorBody {
	e = withRequestElements(r, e)
	body := errorBody{
		Code:      e.Code,
		Message:   e.Message,
		Resource:  r.resource(),
		RequestID: r.id,
		HostID:    r.hostID,
	}
	for _, f := range e.Fields {
		if f.Name == "BucketName" {
			continue // in its own place, below
		}
		body.Fields = append(body.Fields, errorField{XMLName: xml.Name{Local: f.Name}, Value: f.Value})
	}
	if bucketScoped[e.Code] {
		body.BucketName = e.Field("BucketName")
		if body.BucketName == "" {
			body.BucketName = r.bucket
		}
	}
	if e.Code == s3err.NoSuchKey.Code {
		body.Key = r.key
	}
	return body
}
