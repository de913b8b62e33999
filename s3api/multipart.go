package s3api

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store"
	"github.com/terngate/terngate/store/objects"
)

// routeMultipart picks the multipart operation a request names, if any.
func routeMultipart(r *request) (handlerFunc, bool, error) {
	if h, ok, err := routeLifecycle(r); ok {
		return h, true, err
	}
	method := r.method()
	switch {
	case r.key == "" && r.hasParam("uploads"):
		h, err := onlyMethod(method, http.MethodGet, (*server).listMultipartUploads)
		return h, true, err
	case r.key != "" && r.hasParam("uploads"):
		h, err := onlyMethod(method, http.MethodPost, (*server).createMultipartUpload)
		return h, true, err
	case r.key != "" && r.hasParam("uploadId"):
		switch method {
		case http.MethodPut:
			if r.hasHeader("x-amz-copy-source") {
				return (*server).uploadPartCopy, true, nil
			}
			return (*server).uploadPart, true, nil
		case http.MethodPost:
			return (*server).completeMultipartUpload, true, nil
		case http.MethodGet:
			return (*server).listParts, true, nil
		case http.MethodDelete:
			return (*server).abortMultipartUpload, true, nil
		}
		return nil, true, s3err.MethodNotAllowedAllowing(http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete)
	}
	return nil, false, nil
}

func (s *server) multipart() (*multipart.Manager, error) {
	if s.cfg.Multipart == nil {
		return nil, s3err.NotImplemented
	}
	return s.cfg.Multipart, nil
}

func (s *server) createMultipartUpload(r *request) error {
	m, err := s.multipart()
	if err != nil {
		return err
	}
	enc, err := s.encryptionForUpload(r)
	if err != nil {
		return err
	}
	md, err := metadataFromRequest(r)
	if err != nil {
		return err
	}
	if md.Tags, err = requestTags(r); err != nil {
		return err
	}
	md.StorageClass = requestStorageClass(r)
	if err := s.lockForWrite(r, &md, false); err != nil {
		return err
	}
	in := multipart.CreateInput{
		Bucket: r.bucket, Key: r.key, Owner: r.owner(), Metadata: md,
		ChecksumType: strings.ToUpper(strings.TrimSpace(r.header("x-amz-checksum-type"))),
		Encryption:   enc,
	}
	if a := strings.TrimSpace(r.header("x-amz-checksum-algorithm")); a != "" {
		if in.ChecksumAlgorithm, err = checksum.ParseAlgorithm(a); err != nil {
			return s3err.InvalidRequest.With("Checksum algorithm provided is unsupported.")
		}
	}
	u, err := m.Create(r.ctx, in)
	if err != nil {
		return err
	}
	if u.ChecksumAlgorithm != "" {
		r.setHeader("x-amz-checksum-algorithm", u.ChecksumAlgorithm)
		r.setHeader("x-amz-checksum-type", u.ChecksumType)
	}
	setUploadEncryptionHeaders(r, u.Encryption)
	s.writeXML(r, initiateResult{Xmlns: s3Namespace, Bucket: r.bucket, Key: r.key, UploadID: u.ID})
	return nil
}

// partNumber parses ?partNumber= for UploadPart.
func partNumber(r *request) (int, error) {
	n, err := strconv.Atoi(r.param("partNumber"))
	if err != nil || n < 1 || n > multipart.MaxPartNumber {
		return 0, s3err.InvalidArgument.With("Part number must be an integer between 1 and 10000, inclusive").
			ForArgument("partNumber", r.param("partNumber"))
	}
	return n, nil
}

