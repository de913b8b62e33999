package multipart

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/terngate/terngate/internal/strictxml"
	"github.com/terngate/terngate/s3err"
)

// Lifecycle is the part of a bucket's lifecycle configuration the gateway
// acts on: rules that abort incomplete multipart uploads, rules that
// expire (delete) objects, and in versioned buckets rules that remove
// noncurrent versions and expired object delete markers. Other actions are
// refused when the configuration is stored, so none is ever ignored.
type Lifecycle struct {
	rules      []abortRule
	expires    []expireRule
	noncurrent []noncurrentRule
	// markers are the filters of ExpiredObjectDeleteMarker rules.
	markers []ruleFilter
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
	Expiration                  *lifecycleExpiration           `xml:"Expiration"`
	Transitions                 []rawXML                       `xml:"Transition"`
	NoncurrentVersionExpiration *lifecycleNoncurrentExpiration `xml:"NoncurrentVersionExpiration"`
	NoncurrentVersionTransition []rawXML                       `xml:"NoncurrentVersionTransition"`
}

type lifecycleExpiration struct {
	Days                      *int    `xml:"Days"`
	Date                      *string `xml:"Date"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
}

type rawXML struct {
	Inner string `xml:",innerxml"`
}

// ParseLifecycle validates a LifecycleConfiguration document, answering
// S3's errors: MalformedXML for a document that does not parse or lacks
// what every rule needs, InvalidArgument/InvalidRequest for values S3
// refuses, NotImplemented for actions and filters the gateway does not
// perform (transitions, tags).
func ParseLifecycle(doc []byte) (Lifecycle, error) {
	var d lifecycleDocument
	if err := strictxml.Unmarshal(doc, &d); err != nil || len(d.Rules) == 0 || len(d.Rules) > maxLifecycleRules {
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
		if err := lc.addRule(r); err != nil {
			return Lifecycle{}, err
		}
	}
	return lc, nil
}

// addRule validates one rule and keeps its actions.
func (lc *Lifecycle) addRule(r lifecycleRule) error {
	if r.Status != "Enabled" && r.Status != "Disabled" {
		return s3err.MalformedXML
	}
	if len(r.Transitions) > 0 || len(r.NoncurrentVersionTransition) > 0 {
		return s3err.NotImplemented
	}
	if r.Abort == nil && r.Expiration == nil && r.NoncurrentVersionExpiration == nil {
		return s3err.InvalidRequest.With("At least one action needs to be specified in a rule")
	}
	filter, err := parseRuleFilter(r)
	if err != nil {
		return err
	}
	enabled := r.Status == "Enabled"
	if r.Abort != nil {
		rule, err := parseAbort(r, filter, enabled)
		if err != nil {
			return err
		}
		lc.rules = append(lc.rules, rule)
	}
	if r.Expiration != nil {
		rule, action, err := parseExpiration(*r.Expiration, filter)
		if err != nil {
			return err
		}
		switch {
		case !enabled:
		case action == expireObjects:
			lc.expires = append(lc.expires, rule)
		case action == expireDeleteMarkers:
			lc.markers = append(lc.markers, filter)
		}
	}
	if r.NoncurrentVersionExpiration != nil {
		rule, err := parseNoncurrentExpiration(*r.NoncurrentVersionExpiration, filter)
		if err != nil {
			return err
		}
		if enabled {
			lc.noncurrent = append(lc.noncurrent, rule)
		}
	}
	return nil
}

func parseAbort(r lifecycleRule, f ruleFilter, enabled bool) (abortRule, error) {
	if r.Abort.DaysAfterInitiation == nil || *r.Abort.DaysAfterInitiation <= 0 {
		return abortRule{}, s3err.InvalidArgument.With("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
	}
	if f.tagged() {
		return abortRule{}, s3err.InvalidRequest.With("Tag-based filter cannot be used with AbortIncompleteMultipartUpload action")
	}
	if f.sized() {
		return abortRule{}, s3err.InvalidRequest.With("Object size filters cannot be used with AbortIncompleteMultipartUpload action")
	}
	return abortRule{
		prefix:  f.prefix,
		enabled: enabled,
		after:   time.Duration(*r.Abort.DaysAfterInitiation) * 24 * time.Hour,
	}, nil
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
