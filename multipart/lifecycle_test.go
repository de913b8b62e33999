package multipart

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/s3err"
)

func TestParseLifecycle(t *testing.T) {
	const ok = `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
  <Rule><ID>tmp-deep</ID><Prefix>tmp/deep/</Prefix><Status>Enabled</Status>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
  <Rule><ID>off</ID><Filter><And><Prefix>off/</Prefix></And></Filter><Status>Disabled</Status>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
</LifecycleConfiguration>`
	lc, err := ParseLifecycle([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]time.Duration{"tmp/a": 72 * time.Hour, "tmp/deep/a": 24 * time.Hour, "off/a": 0, "other": 0} {
		got, found := lc.AbortAfter(key)
		if found != (want > 0) || got != want {
			t.Errorf("AbortAfter(%q) = %v, %v; want %v", key, got, found, want)
		}
	}

	rule := func(body string) string {
		return "<LifecycleConfiguration><Rule>" + body + "</Rule></LifecycleConfiguration>"
	}
	abort := "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>"
	for _, tc := range []struct {
		doc  string
		want *s3err.Error
	}{
		{"<LifecycleConfiguration>", s3err.MalformedXML},
		{"<LifecycleConfiguration></LifecycleConfiguration>", s3err.MalformedXML},
		{rule("<Status>Maybe</Status>" + abort), s3err.MalformedXML},
		{rule("<Prefix>a</Prefix><Filter><Prefix>a</Prefix></Filter><Status>Enabled</Status>" + abort), s3err.MalformedXML},
		{rule("<Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition>" + abort), s3err.NotImplemented},
		{rule("<Status>Enabled</Status><NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>"), s3err.NotImplemented},
		{rule("<Status>Enabled</Status>"), s3err.InvalidRequest},
		{rule("<Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>"), s3err.InvalidArgument},
		{rule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>" + abort), s3err.InvalidRequest},
		{"<LifecycleConfiguration><Rule><ID>x</ID><Status>Enabled</Status>" + abort + "</Rule><Rule><ID>x</ID><Status>Enabled</Status>" + abort + "</Rule></LifecycleConfiguration>", s3err.InvalidArgument},
		{rule("<ID>" + strings.Repeat("i", 256) + "</ID><Status>Enabled</Status>" + abort), s3err.InvalidArgument},
	} {
		_, err := ParseLifecycle([]byte(tc.doc))
		if !errors.Is(err, tc.want) {
			t.Errorf("ParseLifecycle(%s) = %v, want %s", tc.doc, err, tc.want.Code)
		}
	}
}

// An element the schema does not have, at any depth, or one it has once
// given twice, is MalformedXML, as
// S3 validates documents against its schema (S3's answer recorded in
// ceph/ceph#23486); without the check a misspelt filter element would leave
// a rule that applies to every key. Every element of the schema, the
// refused transitions included, still parses.
func TestParseLifecycleRefusesUnknownElements(t *testing.T) {
	const expire = "<Expiration><Days>1</Days></Expiration>"
	for _, doc := range []string{
		"<LifecycleConfiguration><Rule><Filter><Prefx>logs/</Prefx></Filter><Status>Enabled</Status>" + expire + "</Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration><Rule><Filter><And><Prefix>a/</Prefix><ObjectSizeGreaterThn>5</ObjectSizeGreaterThn></And></Filter><Status>Enabled</Status>" + expire + "</Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>1</Days><Hours>2</Hours></Expiration></Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration><Rule><Status>Enabled</Status>" + expire + "<Priority>1</Priority></Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration><Rule><Status>Enabled</Status>" + expire + "</Rule><Owner>x</Owner></LifecycleConfiguration>",
		// Repeated where the schema has one: the second, empty Prefix
		// would have made the rule apply to every key.
		"<LifecycleConfiguration><Rule><Filter><Prefix>logs/</Prefix><Prefix></Prefix></Filter><Status>Enabled</Status>" + expire + "</Rule></LifecycleConfiguration>",
		"<LifecycleConfiguration><Rule><Status>Enabled</Status><Status>Disabled</Status>" + expire + "</Rule></LifecycleConfiguration>",
	} {
		if _, err := ParseLifecycle([]byte(doc)); !errors.Is(err, s3err.MalformedXML) {
			t.Errorf("ParseLifecycle(%s) = %v, want MalformedXML", doc, err)
		}
	}
	full := `<LifecycleConfiguration><Rule><ID>all</ID><Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>` +
		`<ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>` +
		`<Expiration><Days>1</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>` +
		`<NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>` +
		`<Rule><ID>markers</ID><Prefix></Prefix><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>` +
		`<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`
	if _, err := ParseLifecycle([]byte(full)); err != nil {
		t.Errorf("every element of the schema: %v", err)
	}
	transition := "<LifecycleConfiguration><Rule><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>"
	if _, err := ParseLifecycle([]byte(transition)); !errors.Is(err, s3err.NotImplemented) {
		t.Errorf("a transition: %v, want NotImplemented", err)
	}
}

// The sweeper aborts uploads by their bucket's rule, counted from
// initiation however active they are, and the others by the default expiry.
func TestSweeperFollowsBucketLifecycle(t *testing.T) {
	st, l := newLayer(t)
	tracker, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tracker.Close()
	swept := map[string]int{}
	m := NewManager(st, l, tracker, Options{Expiry: 3 * 24 * time.Hour, MinPartSize: 1,
		OnSweep: func(action string) { swept[action]++ }})
	ctx := t.Context()
	doc := `<LifecycleConfiguration><Rule><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>
<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
<Rule><Prefix>off/</Prefix><Status>Disabled</Status>
<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`
	if err := l.SetBucketLifecycle(ctx, "bkt", []byte(doc)); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, key := range []string{"tmp/a", "off/a", "other"} {
		u, err := m.Create(ctx, CreateInput{Bucket: "bkt", Key: key})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.UploadPart(ctx, PartInput{Bucket: "bkt", Key: key, UploadID: u.ID, Number: 1, Body: strings.NewReader("x"), Size: 1}); err != nil {
			t.Fatal(err)
		}
		ids[key] = u.ID
	}
	alive := func(key string) bool {
		_, err := m.Upload(ctx, "bkt", key, ids[key])
		return err == nil
	}
	sw := NewSweeper(m, nil)
	sweepAt := func(offset time.Duration) {
		sw.now = func() time.Time { return time.Now().Add(offset) }
		if err := sw.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}

	sweepAt(23 * time.Hour)
	if !alive("tmp/a") || !alive("off/a") || !alive("other") {
		t.Fatal("an upload was aborted before any limit")
	}
	sweepAt(25 * time.Hour)
	if alive("tmp/a") {
		t.Fatal("the rule's upload outlived DaysAfterInitiation")
	}
	if !alive("off/a") || !alive("other") {
		t.Fatal("a disabled rule or the default expiry aborted too early")
	}
	sweepAt(73 * time.Hour)
	if alive("off/a") || alive("other") {
		t.Fatal("uploads no enabled rule covers outlived the default expiry")
	}
	if swept[SweepAbortLifecycle] != 1 || swept[SweepAbortIdle] != 2 {
		t.Fatalf("sweeper reported %v, want 1 lifecycle and 2 idle aborts", swept)
	}
}
