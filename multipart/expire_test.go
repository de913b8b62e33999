package multipart

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/redistest"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// The expirer deletes, across listing pages, the objects an enabled rule
// has expired, and leaves every other object alone.
func TestExpirerDeletesExpiredObjects(t *testing.T) {
	st, l := newLayer(t)
	tracker, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tracker.Close()
	expired := 0
	m := NewManager(st, l, tracker, Options{OnSweep: func(action string) {
		if action == SweepExpireObject {
			expired++
		}
	}})
	ctx := t.Context()
	doc := `<LifecycleConfiguration>
<Rule><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>
<Rule><Filter><And><Prefix>tmp/</Prefix><ObjectSizeGreaterThan>3</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>
  <Expiration><Days>1</Days></Expiration></Rule>
<Rule><Prefix>off/</Prefix><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>
</LifecycleConfiguration>`
	if err := l.SetBucketLifecycle(ctx, "bkt", []byte(doc)); err != nil {
		t.Fatal(err)
	}
	put := func(key, body string) {
		t.Helper()
		if _, err := l.Put(ctx, objects.PutInput{Bucket: "bkt", Key: key, Body: strings.NewReader(body), Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
	}
	// More logs than one listing page holds.
	first := time.Now()
	var logs []string
	for i := range expirePage + 5 {
		logs = append(logs, fmt.Sprintf("logs/%04d", i))
		put(logs[i], "x")
	}
	put("tmp/big", "long body")
	put("tmp/small", "ab")
	put("off/a", "long body")
	put("keep", "long body")
	last := time.Now()
	exists := func(key string) bool {
		_, err := l.Stat(ctx, "bkt", key)
		if err != nil && !errors.Is(err, s3err.NoSuchKey) {
			t.Fatal(err)
		}
		return err == nil
	}

	e := NewExpirer(m)
	expireAt := func(now time.Time) {
		t.Helper()
		e.now = func() time.Time { return now }
		if err := e.Expire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// S3 rounds creation plus Days up to the next midnight UTC.
	midnightAfter := func(created time.Time, days int) time.Time {
		return expireRule{days: days}.expiresAt(created)
	}
	expireAt(midnightAfter(first, 1).Add(-time.Second))
	if !exists("tmp/big") || !exists(logs[0]) {
		t.Fatal("an object was expired before its rule's time")
	}
	expireAt(midnightAfter(last, 1))
	if exists("tmp/big") {
		t.Fatal("tmp/big outlived its rule")
	}
	if !exists("tmp/small") || !exists(logs[0]) {
		t.Fatal("the size filter or the 2-day rule did not hold")
	}
	expireAt(midnightAfter(last, 2))
	for _, key := range logs {
		if exists(key) {
			t.Fatalf("%s outlived its rule", key)
		}
	}
	for _, key := range []string{"tmp/small", "off/a", "keep"} {
		if !exists(key) {
			t.Errorf("%s was expired though no enabled rule covers it", key)
		}
	}
	if want := len(logs) + 1; expired != want {
		t.Errorf("expirer reported %d expirations, want %d", expired, want)
	}
}

// An object overwritten after the listing saw it is newer than what was
// judged expired: the expirer leaves it.
func TestExpirerSparesOverwrittenObject(t *testing.T) {
	st, l := newLayer(t)
	tracker, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tracker.Close()
	m := NewManager(st, l, tracker, Options{})
	ctx := t.Context()
	old, err := l.Put(ctx, objects.PutInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("old"), Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Put(ctx, objects.PutInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("new!"), Size: 4}); err != nil {
		t.Fatal(err)
	}
	NewExpirer(m).expireObject(ctx, old)
	info, err := l.Stat(ctx, "bkt", "k")
	if err != nil || info.Size != 4 {
		t.Fatalf("the newer object was deleted: %v, %v", info, err)
	}
}

// Gateways sharing Redis take turns: one round of interval goes to the
// first that asks, and the expirer's lock is apart from the sweeper's.
func TestExpirerLeadsOneGatewayAtATime(t *testing.T) {
	r := redistest.Start(t)
	ctx := t.Context()
	var managers []*Manager
	for range 2 {
		tr, err := OpenRedis(ctx, "redis://"+r.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		st, l := newLayer(t)
		managers = append(managers, NewManager(st, l, tr, Options{}))
	}
	const round = 500 * time.Millisecond
	if !managers[0].leads(ctx, expirerKey, round) {
		t.Fatal("the first gateway to ask did not lead")
	}
	if managers[1].leads(ctx, expirerKey, round) {
		t.Fatal("a second gateway led the same round")
	}
	if !managers[1].leads(ctx, leaderKey, round) {
		t.Fatal("the expirer's lock held the sweeper back")
	}
	time.Sleep(round)
	if !managers[1].leads(ctx, expirerKey, round) {
		t.Fatal("the lock outlived its round")
	}
}
