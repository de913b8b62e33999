package multipart

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
)

// Lifecycle is the part of a bucket's lifecycle configuration the gateway
// acts on: rules that abort incomplete multipart uploads. Other actions are
// refused when the configuration is stored, so none is ever ignored.
type Lifecycle struct {
	rules []abortRule
}

type abortRule struct {
	prefix  string
	enabled bool
	// after is DaysAfterInitiation as a duration (whole days of 24 hours;
	// S3 rounds up to the next midnight UTC, the gateway does not).
	after time.Duration
}

// maxLifecycleRules is S3's limit on rules per configuration.
const maxLifecycleRules = 1000

// The document, as far as it is read. Actions the gateway does not perform
// are kept as raw XML only to be refused.
type lifecycleDocument struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	Rules   []lifecycleRule `xml:"Rule"`
}

type lifecycleRule struct {
	ID     string           `xml:"ID"`
	Prefix *string          `xml:"Prefix"`
	Filter *lifecycleFilter `xml:"Filter"`
	Status string           `xml:"Status"`
	Abort  *struct {
		DaysAfterInitiation *int `xml:"DaysAfterInitiation"`
	} `xml:"AbortIncompleteMultipartUpload"`
	Expiration                  *rawXML  `xml:"Expiration"`
	Transitions                 []rawXML `xml:"Transition"`
	NoncurrentVersionExpiration *rawXML  `xml:"NoncurrentVersionExpiration"`
	NoncurrentVersionTransition []rawXML `xml:"NoncurrentVersionTransition"`
}

type lifecycleFilter struct {
	Prefix *string  `xml:"Prefix"`
	Tag    *rawXML  `xml:"Tag"`
	Size   []rawXML `xml:"ObjectSizeGreaterThan"`
	SizeLT []rawXML `xml:"ObjectSizeLessThan"`
	And    *struct {
		Prefix *string  `xml:"Prefix"`
		Tags   []rawXML `xml:"Tag"`
		Size   []rawXML `xml:"ObjectSizeGreaterThan"`
		SizeLT []rawXML `xml:"ObjectSizeLessThan"`
	} `xml:"And"`
}

type rawXML struct {
	Inner string `xml:",innerxml"`
}

// ParseLifecycle validates a LifecycleConfiguration document, answering
// S3's errors: MalformedXML for a document that does not parse or lacks
// what every rule needs, NotImplemented for actions other than
// AbortIncompleteMultipartUpload.
func ParseLifecycle(doc []byte) (Lifecycle, error) {
	var d lifecycleDocument
	if err := xml.Unmarshal(doc, &d); err != nil || len(d.Rules) == 0 || len(d.Rules) > maxLifecycleRules {
		return Lifecycle{}, s3err.MalformedXML
	}
	var lc Lifecycle
	ids := make(map[string]bool, len(d.Rules))
	for _, r := range d.Rules {
		if len(r.ID) > 255 {
			return Lifecycle{}, s3err.InvalidArgument.With("ID length should not exceed allowed limit of 255")
		}
		if r.ID != "" && ids[r.ID] {
			return Lifecycle{}, s3err.InvalidArgument.With("Rule ID must be unique. Found same ID for more than one rule")
		}
		ids[r.ID] = true
		rule, err := parseRule(r)
		if err != nil {
			return Lifecycle{}, err
		}
		lc.rules = append(lc.rules, rule)
	}
	return lc, nil
}

func parseRule(r lifecycleRule) (abortRule, error) {
	if r.Status != "Enabled" && r.Status != "Disabled" {
		return abortRule{}, s3err.MalformedXML
	}
	if r.Expiration != nil || len(r.Transitions) > 0 || r.NoncurrentVersionExpiration != nil || len(r.NoncurrentVersionTransition) > 0 {
		return abortRule{}, s3err.NotImplemented
	}
	if r.Abort == nil {
		return abortRule{}, s3err.InvalidRequest.With("At least one action needs to be specified in a rule")
	}
	if r.Abort.DaysAfterInitiation == nil || *r.Abort.DaysAfterInitiation <= 0 {
		return abortRule{}, s3err.InvalidArgument.With("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
	}
	prefix, err := rulePrefix(r)
	if err != nil {
		return abortRule{}, err
	}
	return abortRule{
		prefix:  prefix,
		enabled: r.Status == "Enabled",
		after:   time.Duration(*r.Abort.DaysAfterInitiation) * 24 * time.Hour,
	}, nil
}

// rulePrefix reads the rule's key prefix from the legacy Prefix element or
// the Filter (not both).
func rulePrefix(r lifecycleRule) (string, error) {
	if r.Prefix != nil && r.Filter != nil {
		return "", s3err.MalformedXML
	}
	if r.Prefix != nil {
		return *r.Prefix, nil
	}
	f := r.Filter
	if f == nil {
		return "", nil
	}
	if f.Tag != nil || (f.And != nil && len(f.And.Tags) > 0) {
		return "", s3err.InvalidRequest.With("Tag-based filter cannot be used with AbortIncompleteMultipartUpload action")
	}
	if len(f.Size)+len(f.SizeLT) > 0 || (f.And != nil && len(f.And.Size)+len(f.And.SizeLT) > 0) {
		return "", s3err.InvalidRequest.With("Object size filters cannot be used with AbortIncompleteMultipartUpload action")
	}
	switch {
	case f.Prefix != nil && f.And != nil:
		return "", s3err.MalformedXML
	case f.Prefix != nil:
		return *f.Prefix, nil
	case f.And != nil && f.And.Prefix != nil:
		return *f.And.Prefix, nil
	}
	return "", nil
}

// AbortAfter returns how long after initiation an upload of key is aborted:
// the shortest of the enabled rules whose prefix matches, ok=false if none.
func (lc Lifecycle) AbortAfter(key string) (time.Duration, bool) {
	var after time.Duration
	found := false
	for _, r := range lc.rules {
		if r.enabled && strings.HasPrefix(key, r.prefix) && (!found || r.after < after) {
			after, found = r.after, true
		}
	}
	return after, found
}
