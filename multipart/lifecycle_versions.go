package multipart

import (
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// lifecycleNoncurrentExpiration is a rule's NoncurrentVersionExpiration.
type lifecycleNoncurrentExpiration struct {
	NoncurrentDays          *int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int `xml:"NewerNoncurrentVersions"`
}

// noncurrentRule removes the noncurrent versions its filter matches once
// they have been noncurrent for days (rounded up to midnight UTC, as
// Expiration's Days) and, if keep is set, at least keep noncurrent
// versions of the key are newer.
type noncurrentRule struct {
	filter ruleFilter
	days   int
	keep   int
}

// maxNewerNoncurrentVersions is S3's bound on NewerNoncurrentVersions
// (API_NoncurrentVersionExpiration: "You can specify up to 100 noncurrent
// versions to retain").
const maxNewerNoncurrentVersions = 100

// parseNoncurrentExpiration validates a NoncurrentVersionExpiration.
// NoncurrentDays is required and "must be a non-zero positive integer"
// (API_NoncurrentVersionExpiration); the error texts are S3's as clients
// quote them (hashicorp/terraform users quoting the AWS answer to a rule
// without NoncurrentDays).
func parseNoncurrentExpiration(e lifecycleNoncurrentExpiration, f ruleFilter) (noncurrentRule, error) {
	if e.NoncurrentDays == nil || *e.NoncurrentDays <= 0 {
		return noncurrentRule{}, s3err.InvalidArgument.With("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
	}
	rule := noncurrentRule{filter: f, days: *e.NoncurrentDays}
	if n := e.NewerNoncurrentVersions; n != nil {
		if *n < 1 || *n > maxNewerNoncurrentVersions {
			return noncurrentRule{}, s3err.InvalidArgument.With("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be an integer between 1 and 100")
		}
		rule.keep = *n
	}
	return rule, nil
}

// ExpiresVersions reports whether the lifecycle removes versions: an
// enabled NoncurrentVersionExpiration or ExpiredObjectDeleteMarker rule.
func (lc Lifecycle) ExpiresVersions() bool {
	return len(lc.noncurrent) > 0 || len(lc.markers) > 0
}

// VersionExpired reports whether a rule removes the candidate at now: a
// noncurrent version (or delete marker) noncurrent long enough with
// enough newer noncurrent versions, or a delete marker that is its key's
// only version under an ExpiredObjectDeleteMarker rule.
func (lc Lifecycle) VersionExpired(c objects.ExpiryCandidate, now time.Time) bool {
	if c.Latest {
		for _, f := range lc.markers {
			if f.matches(c.Key, 0, nil) {
				return true
			}
		}
		return false
	}
	for _, r := range lc.noncurrent {
		if r.filter.matches(c.Key, c.Size, c.Tags) && !now.Before(daysAfter(c.NoncurrentSince, r.days)) &&
			c.NewerNoncurrent >= r.keep {
			return true
		}
	}
	return false
}

// versionsPrefix is the longest prefix every version rule's keys share.
func (lc Lifecycle) versionsPrefix() string {
	var prefixes []string
	for _, r := range lc.noncurrent {
		prefixes = append(prefixes, r.filter.prefix)
	}
	for _, f := range lc.markers {
		prefixes = append(prefixes, f.prefix)
	}
	if len(prefixes) == 0 {
		return ""
	}
	common := prefixes[0]
	for _, p := range prefixes[1:] {
		for !strings.HasPrefix(p, common) {
			common = common[:len(common)-1]
		}
	}
	return common
}