func (s *server) uploadPart(r *request) error {
	m, err := s.multipart()
	if err != nil {
		return err
	}
	n, err := partNumber(r)
	if err != nil {
		return err
	}
	up, err := s.openUpload(r)
	if err != nil {
		return err
	}
	md5sum, err := contentMD5(r)
	if err != nil {
		return err
	}
	spec, err := checksum.FromHeaders(requestHeaders(r))
	if err != nil {
		return err
	}
	var enc *multipart.Encryption
	p, err := m.UploadPart(r.ctx, multipart.PartInput{
		Bucket: r.bucket, Key: r.key, UploadID: r.param("uploadId"), Number: n,
		Body: up.body, Size: up.size, ContentMD5: md5sum, ClientAlgorithm: spec.Algorithm,
		ClientSums: up.sums.Sums, Unseal: partUnsealer(r, &enc),
	})
	if err != nil {
		return err
	}
	r.setHeader("ETag", quoteETag(p.ETag))
	setUploadEncryptionHeaders(r, enc)
	switch {
	case !spec.IsZero():
		r.setHeader(checksum.HeaderName(spec.Algorithm), up.sums.Sums()[spec.Algorithm])
	case p.Algorithm != "":
		// A FULL_OBJECT upload's part sent without a checksum: S3 answers
		// the one it computed.
		r.setHeader(checksum.HeaderName(checksum.Algorithm(p.Algorithm)), p.Checksum)
	}
	r.c.Status(http.StatusOK)
	return nil
}

