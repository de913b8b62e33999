package s3api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// maxPostPreData is S3's limit on the form fields preceding the file
// (ErrorResponses.html, MaxPostPreDataLengthExceededError: 20 KB).
const maxPostPreData = 20 << 10

// postForm is a browser upload's form: the fields before the file, with
// lower-cased names, and the file part, whose body is still unread on the
// connection. Fields after the file are never read: S3 ignores them.
type postForm struct {
	fields map[string]string
	// spelled maps a lower-cased field name to the name as sent.
	spelled map[string]string
	file    *multipart.Part
	// filename is the file part's filename parameter; hasFilename tells
	// an empty one from none (${filename} then stays literal).
	filename    string
	hasFilename bool
}

// errNotAForm is S3's answer to a bucket POST that is not a form upload.
var errNotAForm = s3err.PreconditionFailedOn("Bucket POST must be of the enclosure-type multipart/form-data")

// readPostForm reads the form up to the start of the file.
func readPostForm(r *request) (*postForm, error) {
	mediaType, params, err := mime.ParseMediaType(r.header("Content-Type"))
	if err != nil || !strings.EqualFold(mediaType, "multipart/form-data") {
		return nil, errNotAForm
	}
	if params["boundary"] == "" {
		return nil, s3err.MalformedPOSTRequest
	}
	mr := multipart.NewReader(r.body, params["boundary"])
	form := &postForm{fields: make(map[string]string), spelled: make(map[string]string)}
	size := 0
	for {
		// Raw parts: S3 takes field values as sent, with no
		// Content-Transfer-Encoding decoding.
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return nil, s3err.InvalidArgument.With("POST requires exactly one file upload per request.").ForArgument("file", "0")
		}
		if err != nil {
			return nil, fmt.Errorf("%w (%v)", s3err.MalformedPOSTRequest, err)
		}
		name := strings.ToLower(part.FormName())
		if name == "" {
			return nil, s3err.MalformedPOSTRequest
		}
		if name == "file" {
			form.file = part
			_, params, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
			form.filename, form.hasFilename = params["filename"]
			return form, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, int64(maxPostPreData-size)+1))
		if err != nil {
			return nil, fmt.Errorf("%w (%v)", s3err.MalformedPOSTRequest, err)
		}
		size += len(name) + len(value)
		if size > maxPostPreData {
			return nil, s3err.MaxPostPreDataLengthExceeded.WithFields("MaxPostPreDataLengthBytes", strconv.Itoa(maxPostPreData))
		}
		if _, dup := form.fields[name]; !dup {
			form.fields[name] = string(value)
			form.spelled[name] = part.FormName()
		}
	}
}
