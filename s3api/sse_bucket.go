package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/terngate/terngate/s3err"
)

// Bucket default encryption (API_PutBucketEncryption, API_GetBucketEncryption,
// API_DeleteBucketEncryption): writes that ask for no encryption get the
// bucket's. Only SSE-S3 is implemented, and only with a master key ring;
// without a configuration a bucket encrypts nothing (unlike AWS since
// January 2023: the gateway may run without a master key ring). Single
// PUTs, copies, multipart uploads and browser-form uploads all honour it.

type sseConfiguration struct {
	XMLName xml.Name  `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string    `xml:"xmlns,attr,omitempty"`
	Rules   []sseRule `xml:"Rule"`
}

type sseRule struct {
	Default          *sseByDefault `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled *bool         `xml:"BucketKeyEnabled"`
	Blocked          *sseBlocked   `xml:"BlockedEncryptionTypes"`
}

// sseBlocked lists the encryption types a bucket refuses on writes
// (API_BlockedEncryptionTypes: NONE or SSE-C). terngate blocks none, so
// only NONE is taken; blocking SSE-C is refused, never stored unenforced.
type sseBlocked struct {
	Types []string `xml:"EncryptionType"`
}

type sseByDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

// maxSSEConfiguration bounds the document: one rule is a few hundred bytes.
const maxSSEConfiguration = 16 << 10

// parseSSEConfiguration validates a ServerSideEncryptionConfiguration,
// returning its default algorithm.
func parseSSEConfiguration(data []byte) (*sseConfiguration, error) {
	if len(data) > maxSSEConfiguration {
		return nil, s3err.MalformedXML
	}
	var cfg sseConfiguration
	if err := decodeXML(data, &cfg); err != nil {
		return nil, err
	}
	// AWS takes exactly one rule, and a rule needs its default.
	if len(cfg.Rules) != 1 || cfg.Rules[0].Default == nil {
		return nil, s3err.MalformedXML
	}
	if err := checkBlockedEncryptionTypes(cfg.Rules[0].Blocked); err != nil {
		return nil, err
	}
	d := cfg.Rules[0].Default
	switch d.SSEAlgorithm {
	case sseS3:
		if d.KMSMasterKeyID != "" {
			return nil, s3err.InvalidArgument.With("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse").
				ForArgument("ApplyServerSideEncryptionByDefault", "")
		}
	case sseKMS:
		// AWS does not check the key here either: "Amazon S3 doesn't
		// validate the KMS key ID provided in PutBucketEncryption
		// requests" (API_PutBucketEncryption); writes do.
	case "aws:kms:dsse":
		return nil, s3err.NotImplemented
	default:
		return nil, s3err.MalformedXML
	}
	cfg.Xmlns = s3Namespace
	return &cfg, nil
}

func routeBucketEncryption(r *request) (handlerFunc, bool, error) {
	return routeBucketDocument(r, "encryption", (*server).getBucketEncryption, (*server).putBucketEncryption, (*server).deleteBucketEncryption)
}

// putBucketEncryption stores a validated configuration in its canonical
// form. Without a master key ring nothing could honour it.
func (s *server) putBucketEncryption(r *request) error {
	data, err := s.configurationBody(r)
	if err != nil {
		return err
	}
	cfg, err := parseSSEConfiguration(data)
	if err != nil {
		return err
	}
	if !r.sse.serves(cfg.Rules[0].Default.SSEAlgorithm) {
		return s3err.NotImplemented
	}
	doc, err := xml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encoding encryption configuration: %w", err)
	}
	if err := s.layer.SetBucketEncryption(r.ctx, r.bucket, append([]byte(xml.Header), doc...)); err != nil {
		return err
	}
	r.c.Status(http.StatusOK)
	return nil
}

func (s *server) getBucketEncryption(r *request) error {
	doc, err := s.layer.BucketEncryption(r.ctx, r.bucket)
	if err != nil {
		return err
	}
	return writeStoredXML(r, doc)
}

// deleteBucketEncryption removes the configuration; removing none succeeds.
func (s *server) deleteBucketEncryption(r *request) error {
	if err := s.layer.SetBucketEncryption(r.ctx, r.bucket, nil); err != nil {
		return err
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

// checkBlockedEncryptionTypes accepts a block of nothing (NONE) and refuses
// blocking SSE-C, which terngate does not enforce; anything else is not a
// value of the schema.
func checkBlockedEncryptionTypes(b *sseBlocked) error {
	if b == nil {
		return nil
	}
	for _, t := range b.Types {
		switch t {
		case "NONE":
		case "SSE-C":
			return s3err.NotImplemented
		default:
			return s3err.MalformedXML
		}
	}
	return nil
}

// bucketDefaultEncryption is the algorithm of bucket's default encryption,
// "" for none (see bucketDefaultRule).
func (s *server) bucketDefaultEncryption(r *request, bucket string) (string, error) {
	rule, err := s.bucketDefaultRule(r, bucket)
	if err != nil || rule == nil {
		return "", err
	}
	return rule.Default.SSEAlgorithm, nil
}

// bucketDefaultRule is bucket's default encryption rule, nil for none.
// Without a master key ring or a KMS no bucket can have one, and no lookup
// is made.
func (s *server) bucketDefaultRule(r *request, bucket string) (*sseRule, error) {
	if r.sse.masterKeys == nil && r.sse.kms == nil {
		return nil, nil
	}
	doc, err := s.layer.BucketEncryption(r.ctx, bucket)
	if errors.Is(err, s3err.ServerSideEncryptionConfigurationNotFoundError) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cfg, err := parseSSEConfiguration(doc)
	if err != nil {
		// It parsed when it was stored: the record is damaged.
		return nil, fmt.Errorf("stored encryption configuration of bucket %s: %w", bucket, err)
	}
	return &cfg.Rules[0], nil
}
