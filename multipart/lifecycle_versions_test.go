package multipart

import (
	"errors"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// NoncurrentVersionExpiration and ExpiredObjectDeleteMarker rules
// (API_NoncurrentVersionExpiration, API_LifecycleExpiration): a version
// expires NoncurrentDays after it became noncurrent, rounded up to
// midnight UTC as Expiration's Days, and only behind
// NewerNoncurrentVersions newer noncurrent versions; a delete marker that
// is its key's only version expires under ExpiredObjectDeleteMarker.
func TestLifecycleVersionRules(t *testing.T) {
	const doc = `<LifecycleConfiguration>
  <Rule><ID>keep-two</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>
    <NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>
  <Rule><ID>tagged</ID><Filter><Tag><Key>tmp</Key><Value>yes</Value></Tag></Filter><Status>Enabled</Status>
    <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>
  <Rule><ID>markers</ID><Filter><Prefix>m/</Prefix></Filter><Status>Enabled</Status>
    <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>
  <Rule><ID>off</ID><Filter><Prefix>off/</Prefix></Filter><Status>Disabled</Status>
    <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>
</LifecycleConfiguration>`
	lc, err := ParseLifecycle([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if lc.Expires() || !lc.ExpiresVersions() || lc.versionsPrefix() != "" {
		t.Fatalf("Expires %v, ExpiresVersions %v, versionsPrefix %q", lc.Expires(), lc.ExpiresVersions(), lc.versionsPrefix())
	}
	since := time.Date(2014, 1, 15, 10, 30, 0, 0, time.UTC)
	due := time.Date(2014, 1, 19, 0, 0, 0, 0, time.UTC) // 3 days, then midnight
	for _, tc := range []struct {
		name string
		c    objects.ExpiryCandidate
		now  time.Time
		want bool
	}{
		{"old enough, two newer", objects.ExpiryCandidate{Key: "logs/a", NewerNoncurrent: 2}, due, true},
		{"a second early", objects.ExpiryCandidate{Key: "logs/a", NewerNoncurrent: 2}, due.Add(-time.Second), false},
		{"one of the two kept", objects.ExpiryCandidate{Key: "logs/a", NewerNoncurrent: 1}, due.AddDate(1, 0, 0), false},
		{"noncurrent marker", objects.ExpiryCandidate{Key: "logs/a", DeleteMarker: true, NewerNoncurrent: 5}, due, true},
		{"other prefix", objects.ExpiryCandidate{Key: "other", NewerNoncurrent: 5}, due, false},
		{"tagged", objects.ExpiryCandidate{Key: "x", Tags: []objects.Tag{{Key: "tmp", Value: "yes"}}}, since.AddDate(0, 0, 2), true},
		{"tag value differs", objects.ExpiryCandidate{Key: "x", Tags: []objects.Tag{{Key: "tmp", Value: "no"}}}, due, false},
		{"disabled", objects.ExpiryCandidate{Key: "off/a", NewerNoncurrent: 5}, due.AddDate(1, 0, 0), false},
		{"lone marker", objects.ExpiryCandidate{Key: "m/a", DeleteMarker: true, Latest: true}, since, true},
		{"lone marker elsewhere", objects.ExpiryCandidate{Key: "logs/a", DeleteMarker: true, Latest: true}, due.AddDate(1, 0, 0), false},
	} {
		tc.c.NoncurrentSince = since
		if got := lc.VersionExpired(tc.c, tc.now); got != tc.want {
			t.Errorf("%s: VersionExpired = %v, want %v", tc.name, got, tc.want)
		}
	}

	rule := func(body string) string {
		return "<LifecycleConfiguration><Rule><Status>Enabled</Status>" + body + "</Rule></LifecycleConfiguration>"
	}
	for _, tc := range []struct {
		doc     string
		message string
	}{
		// API_NoncurrentVersionExpiration: NoncurrentDays "must be a
		// non-zero positive integer"; up to 100 NewerNoncurrentVersions.
		{rule("<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>"),
			"'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"},
		{rule("<NoncurrentVersionExpiration><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>"),
			"'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"},
		{rule("<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>"),
			"'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be an integer between 1 and 100"},
		{rule("<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration>"),
			"'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be an integer between 1 and 100"},
	} {
		_, err := ParseLifecycle([]byte(tc.doc))
		if !errors.Is(err, s3err.InvalidArgument) || s3err.As(err).Message != tc.message {
			t.Errorf("ParseLifecycle(%s) = %v, want InvalidArgument %q", tc.doc, err, tc.message)
		}
	}
}
