package multipart

import (
	"errors"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

func TestParseLifecycleExpiration(t *testing.T) {
	const doc = `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>
    <Expiration><Days>3</Days></Expiration></Rule>
  <Rule><ID>big-tmp</ID><Filter><And><Prefix>tmp/</Prefix><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>
    <Status>Enabled</Status><Expiration><Date>2010-01-01T00:00:00.000Z</Date></Expiration></Rule>
  <Rule><ID>small</ID><Filter><ObjectSizeLessThan>2</ObjectSizeLessThan></Filter><Status>Enabled</Status>
    <Expiration><Date>2010-01-01</Date></Expiration></Rule>
  <Rule><ID>off</ID><Prefix>off/</Prefix><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>
  <Rule><ID>no-op</ID><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration></Rule>
</LifecycleConfiguration>`
	lc, err := ParseLifecycle([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	// The user guide's example ("Lifecycle rules: Based on an object's
	// age"): created 1/15/2014 10:30 AM UTC, Days 3, expires 1/19/2014
	// 00:00 UTC.
	created := time.Date(2014, 1, 15, 10, 30, 0, 0, time.UTC)
	expiry := time.Date(2014, 1, 19, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		key  string
		size int64
		now  time.Time
		want bool
	}{
		{"logs/a", 50, expiry.Add(-time.Second), false},
		{"logs/a", 50, expiry, true},
		{"tmp/a", 50, created, true}, // the Date has passed
		{"tmp/a", 10, created, false},
		{"tmp/a", 100, created, false},
		{"other", 1, created, true},
		{"other", 2, created, false},
		{"off/a", 50, expiry.AddDate(1, 0, 0), false},
	} {
		if got := lc.Expired(tc.key, tc.size, nil, created, tc.now); got != tc.want {
			t.Errorf("Expired(%q, %d, %v) = %v, want %v", tc.key, tc.size, tc.now, got, tc.want)
		}
	}
	if !lc.Expires() || lc.expirationPrefix() != "" {
		t.Errorf("Expires() = %v, expirationPrefix() = %q", lc.Expires(), lc.expirationPrefix())
	}
}

func TestParseLifecycleExpirationRefused(t *testing.T) {
	rule := func(filter, expiration string) string {
		return "<LifecycleConfiguration><Rule>" + filter + "<Status>Enabled</Status><Expiration>" + expiration + "</Expiration></Rule></LifecycleConfiguration>"
	}
	for _, tc := range []struct {
		doc     string
		want    *s3err.Error
		message string
	}{
		// API_LifecycleExpiration: Days "must be a non-zero positive
		// integer"; Date "is always midnight UTC"; ExpiredObjectDeleteMarker
		// "cannot be specified with Days or Date".
		{rule("", "<Days>0</Days>"), s3err.InvalidArgument, "'Days' for Expiration action must be a positive integer"},
		{rule("", "<Days>-1</Days>"), s3err.InvalidArgument, "'Days' for Expiration action must be a positive integer"},
		{rule("", "<Date>2020-01-01T10:00:00Z</Date>"), s3err.InvalidArgument, "'Date' must be at midnight GMT"},
		{rule("", "<Date>yesterday</Date>"), s3err.InvalidArgument, ""},
		{rule("", "<Days>1</Days><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker>"), s3err.InvalidArgument,
			"ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy"},
		{rule("", "<Days>1</Days><Date>2020-01-01T00:00:00Z</Date>"), s3err.MalformedXML, ""},
		{rule("", ""), s3err.MalformedXML, ""},
		{rule("", "<Days>one</Days>"), s3err.MalformedXML, ""},
		// API_LifecycleRuleFilter: one Tag outside And; API_Tag: Key and
		// Value required.
		{rule("<Filter><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></Filter>", "<Days>1</Days>"), s3err.MalformedXML, ""},
		{rule("<Filter><Tag><Key>a</Key></Tag></Filter>", "<Days>1</Days>"), s3err.MalformedXML, ""},
		{rule("<Filter><And><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></And></Filter>", "<Days>1</Days>"), s3err.InvalidArgument, ""},
		// API_LifecycleRuleFilter: several predicates only inside And.
		{rule("<Filter><Prefix>p</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>", "<Days>1</Days>"), s3err.MalformedXML, ""},
		{rule("<Filter><ObjectSizeGreaterThan>x</ObjectSizeGreaterThan></Filter>", "<Days>1</Days>"), s3err.MalformedXML, ""},
		{rule("<Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter>", "<Days>1</Days>"), s3err.InvalidArgument, ""},
		{rule("<Filter><And><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter>", "<Days>1</Days>"), s3err.InvalidArgument, ""},
		// An abort action still takes no size filter, whatever else the rule does.
		{"<LifecycleConfiguration><Rule><Filter><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>" +
			"<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>", s3err.InvalidRequest,
			"Object size filters cannot be used with AbortIncompleteMultipartUpload action"},
		{"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>1</Days></Expiration><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>", s3err.NotImplemented, ""},
	} {
		_, err := ParseLifecycle([]byte(tc.doc))
		if !errors.Is(err, tc.want) {
			t.Errorf("ParseLifecycle(%s) = %v, want %s", tc.doc, err, tc.want.Code)
			continue
		}
		if tc.message != "" && s3err.As(err).Message != tc.message {
			t.Errorf("ParseLifecycle(%s) message %q, want %q", tc.doc, s3err.As(err).Message, tc.message)
		}
	}
}

// TestLifecycleTagFilters: a Tag filter (API_LifecycleRuleFilter) and an
// And of Prefix, Tags and a size (API_LifecycleRuleAndOperator: "the
// object must match all the predicates") expire only objects carrying
// every tag with its value.
func TestLifecycleTagFilters(t *testing.T) {
	const doc = `<LifecycleConfiguration>
  <Rule><ID>temp</ID><Filter><Tag><Key>retention</Key><Value>temp</Value></Tag></Filter><Status>Enabled</Status>
    <Expiration><Date>2010-01-01</Date></Expiration></Rule>
  <Rule><ID>and</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag>
    <ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>
    <Expiration><Date>2010-01-01</Date></Expiration></Rule>
</LifecycleConfiguration>`
	lc, err := ParseLifecycle([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tags := func(pairs ...string) []objects.Tag {
		var out []objects.Tag
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, objects.Tag{Key: pairs[i], Value: pairs[i+1]})
		}
		return out
	}
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		key  string
		size int64
		tags []objects.Tag
		want bool
	}{
		{"x", 1, tags("retention", "temp"), true},
		{"x", 1, tags("other", "1", "retention", "temp"), true},
		{"x", 1, tags("retention", "keep"), false},
		{"x", 1, nil, false},
		{"logs/a", 50, tags("a", "1", "b", "2"), true},
		{"logs/a", 50, tags("a", "1"), false},
		{"logs/a", 5, tags("a", "1", "b", "2"), false},
		{"other/a", 50, tags("a", "1", "b", "2"), false},
	} {
		if got := lc.Expired(tc.key, tc.size, tc.tags, now, now); got != tc.want {
			t.Errorf("Expired(%q, %d, %v) = %v, want %v", tc.key, tc.size, tc.tags, got, tc.want)
		}
	}
}
