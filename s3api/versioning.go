package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// versioningConfiguration is PutBucketVersioning's document and
// GetBucketVersioning's answer (API_PutBucketVersioning,
// API_GetBucketVersioning): a bucket never versioned answers neither
// element.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

// parseVersioningConfiguration validates a PutBucketVersioning document.
// Status is Enabled or Suspended: a bucket cannot be made Unversioned again
// (user guide, "Versioning": "Once you version-enable a bucket, it can never
// return to an unversioned state"), and the schema knows no other value, so
// anything else is MalformedXML. MFA Delete is not implemented: asking for
// it is refused; Disabled asks for nothing.
func parseVersioningConfiguration(data []byte) (versioningConfiguration, error) {
	var cfg versioningConfiguration
	if err := decodeXML(data, &cfg); err != nil {
		return cfg, err
	}
	switch cfg.Status {
	case objects.VersioningEnabled, objects.VersioningSuspended, "":
	default:
		return cfg, s3err.MalformedXML
	}
	switch cfg.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		return cfg, s3err.NotImplemented.With("MFA Delete is not implemented.")
	default:
		return cfg, s3err.MalformedXML
	}
	return cfg, nil
}

// putBucketVersioning sets Enabled or Suspended. A document without Status
// changes nothing.
func (s *server) putBucketVersioning(r *request) error {
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	cfg, err := parseVersioningConfiguration(data)
	if err != nil {
		return err
	}
	if cfg.Status != "" {
		if err := s.layer.SetBucketVersioning(r.ctx, r.bucket, cfg.Status); err != nil {
			return err
		}
	}
	r.c.Status(http.StatusOK)
	return nil
}

// getBucketVersioning answers the bucket's status from its record.
func (s *server) getBucketVersioning(r *request) error {
	info, err := s.layer.HeadBucket(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	s.writeXML(r, versioningConfiguration{Xmlns: s3Namespace, Status: info.Versioning})
	return nil
}
