package s3api

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/s3err"
)

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumFields
}

// copySourceRangeMessage is AWS's refusal of a malformed
// x-amz-copy-source-range.
const copySourceRangeMessage = "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"

// badCopySourceRange is that refusal naming the header and echoing its
// value, as S3's does (gaul/s3proxy#304 records S3's document).
func badCopySourceRange(value string) error {
	return s3err.InvalidArgument.With(copySourceRangeMessage).ForArgument("x-amz-copy-source-range", value)
}

// uploadPartCopy is UploadPartCopy: a part whose bytes are (a range of) an
// existing object. Authorization already checked s3:GetObject on the source.
func (s *server) uploadPartCopy(r *request) error {
	m, err := s.multipart()
	if err != nil {
		return err
	}
	n, err := partNumber(r)
	if err != nil {
		return err
	}
	src, err := parseCopySource(r.header("x-amz-copy-source"))
	if err != nil {
		return err
	}
	u, err := m.Upload(r.ctx, r.bucket, r.key, r.param("uploadId"))
	if err != nil {
		return err
	}
	obj, err := s.openCopySource(r, src)
	if err != nil {
		return err
	}
	defer obj.Close()
	if err := checkReadable(obj.Info); err != nil {
		return err
	}
	if err := checkConditions(r, copySourceConditions, obj.Info); err != nil {
		return err
	}
	srcKey, err := copySourceKey(r, obj.Info)
	if err != nil {
		return err
	}
	defer srcKey.zero()
	rng, err := copySourceRange(r.header("x-amz-copy-source-range"), obj.Info.Size)
	if err != nil {
		return err
	}
	if rng.length() > multipart.MaxPartSize {
		return s3err.InvalidRequest.With("The specified copy source is larger than the maximum allowable size for a copy source: %d", int64(multipart.MaxPartSize))
	}
	body, err := openRange(obj, srcKey, rng.start, rng.length())
	if err != nil {
		return fmt.Errorf("reading copy source %s/%s: %w", src.bucket, src.key, err)
	}
	var enc *multipart.Encryption
	p, err := m.UploadPart(r.ctx, multipart.PartInput{
		Bucket: r.bucket, Key: r.key, UploadID: u.ID, Number: n, Body: body, Size: rng.length(), Copied: true,
		Unseal: partUnsealer(r, &enc),
	})
	if err != nil {
		return err
	}
	setUploadEncryptionHeaders(r, enc)
	res := copyPartResult{Xmlns: s3Namespace, LastModified: isoTime(p.LastModified), ETag: quoteETag(p.ETag)}
	// The part's checksum is named only when the upload asked for one.
	if u.ChecksumAlgorithm != "" {
		res.set(checksum.Algorithm(u.ChecksumAlgorithm), p.Checksum)
	}
	s.writeXML(r, res)
	return nil
}

// copySourceRange parses "bytes=first-last" (both required, inclusive) for
// a source of size bytes; no header copies the whole source.
func copySourceRange(header string, size int64) (byteRange, error) {
	if header == "" {
		return byteRange{start: 0, end: size - 1}, nil
	}
	spec, ok := strings.CutPrefix(header, "bytes=")
	first, last, ok2 := strings.Cut(spec, "-")
	if !ok || !ok2 {
		return byteRange{}, badCopySourceRange(header)
	}
	start, err1 := strconv.ParseInt(first, 10, 64)
	end, err2 := strconv.ParseInt(last, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return byteRange{}, badCopySourceRange(header)
	}
	if end >= size {
		return byteRange{}, s3err.InvalidArgument.With("Range specified is not valid for source object of size: %d", size)
	}
	return byteRange{start: start, end: end}, nil
}
