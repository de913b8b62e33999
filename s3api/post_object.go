package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/checksum"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// postObject serves POST Object, the browser-form upload
// (AmazonS3/latest/API/RESTObjectPOST.html): a multipart/form-data body
// whose fields carry the key, metadata and a signed policy, and whose file
// part is streamed to the store. The form authenticates itself, so the
// router sends it here unsigned (routeUnsigned).
func (s *server) postObject(r *request) error {
	// Headers of the POST itself are held to the same table as any
	// request's; the form's fields to postMetadata's.
	if err := checkUnsupportedHeaders(r); err != nil {
		return err
	}
	form, err := readPostForm(r)
	if err != nil {
		return err
	}
	fields := form.fields
	var policy *auth.PostPolicy
	if auth.IsSignedPost(fields) {
		if policy, err = s.authenticatePost(r, form); err != nil {
			return err
		}
	}
	key, ok := fields["key"]
	if !ok {
		return auth.MissingPostField("key")
	}
	// A file part without a filename parameter leaves ${filename} as it
	// is (LocalStack's AWS-validated test_post_object_with_file_as_string).
	if form.hasFilename {
		key = strings.ReplaceAll(key, "${filename}", form.filename)
	}
	if key == "" {
		return s3err.InvalidArgument.With("User key must have a length greater than 0.").ForArgument("key", "")
	}
	if err := validateKey(key); err != nil {
		return err
	}
	r.key = key
	if err := s.authorizePost(r, fields); err != nil {
		return err
	}
	if err := s.checkExpectedOwners(r); err != nil {
		return err
	}
	md, spec, err := postMetadata(fields)
	if err != nil {
		return err
	}
	body := &postFileBody{part: form.file, max: s.cfg.MaxPutSize, limit: s.cfg.MaxPutSize}
	if policy != nil {
		if lo, hi, ok := policy.SizeRange(); ok {
			body.min, body.max = lo, min(hi, s.cfg.MaxPutSize)
		}
	}
	enc, err := s.postEncryption(r, fields)
	if err != nil {
		return err
	}
	defer enc.zero()
	sums := checksum.NewVerifier(body, spec)
	up := &upload{body: sums, size: -1, sums: sums}
	info, err := s.layer.Put(r.ctx, objects.PutInput{
		Bucket:       r.bucket,
		Key:          key,
		Body:         up.body,
		Size:         -1,
		Metadata:     md,
		BeforeCommit: up.commitChecksums,
		Encryption:   enc.input(),
	})
	if err != nil {
		return err
	}
	enc.setHeaders(r)
	s.respondToPost(r, fields, info)
	return nil
}

// authenticatePost checks the form's signature and policy and makes the
// signer the request's principal.
func (s *server) authenticatePost(r *request, form *postForm) (*auth.PostPolicy, error) {
	res, err := s.verifier.VerifyPost(form.fields)
	if err != nil {
		return nil, err
	}
	policy, err := auth.ParsePostPolicy(form.fields[auth.PostFieldPolicy], time.Now())
	if err != nil {
		return nil, err
	}
	if err := policy.Check(r.bucket, form.fields, form.spelled); err != nil {
		return nil, err
	}
	r.identity = res
	r.principal = res.AccessKey
	if s.cfg.Users != nil {
		name, ok := s.cfg.Users.User(res.AccessKey)
		if !ok {
			return nil, s3err.InvalidAccessKeyIDFor(res.AccessKey)
		}
		r.principal = name
	}
	return policy, nil
}

// authorizePost applies PutObject's authorization to the form's key: the
// owner, or whoever the bucket policy lets put objects (anonymous forms
// included).
func (s *server) authorizePost(r *request, fields map[string]string) error {
	access, err := s.loadAccess(r, r.bucket)
	if err != nil {
		return err
	}
	if !access.exists {
		return s3err.NoSuchBucket
	}
	r.access = access
	if !s.permitsIn(r, access, "PutObject", r.bucket, r.key, conditionContext{r: r, form: fields}) {
		return s3err.AccessDenied
	}
	return nil
}

// postResponse is the document a 201 success_action_status returns.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// respondToPost answers as the form asks: a 303 to success_action_redirect
// (or the older redirect) with bucket, key and etag appended to its query;
// else success_action_status 200 or 201 (with a PostResponse document);
// else, or for any other value, 204. Every answer carries the ETag and the
// object's Location (boto/boto3#2851 shows S3's 204).
func (s *server) respondToPost(r *request, fields map[string]string, info objects.ObjectInfo) {
	etag := quoteETag(info.ETag)
	location := objectLocation(r)
	r.setHeader("ETag", etag)
	r.setHeader("Location", location)
	setStoredChecksumHeaders(r, info.Metadata)
	redirect, ok := fields["success_action_redirect"]
	if !ok {
		redirect = fields["redirect"]
	}
	// S3 keeps the URL's own query as sent and appends bucket, key and
	// the quoted ETag, form-encoded, in that order
	// (layervault/layervault_ruby_client#8); a relative URL is ignored
	// (LocalStack's AWS-validated test_presigned_post_success_action_redirect).
	if u, err := url.Parse(redirect); redirect != "" && err == nil && u.IsAbs() {
		sep := "?"
		if strings.Contains(redirect, "?") {
			sep = "&"
		}
		r.setHeader("Location", redirect+sep+"bucket="+url.QueryEscape(r.bucket)+
			"&key="+url.QueryEscape(r.key)+"&etag="+url.QueryEscape(etag))
		r.c.Status(http.StatusSeeOther)
		return
	}
	switch fields["success_action_status"] {
	case "200":
		r.c.Status(http.StatusOK)
	case "201":
		s.writeXMLStatus(r, http.StatusCreated, postResponse{
			Location: location, Bucket: r.bucket, Key: r.key, ETag: etag,
		})
	default:
		r.c.Status(http.StatusNoContent)
	}
}

// objectLocation is the URL of the uploaded object, addressed as the
// request addressed its bucket, with the key escaped whole ('/' as %2F),
// as S3 writes it (s3rver#504 and ceph#20330 quote S3's PostResponse).
func objectLocation(r *request) string {
	base := r.c.Protocol() + "://" + string(r.c.Request().Header.Host()) + "/"
	if strings.HasPrefix(r.rawPath, "/"+r.bucket) {
		base += r.bucket + "/"
	}
	return base + url.PathEscape(r.key)
}
