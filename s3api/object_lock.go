package s3api

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// retentionDocument is the body of Put/GetObjectRetention.
type retentionDocument struct {
	XMLName         xml.Name `xml:"Retention"`
	Xmlns           string   `xml:"xmlns,attr,omitempty"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

// legalHoldDocument is the body of Put/GetObjectLegalHold.
type legalHoldDocument struct {
	XMLName xml.Name `xml:"LegalHold"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status"`
}

// lockDateFormat is how S3 writes retain-until dates, in documents and in
// x-amz-object-lock-retain-until-date.
const lockDateFormat = "2006-01-02T15:04:05.000Z"

// routeObjectLock routes ?retention and ?legal-hold on an object.
func routeObjectLock(r *request) (handlerFunc, bool, error) {
	if r.key == "" {
		return nil, false, nil
	}
	var get, put handlerFunc
	switch {
	case r.hasParam("retention"):
		get, put = (*server).getObjectRetention, (*server).putObjectRetention
	case r.hasParam("legal-hold"):
		get, put = (*server).getObjectLegalHold, (*server).putObjectLegalHold
	default:
		return nil, false, nil
	}
	h, err := pickMethod(r.method(), map[string]handlerFunc{http.MethodGet: get, http.MethodPut: put})
	return h, true, err
}

// bucketLock is the request's bucket's Object Lock configuration; a bucket
// without Object Lock answers 400 InvalidRequest "Bucket is missing Object
// Lock Configuration" to every retention and legal hold request (ceph/
// s3-tests test_object_lock_*_invalid_bucket; the text as S3 answered in
// versity/versitygw#883).
func (s *server) bucketLock(r *request) (*objects.ObjectLockConfig, error) {
	info, err := s.layer.HeadBucket(r.ctx, r.bucket)
	if err != nil {
		return nil, err
	}
	if info.ObjectLock == nil {
		return nil, s3err.NoObjectLockConfiguration
	}
	return info.ObjectLock, nil
}

// putObjectRetention sets, extends, shortens or (with an empty Retention)
// removes the object's retention, as far as the current one allows
// (objects.SetObjectRetention).
func (s *server) putObjectRetention(r *request) error {
	if _, err := s.bucketLock(r); err != nil {
		return err
	}
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	want, err := parseRetention(data, time.Now())
	if err != nil {
		return err
	}
	if _, err := s.layer.SetObjectRetention(r.ctx, r.bucket, r.key, r.param("versionId"), want); err != nil {
		return err
	}
	r.c.Status(http.StatusOK)
	return nil
}

// parseRetention reads a Retention document: a mode S3 does not know (case
// matters) is MalformedXML (ceph/s3-tests
// test_object_lock_put_obj_retention_invalid_mode), and so is a mode
// without a date or a date without a mode; both absent removes the
// retention.
func parseRetention(data []byte, now time.Time) (objects.Retention, error) {
	var doc retentionDocument
	if err := decodeXML(data, &doc); err != nil {
		return objects.Retention{}, err
	}
	if doc.Mode == "" && doc.RetainUntilDate == "" {
		return objects.Retention{}, nil
	}
	if !validLockMode(doc.Mode) || doc.RetainUntilDate == "" {
		return objects.Retention{}, s3err.MalformedXML
	}
	until, err := time.Parse(time.RFC3339Nano, doc.RetainUntilDate)
	if err != nil {
		return objects.Retention{}, s3err.MalformedXML
	}
	if !until.After(now) {
		return objects.Retention{}, errPastRetainDate
	}
	return objects.Retention{Mode: doc.Mode, Until: until.UTC()}, nil
}

// errPastRetainDate is S3's answer to a retain-until date that is not in
// the future (recorded in IBM-Cloud/terraform-provider-ibm's COS object
// lock acceptance tests: "InvalidArgument: The retain until date must be
// in the future!").
var errPastRetainDate = s3err.InvalidArgument.With("The retain until date must be in the future!")

// getObjectRetention answers the object's retention, or 404
// NoSuchObjectLockConfiguration when it has none.
func (s *server) getObjectRetention(r *request) error {
	if _, err := s.bucketLock(r); err != nil {
		return err
	}
	md, err := s.layer.VersionMetadata(r.ctx, r.bucket, r.key, r.param("versionId"))
	if err != nil {
		return err
	}
	ret := md.Retention()
	if ret.Mode == "" {
		return s3err.NoSuchObjectLockConfiguration
	}
	s.writeXML(r, retentionDocument{Xmlns: s3Namespace, Mode: ret.Mode, RetainUntilDate: ret.Until.Format(lockDateFormat)})
	return nil
}

// putObjectLegalHold turns the object's legal hold ON or OFF; any other
// status is MalformedXML (ceph/s3-tests
// test_object_lock_put_legal_hold_invalid_status).
func (s *server) putObjectLegalHold(r *request) error {
	if _, err := s.bucketLock(r); err != nil {
		return err
	}
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	var doc legalHoldDocument
	if err := decodeXML(data, &doc); err != nil {
		return err
	}
	if !validLegalHold(doc.Status) {
		return s3err.MalformedXML
	}
	if _, err := s.layer.SetObjectLegalHold(r.ctx, r.bucket, r.key, r.param("versionId"), doc.Status); err != nil {
		return err
	}
	r.c.Status(http.StatusOK)
	return nil
}

func validLegalHold(status string) bool {
	return status == objects.LegalHoldOn || status == objects.LegalHoldOff
}

// getObjectLegalHold answers the object's legal hold status, or 404
// NoSuchObjectLockConfiguration for a version whose legal hold was never
// set (noobaa/noobaa-core#9371 pins S3's answer).
func (s *server) getObjectLegalHold(r *request) error {
	if _, err := s.bucketLock(r); err != nil {
		return err
	}
	md, err := s.layer.VersionMetadata(r.ctx, r.bucket, r.key, r.param("versionId"))
	if err != nil {
		return err
	}
	if md.LegalHold == "" {
		return s3err.NoSuchObjectLockConfiguration
	}
	s.writeXML(r, legalHoldDocument{Xmlns: s3Namespace, Status: md.LegalHold})
	return nil
}
