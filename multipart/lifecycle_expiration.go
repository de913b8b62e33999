package multipart

import (
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// expireRule deletes the objects its filter matches once they are days
// old (counted as S3 does, see expiresAt) or once date has passed.
type expireRule struct {
	filter ruleFilter
	days   int
	date   time.Time
}

// expirationAction is what an Expiration element asks.
type expirationAction int

const (
	expireNothing       expirationAction = iota // ExpiredObjectDeleteMarker false
	expireObjects                               // Days or Date
	expireDeleteMarkers                         // ExpiredObjectDeleteMarker true
)

// parseExpiration validates an Expiration action: Days or Date expire
// current objects; ExpiredObjectDeleteMarker true removes delete markers
// left as their key's only version, false "takes no action"
// (API_LifecycleExpiration).
func parseExpiration(e lifecycleExpiration, f ruleFilter) (expireRule, expirationAction, error) {
	timed := e.Days != nil || e.Date != nil
	switch {
	case e.ExpiredObjectDeleteMarker != nil && timed:
		// API_LifecycleExpiration: "This cannot be specified with Days or
		// Date in a Lifecycle Expiration Policy."
		return expireRule{}, expireNothing, s3err.InvalidArgument.With("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy")
	case e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker:
		return expireRule{}, expireDeleteMarkers, nil
	case e.ExpiredObjectDeleteMarker != nil:
		return expireRule{}, expireNothing, nil
	case e.Days != nil && e.Date != nil, !timed:
		return expireRule{}, expireNothing, s3err.MalformedXML
	}
	rule := expireRule{filter: f}
	if e.Days != nil {
		// API_LifecycleExpiration: "The value must be a non-zero positive
		// integer."
		if *e.Days <= 0 {
			return expireRule{}, expireNothing, s3err.InvalidArgument.With("'Days' for Expiration action must be a positive integer")
		}
		rule.days = *e.Days
		return rule, expireObjects, nil
	}
	date, err := parseLifecycleDate(*e.Date)
	if err != nil {
		return expireRule{}, expireNothing, err
	}
	rule.date = date
	return rule, expireObjects, nil
}

// parseLifecycleDate reads an ISO 8601 date, which S3 requires at midnight
// UTC (API_LifecycleExpiration: "The date value must conform to the ISO
// 8601 format. The time is always midnight UTC.").
func parseLifecycleDate(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, s); err != nil {
			return time.Time{}, s3err.InvalidArgument.With("Invalid date or time value")
		}
	}
	t = t.UTC()
	if !t.Equal(t.Truncate(24 * time.Hour)) {
		return time.Time{}, s3err.InvalidArgument.With("'Date' must be at midnight GMT")
	}
	return t, nil
}

// expiresAt is when the rule expires an object last modified at modified:
// its Date, or modified plus Days rounded up to the next midnight UTC, as
// S3 computes it (user guide, "Lifecycle rules: Based on an object's age":
// an object created 1/15/2014 10:30 AM UTC with Days 3 expires
// 1/19/2014 00:00 UTC).
func (r expireRule) expiresAt(modified time.Time) time.Time {
	if r.days == 0 {
		return r.date
	}
	return daysAfter(modified, r.days)
}

// daysAfter is t plus days, rounded up to the next midnight UTC.
func daysAfter(t time.Time, days int) time.Time {
	at := t.UTC().AddDate(0, 0, days)
	if midnight := at.Truncate(24 * time.Hour); !midnight.Equal(at) {
		at = midnight.Add(24 * time.Hour)
	}
	return at
}

// Expires reports whether the lifecycle has an enabled expiration rule.
func (lc Lifecycle) Expires() bool { return len(lc.expires) > 0 }

// Expired reports whether an enabled expiration rule has expired the
// object of key, size, tags and modification time at now.
func (lc Lifecycle) Expired(key string, size int64, tags []objects.Tag, modified, now time.Time) bool {
	for _, r := range lc.expires {
		if r.filter.matches(key, size, tags) && !now.Before(r.expiresAt(modified)) {
			return true
		}
	}
	return false
}

// expirationPrefix is the longest prefix every expiration rule's keys
// share: the part of the bucket worth listing.
func (lc Lifecycle) expirationPrefix() string {
	if len(lc.expires) == 0 {
		return ""
	}
	common := lc.expires[0].filter.prefix
	for _, r := range lc.expires[1:] {
		n := 0
		for n < len(common) && n < len(r.filter.prefix) && common[n] == r.filter.prefix[n] {
			n++
		}
		common = common[:n]
	}
	return common
}
