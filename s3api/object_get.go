package s3api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// maxPartNumber is S3's highest part number.
const maxPartNumber = 10000

// readPlan is what a GET or HEAD sends: the bytes and the status.
type readPlan struct {
	rng     byteRange
	partial bool
	// partsCount is set when a part of a multipart object was asked for.
	partsCount int
	// sums are the stored checksums that describe the bytes sent (with
	// their type), if any: a range has none.
	sums objects.Metadata
}

// getObject streams an object (or a range or part of it).
func (s *server) getObject(r *request) error {
	obj, err := s.openForRead(r)
	if err != nil {
		return err
	}
	if err := checkReadable(obj.Info); err != nil {
		obj.Close()
		return err
	}
	key, err := objectReadKey(r, obj.Info)
	if err != nil {
		obj.Close()
		return err
	}
	plan, err := planRead(r, obj.Info)
	if err != nil {
		key.zero()
		obj.Close()
		return err
	}
	reader, err := openRange(obj, key, plan.rng.start, plan.rng.length())
	if err != nil {
		obj.Close()
		return fmt.Errorf("reading %s/%s: %w", r.bucket, r.key, err)
	}
	setReadHeaders(r, obj.Info, plan)
	key.setHeaders(r)
	// fasthttp closes the stream (and with it the object) once the
	// response is written or abandoned.
	r.c.Response().SetBodyStream(countBytes(&objectBody{r: reader, obj: obj}), int(plan.rng.length()))
	return nil
}

// headObject answers with GET's headers and no body.
func (s *server) headObject(r *request) error {
	info, err := s.statForRead(r)
	if err != nil {
		return err
	}
	key, err := objectReadKey(r, info)
	if err != nil {
		return err
	}
	key.zero()
	plan, err := planRead(r, info)
	if err != nil {
		return err
	}
	setReadHeaders(r, info, plan)
	key.setHeaders(r)
	resp := r.c.Response()
	resp.SkipBody = true
	resp.Header.SetContentLength(int(plan.rng.length()))
	return nil
}

// planRead applies the preconditions, partNumber and Range to an object.
func planRead(r *request, info objects.ObjectInfo) (readPlan, error) {
	if err := refuseAnonymousOverrides(r); err != nil {
		return readPlan{}, err
	}
	if err := checkConditions(r, readConditions, info); err != nil {
		if errors.Is(err, s3err.NotModified) {
			r.setHeader("ETag", quoteETag(info.ETag))
			r.setHeader("Last-Modified", httpTime(info))
		}
		return readPlan{}, err
	}
	whole := readPlan{rng: byteRange{start: 0, end: info.Size - 1}, sums: info.Metadata}

	if r.hasParam("partNumber") {
		if r.hasHeader("Range") {
			return readPlan{}, s3err.InvalidRequest.With("Cannot specify both Range header and partNumber query parameter")
		}
		return planPart(r.param("partNumber"), info)
	}
	if !r.hasHeader("Range") {
		return whole, nil
	}
	rng, res := parseRange(r.header("Range"), info.Size)
	switch res {
	case rangePartial:
		return readPlan{rng: rng, partial: true}, nil
	case rangeUnsatisfiable:
		r.setHeader("Content-Range", fmt.Sprintf("bytes */%d", info.Size))
		return readPlan{}, s3err.InvalidRangeFor(r.header("Range"), info.Size)
	default:
		return whole, nil
	}
}

// planPart serves ?partNumber=N: a part of a multipart object, or part 1
// of a plain object (the whole of it).
func planPart(param string, info objects.ObjectInfo) (readPlan, error) {
	n, err := strconv.Atoi(param)
	if err != nil || n < 1 || n > maxPartNumber {
		return readPlan{}, s3err.InvalidArgument.With("Part number must be an integer between 1 and %d, inclusive", maxPartNumber).
			ForArgument("partNumber", param)
	}
	if len(info.PartSizes) == 0 {
		if n != 1 {
			return readPlan{}, s3err.InvalidPartNumber
		}
		// A single PUT is its own part 1, served as a range of all of it
		// (an empty object has no range to name).
		return readPlan{rng: byteRange{start: 0, end: info.Size - 1}, partial: info.Size > 0, sums: info.Metadata}, nil
	}
	if n > len(info.PartSizes) {
		return readPlan{}, s3err.InvalidPartNumber
	}
	var start int64
	for _, sz := range info.PartSizes[:n-1] {
		start += sz
	}
	rng := byteRange{start: start, end: start + info.PartSizes[n-1] - 1}
	plan := readPlan{rng: rng, partial: true, partsCount: len(info.PartSizes)}
	// A COMPOSITE object keeps each part's checksum; a FULL_OBJECT one
	// describes only the whole object.
	if len(info.PartChecksums) == len(info.PartSizes) {
		for alg := range info.Metadata.Checksums {
			plan.sums = objects.Metadata{Checksums: map[string]string{alg: info.PartChecksums[n-1]}, ChecksumType: info.Metadata.ChecksumType}
		}
	}
	return plan, nil
}

// setReadHeaders writes the headers shared by GET and HEAD.
func setReadHeaders(r *request, info objects.ObjectInfo, plan readPlan) {
	setMetadataHeaders(r, info.Metadata)
	applyResponseOverrides(r)
	r.setHeader("ETag", quoteETag(info.ETag))
	r.setHeader("Last-Modified", httpTime(info))
	r.setHeader("Accept-Ranges", "bytes")
	setTagCountHeader(r, info)
	setStorageClassHeader(r, info.Metadata)
	setLockHeaders(r, info.Metadata)
	if plan.partsCount > 0 {
		r.setHeader("x-amz-mp-parts-count", strconv.Itoa(plan.partsCount))
	}
	if checksumModeEnabled(r) {
		setStoredChecksumHeaders(r, plan.sums)
	}
	if plan.partial {
		r.setHeader("Content-Range", fmt.Sprintf("bytes %d-%d/%d", plan.rng.start, plan.rng.end, info.Size))
		r.c.Status(http.StatusPartialContent)
	} else {
		r.c.Status(http.StatusOK)
	}
}

// responseOverrides maps GET's response-* query parameters to the headers
// they replace.
var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

func applyResponseOverrides(r *request) {
	for _, o := range responseOverrides {
		if r.hasParam(o.param) {
			r.setHeader(o.header, r.param(o.param))
		}
	}
}

func httpTime(info objects.ObjectInfo) string {
	return info.LastModified.UTC().Format(http.TimeFormat)
}

// objectBody is a response body that closes its object when fasthttp is
// done with it. WriteTo hands the inner reader to the connection's
// ReadFrom, so a local file still goes out with sendfile.
type objectBody struct {
	r   io.Reader
	obj *objects.Object
}

func (b *objectBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *objectBody) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, b.r) }

func (b *objectBody) Close() error { return b.obj.Close() }
