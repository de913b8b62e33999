package s3api

import (
	"context"
	"encoding/xml"
	"net/http"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// objectLockConfiguration is the document of Put/GetObjectLockConfiguration
// (API_PutObjectLockConfiguration).
type objectLockConfiguration struct {
	XMLName           xml.Name        `xml:"ObjectLockConfiguration"`
	Xmlns             string          `xml:"xmlns,attr,omitempty"`
	ObjectLockEnabled string          `xml:"ObjectLockEnabled,omitempty"`
	Rule              *objectLockRule `xml:"Rule,omitempty"`
}

type objectLockRule struct {
	DefaultRetention *defaultRetention `xml:"DefaultRetention"`
}

type defaultRetention struct {
	Mode  string `xml:"Mode"`
	Days  *int   `xml:"Days,omitempty"`
	Years *int   `xml:"Years,omitempty"`
}

// routeBucketObjectLock routes ?object-lock on a bucket.
func routeBucketObjectLock(r *request) (handlerFunc, bool, error) {
	if r.bucket == "" || r.key != "" || !r.hasParam("object-lock") {
		return nil, false, nil
	}
	h, err := pickMethod(r.method(), map[string]handlerFunc{
		http.MethodGet: (*server).getObjectLockConfiguration,
		http.MethodPut: (*server).putObjectLockConfiguration,
	})
	return h, true, err
}

// putObjectLockConfiguration replaces the bucket's default retention. A
// bucket without Object Lock gets it only while versioning is Enabled;
// otherwise 409 InvalidBucketState (ceph/s3-tests
// test_object_lock_put_obj_lock_invalid_bucket), checked before the
// document.
func (s *server) putObjectLockConfiguration(r *request) error {
	info, err := s.layer.HeadBucket(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	if info.ObjectLock == nil {
		state, err := s.layer.BucketVersioning(r.ctx, r.bucket)
		if err != nil {
			return err
		}
		if state.Status != objects.VersioningEnabled {
			return s3err.InvalidBucketState
		}
	}
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	cfg, err := parseObjectLockConfiguration(data)
	if err != nil {
		return err
	}
	if err := s.layer.SetBucketObjectLock(r.ctx, r.bucket, cfg); err != nil {
		return err
	}
	r.c.Status(http.StatusOK)
	return nil
}

// parseObjectLockConfiguration validates the document as S3 does (ceph/
// s3-tests test_object_lock_put_obj_lock_*): ObjectLockEnabled other than
// "Enabled", a mode other than GOVERNANCE or COMPLIANCE (case matters),
// both or neither of Days and Years are MalformedXML; a period that is
// not positive is InvalidRetentionPeriod.
func parseObjectLockConfiguration(data []byte) (objects.ObjectLockConfig, error) {
	var doc objectLockConfiguration
	if err := decodeXML(data, &doc); err != nil {
		return objects.ObjectLockConfig{}, err
	}
	if doc.ObjectLockEnabled != "Enabled" {
		return objects.ObjectLockConfig{}, s3err.MalformedXML
	}
	if doc.Rule == nil {
		return objects.ObjectLockConfig{}, nil
	}
	d := doc.Rule.DefaultRetention
	if d == nil || !validLockMode(d.Mode) || (d.Days == nil) == (d.Years == nil) {
		return objects.ObjectLockConfig{}, s3err.MalformedXML
	}
	cfg := objects.ObjectLockConfig{DefaultMode: d.Mode}
	if d.Days != nil {
		cfg.DefaultDays = *d.Days
		if cfg.DefaultDays <= 0 {
			return objects.ObjectLockConfig{}, s3err.InvalidRetentionPeriod
		}
	} else {
		cfg.DefaultYears = *d.Years
		if cfg.DefaultYears <= 0 {
			return objects.ObjectLockConfig{}, s3err.InvalidRetentionPeriod
		}
	}
	return cfg, nil
}

func validLockMode(mode string) bool {
	return mode == objects.LockGovernance || mode == objects.LockCompliance
}

// getObjectLockConfiguration answers the bucket's configuration, or 404
// ObjectLockConfigurationNotFoundError for a bucket without Object Lock.
func (s *server) getObjectLockConfiguration(r *request) error {
	cfg, err := s.layer.BucketObjectLock(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	doc := objectLockConfiguration{Xmlns: s3Namespace, ObjectLockEnabled: "Enabled"}
	if cfg.DefaultMode != "" {
		d := &defaultRetention{Mode: cfg.DefaultMode}
		if cfg.DefaultDays > 0 {
			d.Days = &cfg.DefaultDays
		} else {
			d.Years = &cfg.DefaultYears
		}
		doc.Rule = &objectLockRule{DefaultRetention: d}
	}
	s.writeXML(r, doc)
	return nil
}

// enableObjectLock turns Object Lock on for the bucket CreateBucket just
// made; if that fails the bucket is removed again, so that a refused
// request leaves no bucket without the lock it asked for.
func (s *server) enableObjectLock(r *request) error {
	err := s.layer.EnableObjectLock(r.ctx, r.bucket)
	if err != nil {
		if derr := s.layer.DeleteBucket(context.WithoutCancel(r.ctx), r.bucket); derr != nil {
			s.log.ErrorContext(r.ctx, "removing a bucket whose Object Lock failed", "bucket", r.bucket, "error", derr)
		}
	}
	return err
}
