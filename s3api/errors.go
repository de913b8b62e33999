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
	// Fields are the error's extra elements (s3err.Field), in order.
	Fields     []errorField `xml:",omitempty"`
	BucketName string       `xml:"BucketName,omitempty"`
	Key        string       `xml:"Key,omitempty"`
	Resource   string       `xml:"Resource"`
	RequestID  string       `xml:"RequestId"`
	HostID     string       `xml:"HostId"`
}

// errorField is one extra element: its name is the element's.
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
	// 304 and HEAD answers carry no body.
	if e.Status == http.StatusNotModified || r.isHead() {
		return
	}
	body := errorBody{
		Code:      e.Code,
		Message:   e.Message,
		Resource:  r.resource(),
		RequestID: r.id,
		HostID:    r.hostID,
	}
	for _, f := range e.Fields {
		body.Fields = append(body.Fields, errorField{XMLName: xml.Name{Local: f.Name}, Value: f.Value})
	}
	if bucketScoped[e.Code] {
		body.BucketName = r.bucket
	}
	if e.Code == s3err.NoSuchKey.Code {
		body.Key = r.key
	}
	s.writeXMLStatus(r, e.Status, body)
}