func (s *server) abortMultipartUpload(r *request) error {
	m, err := s.multipart()
	if err != nil {
		return err
	}
	if err := m.Abort(r.ctx, r.bucket, r.key, r.param("uploadId")); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

// intParam parses an optional paging limit (see parseLimit).
func intParam(r *request, name string, def int) (int, error) {
	return parseLimit(r, name, def)
}

func (s *server) listParts(r *request) error {
	m, err := s.multipart()
	if err != nil {
		return err
	}
	maxParts, err := intParam(r, "max-parts", 1000)
	if err != nil {
		return err
	}
	marker, err := intParam(r, "part-number-marker", 0)
	if err != nil {
		return err
	}
	maxParts = min(maxParts, 1000)
	out, err := m.ListParts(r.ctx, r.bucket, r.key, r.param("uploadId"), marker, maxParts)
	if err != nil {
		return err
	}
	if err := checkListPartsCustomerKey(r, out.Upload.Encryption); err != nil {
		return err
	}
	own := &owner{ID: out.Upload.Owner, DisplayName: out.Upload.Owner}
	res := listPartsResult{
		Xmlns: s3Namespace, Bucket: r.bucket, Key: r.key, UploadID: out.Upload.ID,
		PartNumberMarker: marker, NextPartNumberMarker: out.NextMarker, MaxParts: maxParts,
		IsTruncated: out.IsTruncated, Initiator: own, Owner: own, StorageClass: storageClassOf(out.Upload.Metadata),
		ChecksumAlgorithm: out.Upload.ChecksumAlgorithm, ChecksumType: out.Upload.ChecksumType,
	}
	for _, p := range out.Parts {
		px := partXML{PartNumber: p.Number, LastModified: p.LastModified.UTC().Format(time.RFC3339Nano), ETag: quoteETag(p.ETag), Size: p.Size}
		if out.Upload.ChecksumAlgorithm != "" {
			px.set(checksum.Algorithm(out.Upload.ChecksumAlgorithm), p.Checksum)
		}
		res.Parts = append(res.Parts, px)
	}
	s.writeXML(r, res)
	return nil
}

// completeQuickly is how long Complete may take before the response turns
// into a 200 kept alive with whitespace (then the result or an Error
// document follows in the body, as S3 does).
const (
	completeQuickly  = 2 * time.Second
	completeKeepBeat = 5 * time.Second
)

type completeOutcome struct {
	res multipart.Result
	err error
}

func (s *server) completeMultipartUpload(r *request) error {
	m, err := s.multipart()
	if err != nil {
		return err
	}
	in, err := completeInput(r)
	if err != nil {
		return err
	}
	if err := s.checkCompleteEncryption(r, m); err != nil {
		return err
	}
	// The object's file, once known: a Complete that outlasts
	// completeQuickly sends its headers before the outcome, and they still
	// name the version (x-amz-version-id, API_CompleteMultipartUpload).
	var assembling atomic.Uint64
	in.Assembling = func(file store.ID) { assembling.Store(uint64(file)) }
	done := make(chan completeOutcome, 1)
	ctx := r.ctx
	go func() {
		res, err := m.Complete(ctx, in)
		done <- completeOutcome{res, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			return o.err
		}
		setUploadEncryptionHeaders(r, o.res.Encryption)
		setWrittenVersionHeader(r, objects.ObjectInfo{FileID: o.res.File})
		s.writeXML(r, s.completeDocument(r, o.res))
		return nil
	case <-time.After(completeQuickly):
	}
	// The headers go out now, before the outcome: they are the upload's.
	if u, err := m.Upload(r.ctx, r.bucket, r.key, in.UploadID); err == nil {
		setUploadEncryptionHeaders(r, u.Encryption)
	}
	if file := assembling.Load(); file != 0 {
		setWrittenVersionHeader(r, objects.ObjectInfo{FileID: store.ID(file)})
	}
	resp := r.c.Response()
	resp.SetStatusCode(http.StatusOK)
	resp.Header.SetContentType("application/xml")
	resp.SetBodyStreamWriter(func(w *bufio.Writer) {
		w.WriteString(xml.Header)
		w.Flush()
		beat := time.NewTicker(completeKeepBeat)
		defer beat.Stop()
		for {
			select {
			case o := <-done:
				w.Write(s.completeBody(r, o))
				w.Flush()
				return
			case <-beat.C:
				w.WriteString(" ")
				w.Flush()
			}
		}
	})
	return nil
}

// completeBody renders a late outcome for the 200 stream: the result or an
// S3 Error document.
func (s *server) completeBody(r *request, o completeOutcome) []byte {
	var buf bytes.Buffer
	if o.err == nil {
		xml.NewEncoder(&buf).Encode(s.completeDocument(r, o.res))
		return buf.Bytes()
	}
	e := s3err.As(o.err)
	if e == nil {
		s.log.ErrorContext(r.ctx, "internal error", "error", o.err)
		e = s3err.InternalError
	}
	xml.NewEncoder(&buf).Encode(errorDocument(r, e))
	return buf.Bytes()
}

func (s *server) completeDocument(r *request, res multipart.Result) completeResult {
	doc := completeResult{
		Xmlns: s3Namespace, Location: objectURL(r), Bucket: res.Bucket, Key: res.Key,
		ETag: quoteETag(res.ETag), ChecksumType: res.ChecksumType,
	}
	if res.Checksum != "" {
		doc.set(checksum.Algorithm(res.ChecksumAlgo), res.Checksum)
	}
	return doc
}

// objectURL is the absolute URL of the object a request addresses, as the
// client addressed it (S3's Complete answers it as Location).
func objectURL(r *request) string {
	return r.c.Protocol() + "://" + string(r.c.Request().Host()) + string(r.c.Request().URI().PathOriginal())
}

// completeInput reads the request document and headers of a Complete.
func completeInput(r *request) (multipart.CompleteInput, error) {
	data, err := readXMLBody(r.body)
	if err != nil {
		return multipart.CompleteInput{}, err
	}
	var doc completeRequest
	if err := decodeXML(data, &doc); err != nil {
		return multipart.CompleteInput{}, err
	}
	in := multipart.CompleteInput{
		Bucket: r.bucket, Key: r.key, UploadID: r.param("uploadId"), ObjectSize: -1,
		ChecksumType: strings.ToUpper(strings.TrimSpace(r.header("x-amz-checksum-type"))),
	}
	for _, p := range doc.Parts {
		in.Parts = append(in.Parts, multipart.CompletePart{Number: p.PartNumber, ETag: p.ETag, Checksums: p.values()})
	}
	if v := r.header("x-amz-mp-object-size"); v != "" {
		if in.ObjectSize, err = strconv.ParseInt(v, 10, 64); err != nil {
			// S3's answer to a value that is not a number
			// (versity/versitygw#1398 records it).
			return in, s3err.InvalidRequest.With("Value for x-amz-mp-object-size header is invalid: '%s'", v)
		}
		if in.ObjectSize < 0 {
			return in, s3err.InvalidArgument.With("x-amz-mp-object-size must be a non-negative integer")
		}
	}
	if in.Checksum, err = completeChecksum(requestHeaders(r)); err != nil {
		return in, err
	}
	var put objects.PutInput
	if err := putPreconditions(r, &put); err != nil {
		return in, err
	}
	in.Conditions = objects.Conditions{IfNoneMatchStar: put.IfNoneMatchStar, IfMatch: put.IfMatch}
	return in, nil
}
