package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/xml"
	"net/http"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// maxDeleteKeys is S3's limit on keys per DeleteObjects request.
const maxDeleteKeys = 1000

// deleteObject removes a key; deleting a missing key succeeds, as in S3,
// unless If-Match asked for an existing object.
func (s *server) deleteObject(r *request) error {
	v, named, err := versionParam(r)
	if err != nil {
		return err
	}
	cond, err := deleteConditions(r)
	if err != nil {
		return err
	}
	done, err := s.deleteOne(r.ctx, r, r.key, v, cond)
	if err != nil {
		return err
	}
	if named || (r.versioned() && done.versionID != "") {
		r.setHeader("x-amz-version-id", done.versionID)
	}
	if done.deleteMarker {
		r.setHeader("x-amz-delete-marker", "true")
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

type deleteRequest struct {
	XMLName xml.Name       `xml:"Delete"`
	Quiet   bool           `xml:"Quiet"`
	Objects []deleteTarget `xml:"Object"`
}

// deleteTarget is one Object of a DeleteObjects request, with the
// conditions AWS lets it carry (ETag, LastModifiedTime, Size).
type deleteTarget struct {
	Key              string `xml:"Key"`
	VersionID        string `xml:"VersionId"`
	ETag             string `xml:"ETag"`
	LastModifiedTime string `xml:"LastModifiedTime"`
	Size             string `xml:"Size"`
}

type deletedObject struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteError struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	Xmlns   string          `xml:"xmlns,attr"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

// deleteObjects is the multi-object delete (POST ?delete).
func (s *server) deleteObjects(r *request) error {
	body, err := s.payload(r)
	if err != nil {
		return err
	}
	data, err := readXMLBody(body)
	if err != nil {
		return err
	}
	if err := checkBodyMD5(r, data); err != nil {
		return err
	}
	var req deleteRequest
	if err := decodeXML(data, &req); err != nil {
		return err
	}
	// An empty <Delete/> deletes nothing: S3 answers an empty DeleteResult.
	if len(req.Objects) > maxDeleteKeys {
		return s3err.MalformedXML
	}
	conds := make([]objects.DeleteConditions, len(req.Objects))
	for i, o := range req.Objects {
		if conds[i], err = o.conditions(); err != nil {
			return err
		}
	}
	if _, err := s.layer.HeadBucket(r.ctx, r.bucket); err != nil {
		return err
	}

	res := deleteResult{Xmlns: s3Namespace}
	bypass := bypassRequested(r)
	for i, o := range req.Objects {
		err := validateKey(o.Key)
		if err == nil && o.Key == "" {
			err = s3err.InvalidArgument.With("The key must not be empty.")
		}
		op := "DeleteObject"
		if o.VersionID != "" {
			op = opDeleteObjectVersion
		}
		// Each entry's s3:VersionId is its own.
		cc := conditionContext{r: r, version: o.VersionID, versionSet: true}
		if err == nil && !s.permitsIn(r, r.access, op, r.bucket, o.Key, cc) {
			err = s3err.AccessDenied
		}
		var done deletedVersion
		if err == nil {
			// s3:BypassGovernanceRetention is an object action: each key
			// gets the bypass only if the policy grants it on that key.
			ctx := r.ctx
			if bypass && s.permitsIn(r, r.access, "BypassGovernanceRetention", r.bucket, o.Key, cc) {
				ctx = objects.WithGovernanceBypass(ctx)
			}
			done, err = s.deleteOne(ctx, r, o.Key, o.VersionID, conds[i])
		}
		if err != nil {
			e := s3err.As(err)
			if e == s3err.InternalError {
				s.log.ErrorContext(r.ctx, "deleting object", "bucket", r.bucket, "key", o.Key, "error", err)
			}
			res.Errors = append(res.Errors, deleteError{Key: o.Key, VersionID: o.VersionID, Code: e.Code, Message: e.Message})
			continue
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, deletedEntry(o.Key, o.VersionID, done))
		}
	}
	s.writeXML(r, res)
	return nil
}

// checkBodyMD5 verifies an optional Content-MD5 over a body held in memory.
func checkBodyMD5(r *request, data []byte) error {
	want, err := contentMD5(r)
	if err != nil || want == nil {
		return err
	}
	got := md5.Sum(data)
	if !bytes.Equal(got[:], want) {
		return s3err.BadDigestMD5(got[:], want)
	}
	return nil
}

// deletedEntry is DeleteObjects' Deleted element (API_DeleteObjects,
// DeletedObject): a version deleted by ID is named by it, with DeleteMarker
// when it was a marker; a key deleted without one in a versioned bucket
// names the marker the delete made in DeleteMarkerVersionId.
func deletedEntry(key, asked string, done deletedVersion) deletedObject {
	d := deletedObject{Key: key, VersionID: asked, DeleteMarker: done.deleteMarker}
	if done.deleteMarker {
		d.DeleteMarkerVersionID = done.versionID
	}
	return d
}
