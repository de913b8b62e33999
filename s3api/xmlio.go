package s3api

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"

	"github.com/terngate/terngate/internal/strictxml"
	"github.com/terngate/terngate/s3err"
)

// s3Namespace is the XML namespace of S3 documents.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxXMLBody caps the request documents the gateway parses in memory
// (DeleteObjects with 1000 long keys is the largest).
const maxXMLBody = 2 << 20

// writeXML sends v as a 200 XML document.
func (s *server) writeXML(r *request, v any) {
	s.writeXMLStatus(r, http.StatusOK, v)
}

func (s *server) writeXMLStatus(r *request, status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		// The documents are the package's own types: failing to encode
		// one is a bug.
		s.log.ErrorContext(r.ctx, "encoding XML response", "error", err)
		r.c.Response().SetStatusCode(http.StatusInternalServerError)
		return
	}
	resp := r.c.Response()
	resp.SetStatusCode(status)
	resp.Header.SetContentType("application/xml")
	resp.SetBodyRaw(buf.Bytes())
}

// readXMLBody reads a request document of at most maxXMLBody bytes.
func readXMLBody(body io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(body, maxXMLBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading request document: %w", err)
	}
	if len(data) > maxXMLBody {
		return nil, s3err.MalformedXML.With("The XML you provided was larger than the maximum %d bytes allowed.", maxXMLBody)
	}
	return data, nil
}

// decodeXML parses a request document into v. Any parse error, any element
// v's type does not declare, and a repeat of one it declares once is
// MalformedXML: S3 validates request documents against its schema and
// answers MalformedXML to an element it does not know (in a tagging, CORS
// or ACL document, S3's answer as recorded in ceph/ceph#23486). Elements of
// the schema terngate does not act on are declared by the documents' types,
// to be refused by name (NotImplemented), never dropped.
func decodeXML(data []byte, v any) error {
	if err := strictxml.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w (%v)", s3err.MalformedXML, err)
	}
	return nil
}

// decodeStoredXML parses a document the gateway stored after validating
// it. Documents stored before request documents were checked against the
// schema may hold elements decodeXML now refuses; they were accepted then,
// and are read as they were.
func decodeStoredXML(data []byte, v any) error {
	if err := xml.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w (%v)", s3err.MalformedXML, err)
	}
	return nil
}

// readOptionalDocument reads a request document that may be absent.
func (s *server) readOptionalDocument(r *request) ([]byte, error) {
	if r.c.Request().Header.ContentLength() == 0 {
		return nil, nil
	}
	body, err := s.payload(r)
	if err != nil {
		return nil, err
	}
	return readXMLBody(body)
}

// configurationBody reads the XML body of a bucket configuration request
// (CORS, lifecycle, public access block, ownership controls) through its
// payload verifier, then checks the Content-MD5 and x-amz-checksum-* that S3
// requires one of: whichever the client sent is verified.
func (s *server) configurationBody(r *request) ([]byte, error) {
	body, err := s.payload(r)
	if err != nil {
		return nil, err
	}
	data, err := readXMLBody(body)
	if err != nil {
		return nil, err
	}
	if err := checkBodyMD5(r, data); err != nil {
		return nil, err
	}
	if err := checkBodyChecksum(r, data); err != nil {
		return nil, err
	}
	return data, nil
}

// writeStoredXML answers 200 with a bucket document (CORS, lifecycle,
// encryption, tagging) as it was stored: validated and, where S3 answers a
// canonical form, canonicalised when it was put.
func writeStoredXML(r *request, doc []byte) error {
	r.c.Response().Header.SetContentType("application/xml")
	r.c.Status(http.StatusOK)
	r.c.Response().SetBody(doc)
	return nil
}
