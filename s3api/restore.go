package s3api

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/terngate/terngate/internal/strictxml"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// The bytes of an archived object (GLACIER, DEEP_ARCHIVE) are on the
// store like any other's, so RestoreObject completes at once; what it
// changes is whether S3's rules let the object be read.

// restoreRequest is RestoreObject's document (API_RestoreRequest).
type restoreRequest struct {
	XMLName xml.Name `xml:"RestoreRequest"`
	Days    *int     `xml:"Days"`
	// Type SELECT (S3 Select on the archive) is not implemented.
	Type string `xml:"Type"`
	// Tier is how fast the archive is to be read; the bytes are on the
	// store already, so every tier completes at once.
	Tier                 string `xml:"Tier"`
	GlacierJobParameters *struct {
		Tier string `xml:"Tier"`
	} `xml:"GlacierJobParameters"`
	Description      string               `xml:"Description"`
	SelectParameters *strictxml.Unchecked `xml:"SelectParameters"`
	OutputLocation   *strictxml.Unchecked `xml:"OutputLocation"`
}

// routeObjectRestore routes POST ?restore on an object: RestoreObject.
func routeObjectRestore(r *request) (handlerFunc, bool, error) {
	if r.key == "" || !r.hasParam("restore") {
		return nil, false, nil
	}
	h, err := onlyMethod(r.method(), http.MethodPost, (*server).restoreObject)
	return h, true, err
}

// restoreObject makes an archived object readable for Days days
// (API_RestoreObject): 202 Accepted for an object not restored, 200 OK
// for one already restored, whose expiry the request moves.
func (s *server) restoreObject(r *request) error {
	if err := s.currentVersionOnly(r); err != nil {
		return err
	}
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	var req restoreRequest
	if err := decodeXML(data, &req); err != nil {
		return err
	}
	if req.Type != "" || req.SelectParameters != nil || req.OutputLocation != nil {
		return s3err.NotImplemented
	}
	if req.Days == nil || *req.Days < 1 {
		return s3err.MalformedXML
	}
	now := time.Now()
	expiry := restoreExpiry(now, *req.Days)
	before, err := s.layer.SetRestoreExpiry(r.ctx, r.bucket, r.key, checkRestorable, expiry)
	if err != nil {
		return err
	}
	if restored(before.Metadata, now) {
		r.c.Status(http.StatusOK)
	} else {
		r.c.Status(http.StatusAccepted)
	}
	return nil
}

// restoreExpiry is when a copy restored at now for days expires: "Amazon
// S3 calculates expiry date by adding the number of days specified in the
// restoration request to the current time and then rounding the resulting
// time to the next day midnight UTC" (user guide, "Restoring an archived
// object").
func restoreExpiry(now time.Time, days int) time.Time {
	at := now.UTC().AddDate(0, 0, days)
	if midnight := at.Truncate(24 * time.Hour); !midnight.Equal(at) {
		at = midnight.Add(24 * time.Hour)
	}
	return at
}

// checkRestorable refuses RestoreObject on an object that is not archived.
func checkRestorable(info objects.ObjectInfo) error {
	if !archiveClasses[info.Metadata.StorageClass] {
		return s3err.InvalidObjectStateFor(storageClassOf(info.Metadata))
	}
	return nil
}

func restored(md objects.Metadata, now time.Time) bool {
	return md.RestoreExpiry > 0 && now.Before(time.Unix(md.RestoreExpiry, 0))
}

// checkReadable refuses to read the bytes of an archived object that is
// not restored, as S3 does for GetObject and a copy source: 403
// InvalidObjectState naming the class (API_GetObject: "you must first
// restore a copy using RestoreObject. Otherwise, this operation returns an
// InvalidObjectState error").
func checkReadable(info objects.ObjectInfo) error {
	md := info.Metadata
	if !archiveClasses[md.StorageClass] || restored(md, time.Now()) {
		return nil
	}
	return s3err.InvalidObjectStateFor(md.StorageClass)
}

// setRestoreHeader sends x-amz-restore on GET and HEAD of a restored
// object (API_HeadObject: ongoing-request="false", expiry-date=...).
func setRestoreHeader(r *request, md objects.Metadata) {
	if !archiveClasses[md.StorageClass] || !restored(md, time.Now()) {
		return
	}
	expiry := time.Unix(md.RestoreExpiry, 0).UTC().Format(http.TimeFormat)
	r.setHeader("x-amz-restore", `ongoing-request="false", expiry-date="`+expiry+`"`)
}
