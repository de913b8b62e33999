package multipart

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/terngate/terngate/store"
)

// redisSetups are the deployments --redis-url reaches; each test below runs
// on every one of them.
var redisSetups = []struct {
	name  string
	start func(t *testing.T) string // returns the --redis-url
}{
	{"single", startSingleRedis},
	{"cluster", startRedisCluster},
	{"sentinel", func(t *testing.T) string { return startRedisSentinel(t, false).url }},
}

// oneSeed keeps only the first address of a multi-address URL: a cluster
// client must find every node from any one of them.
func oneSeed(url string) string {
	scheme, rest, _ := strings.Cut(url, "://")
	hosts, path, _ := strings.Cut(rest, "/")
	first, _, _ := strings.Cut(hosts, ",")
	if path != "" {
		return scheme + "://" + first + "/" + path
	}
	return scheme + "://" + first
}

func openRedisTracker(t *testing.T, url string) *RedisTracker {
	t.Helper()
	tr, err := OpenRedis(t.Context(), url)
	if err != nil {
		t.Fatalf("OpenRedis(%s): %v", url, err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func TestRedisTrackerSetups(t *testing.T) {
	for _, setup := range redisSetups {
		t.Run(setup.name, func(t *testing.T) {
			url := setup.start(t)
			t.Run("contract", func(t *testing.T) {
				testTrackerContract(t, openRedisTracker(t, url))
			})
			t.Run("one slot per upload", func(t *testing.T) {
				testUploadKeysShareASlot(t, openRedisTracker(t, url))
			})
			t.Run("stale index entries", func(t *testing.T) {
				testStaleIndexEntriesRepaired(t, openRedisTracker(t, url))
			})
			t.Run("create cut short", func(t *testing.T) {
				testCreateCutShortExpires(t, openRedisTracker(t, url))
			})
			t.Run("sweeper lock", func(t *testing.T) {
				testSweeperLock(t, openRedisTracker(t, url), openRedisTracker(t, url))
			})
			t.Run("journal", func(t *testing.T) {
				tr := openRedisTracker(t, url)
				testJournalContract(t, tr.Journal())
				testRedisJournalExpires(t, tr)
			})
			t.Run("two gateways", func(t *testing.T) {
				st, l := newLayer(t)
				a := NewManager(st, l, openRedisTracker(t, url), Options{MinPartSize: 4})
				b := NewManager(st, l, openRedisTracker(t, oneSeed(url)), Options{MinPartSize: 4})
				exerciseManagers(t, a, b, l)
			})
		})
	}
}

// The embedded tracker is the reference the Redis one must agree with.
func TestEmbeddedTrackerContract(t *testing.T) {
	tr, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	testTrackerContract(t, tr)
	t.Run("journal", func(t *testing.T) { testJournalContract(t, tr.Journal()) })
}

// contractUpload is an upload with an ID distinct per bucket, key and
// initiation; the tests name buckets after themselves, so tests sharing a
// server do not see each other.
func contractUpload(bucket, key string, initiated time.Time) Upload {
	id := fmt.Sprintf("%s-%s-%d", bucket, key, initiated.UnixNano())
	return Upload{ID: id, Bucket: bucket, Key: key, Initiated: initiated, Owner: "me", Dir: 7}
}

func contractPart(n int, etag string) Part {
	return Part{Number: n, ETag: etag, Size: int64(n), File: transientFor(n), LastModified: time.Now().UTC()}
}

// transientFor is a distinct part file per part number.
func transientFor(n int) store.Transient {
	return store.Transient{ID: store.ID(1000 + n), Cookie: uint64(n)}
}

func partNumbers(parts []Part) []int {
	nums := make([]int, len(parts))
	for i, p := range parts {
		nums[i] = p.Number
	}
	return nums
}

func entryIDs(entries []IndexEntry) []string {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	return ids
}

// testTrackerContract runs the Tracker contract from creation to tombstone.
func testTrackerContract(t *testing.T, tr Tracker) {
	ctx := t.Context()
	bucket := "bkt-" + strings.ReplaceAll(t.Name(), "/", ".")
	t0 := time.Now().UTC().Add(-time.Minute)
	first := contractUpload(bucket, "a/x", t0)
	second := contractUpload(bucket, "a/x", t0.Add(time.Second)) // same key, later
	third := contractUpload(bucket, "a/y", t0)
	fourth := contractUpload(bucket, "b", t0)
	elsewhere := contractUpload(bucket+"-other", "a/x", t0)
	for _, u := range []Upload{fourth, second, elsewhere, third, first} { // not in listing order
		if err := tr.Create(ctx, u); err != nil {
			t.Fatalf("Create %s: %v", u.ID, err)
		}
	}

	got, err := tr.Get(ctx, first.ID)
	if err != nil || got.ID != first.ID || got.Key != first.Key || got.Bucket != bucket ||
		!got.Initiated.Equal(first.Initiated) || got.Owner != "me" || got.Dir != 7 {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, first)
	}
	if _, err := tr.Get(ctx, "never-created"); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("Get unknown: %v", err)
	}

	// Parts: record, replace, page.
	for n := 5; n >= 1; n-- {
		old, err := tr.PutPart(ctx, first.ID, contractPart(n, fmt.Sprintf("etag%d", n)))
		if err != nil || old != nil {
			t.Fatalf("PutPart %d = %v, %v; want nothing replaced", n, old, err)
		}
	}
	old, err := tr.PutPart(ctx, first.ID, contractPart(3, "etag3-new"))
	if err != nil || old == nil || old.ETag != "etag3" || old.File != transientFor(3) {
		t.Fatalf("replacing part 3 = %+v, %v; want the old part back", old, err)
	}
	if _, err := tr.PutPart(ctx, "never-created", contractPart(1, "x")); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("PutPart on unknown upload: %v", err)
	}
	var pages [][]int
	for after, more := 0, true; more; {
		var page []Part
		page, more, err = tr.Parts(ctx, first.ID, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, partNumbers(page))
		after = page[len(page)-1].Number
	}
	if fmt.Sprint(pages) != "[[1 2] [3 4] [5]]" {
		t.Fatalf("Parts pages %v", pages)
	}
	all, more, err := tr.Parts(ctx, first.ID, 0, 0)
	if err != nil || more || len(all) != 5 || all[2].ETag != "etag3-new" {
		t.Fatalf("all parts = %+v, %v, %v", all, more, err)
	}
	if _, _, err := tr.Parts(ctx, "never-created", 0, 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("Parts of unknown upload: %v", err)
	}

	// Listing: by bucket, in key then initiation order, paged.
	var listed []string
	for start := "-"; ; {
		page, err := tr.Index(ctx, bucket, start, 2)
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, entryIDs(page)...)
		if len(page) < 2 {
			break
		}
		start = boundAfterEntry(page[len(page)-1])
	}
	if want := []string{first.ID, second.ID, third.ID, fourth.ID}; !slices.Equal(listed, want) {
		t.Fatalf("Index of %s = %v; want %v", bucket, listed, want)
	}
	if page, err := tr.Index(ctx, bucket, boundAfterKey("a/x"), 10); err != nil || !slices.Equal(entryIDs(page), []string{third.ID, fourth.ID}) {
		t.Fatalf("Index after key a/x = %v, %v", entryIDs(page), err)
	}
	if page, err := tr.Index(ctx, bucket+"-other", "-", 10); err != nil || !slices.Equal(entryIDs(page), []string{elsewhere.ID}) {
		t.Fatalf("Index of the other bucket = %v, %v", entryIDs(page), err)
	}

	// Claims: exclusive, fenced by token, renewable, given back.
	c1, err := tr.Claim(ctx, first.ID, time.Hour)
	if err != nil || c1.Takeover {
		t.Fatalf("Claim = %+v, %v", c1, err)
	}
	if _, err := tr.Claim(ctx, first.ID, time.Hour); !errors.Is(err, ErrCompleting) {
		t.Fatalf("second Claim: %v", err)
	}
	if _, err := tr.PutPart(ctx, first.ID, contractPart(6, "x")); !errors.Is(err, ErrCompleting) {
		t.Fatalf("PutPart while claimed: %v", err)
	}
	if _, err := tr.Abort(ctx, first.ID); !errors.Is(err, ErrCompleting) {
		t.Fatalf("Abort while claimed: %v", err)
	}
	if err := tr.Renew(ctx, first.ID, c1.Token, time.Hour); err != nil {
		t.Fatalf("Renew: %v", err)
	}
	if err := tr.Renew(ctx, first.ID, c1.Token+1, time.Hour); !errors.Is(err, ErrFenced) {
		t.Fatalf("Renew with a wrong token: %v", err)
	}
	if err := tr.Unclaim(ctx, first.ID, c1.Token); err != nil {
		t.Fatalf("Unclaim: %v", err)
	}
	if err := tr.Renew(ctx, first.ID, c1.Token, time.Hour); !errors.Is(err, ErrFenced) {
		t.Fatalf("Renew after Unclaim: %v", err)
	}
	c2, err := tr.Claim(ctx, first.ID, time.Hour)
	if err != nil || c2.Token <= c1.Token || c2.Takeover {
		t.Fatalf("Claim after Unclaim = %+v, %v (first was %+v)", c2, err, c1)
	}
	if err := tr.Unclaim(ctx, first.ID, c1.Token); !errors.Is(err, ErrFenced) {
		t.Fatalf("Unclaim with a superseded token: %v", err)
	}

	// Finish: the upload goes, its tombstone stays.
	result := Result{Bucket: bucket, Key: "a/x", ETag: "abc-5", Size: 15}
	if err := tr.Finish(ctx, first.ID, c1.Token, result, time.Hour); !errors.Is(err, ErrFenced) {
		t.Fatalf("Finish with a superseded token: %v", err)
	}
	if err := tr.Finish(ctx, first.ID, c2.Token, result, time.Hour); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if done, ok, err := tr.Done(ctx, first.ID); err != nil || !ok || done != result {
		t.Fatalf("Done = %+v, %v, %v; want %+v", done, ok, err, result)
	}
	if _, ok, err := tr.Done(ctx, second.ID); err != nil || ok {
		t.Fatalf("Done of an unfinished upload = %v, %v", ok, err)
	}
	if _, err := tr.Get(ctx, first.ID); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("Get after Finish: %v", err)
	}
	if _, _, err := tr.Parts(ctx, first.ID, 0, 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("Parts after Finish: %v", err)
	}
	if err := tr.Finish(ctx, first.ID, c2.Token, result, time.Hour); !errors.Is(err, ErrFenced) {
		t.Fatalf("second Finish: %v", err)
	}

	// An expired claim can be taken over, and says so.
	if _, err := tr.PutPart(ctx, second.ID, contractPart(1, "s1")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.PutPart(ctx, second.ID, contractPart(2, "s2")); err != nil {
		t.Fatal(err)
	}
	stale, err := tr.Claim(ctx, second.ID, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	taken, err := tr.Claim(ctx, second.ID, time.Hour)
	if err != nil || !taken.Takeover || taken.Token <= stale.Token {
		t.Fatalf("Claim over an expired claim = %+v, %v", taken, err)
	}
	if err := tr.Renew(ctx, second.ID, stale.Token, time.Hour); !errors.Is(err, ErrFenced) {
		t.Fatalf("Renew of the expired claim: %v", err)
	}

	// An Assembly recorded under a claim is handed to whoever takes the
	// claim over, again and again, until the claim is given back.
	asm := Assembly{File: transientFor(99), Parts: []int{1, 2}}
	if err := tr.Assemble(ctx, second.ID, stale.Token, asm); !errors.Is(err, ErrFenced) {
		t.Fatalf("Assemble under a lost claim: %v", err)
	}
	if taken.Assembly != nil {
		t.Fatalf("takeover of a claim that recorded nothing carries %+v", taken.Assembly)
	}
	if err := tr.Assemble(ctx, second.ID, taken.Token, asm); err != nil {
		t.Fatal(err)
	}
	if err := tr.Renew(ctx, second.ID, taken.Token, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		time.Sleep(10 * time.Millisecond)
		next, err := tr.Claim(ctx, second.ID, time.Millisecond)
		if err != nil || !next.Takeover || next.Assembly == nil || next.Assembly.File != asm.File || !slices.Equal(next.Assembly.Parts, asm.Parts) {
			t.Fatalf("takeover after an Assembly was recorded = %+v, %v", next, err)
		}
		taken = next
	}
	time.Sleep(10 * time.Millisecond)
	if taken, err = tr.Claim(ctx, second.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := tr.Unclaim(ctx, second.ID, taken.Token); err != nil {
		t.Fatal(err)
	}
	if fresh, err := tr.Claim(ctx, second.ID, time.Hour); err != nil || fresh.Takeover || fresh.Assembly != nil {
		t.Fatalf("claim after Unclaim = %+v, %v", fresh, err)
	} else if err := tr.Unclaim(ctx, second.ID, fresh.Token); err != nil {
		t.Fatal(err)
	}

	// Abort returns the parts to release and forgets the upload.
	released, err := tr.Abort(ctx, second.ID)
	slices.SortFunc(released, func(a, b Part) int { return a.Number - b.Number })
	if err != nil || !slices.Equal(partNumbers(released), []int{1, 2}) || released[1].File != transientFor(2) {
		t.Fatalf("Abort = %+v, %v", released, err)
	}
	if _, err := tr.Abort(ctx, second.ID); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("second Abort: %v", err)
	}
	if page, err := tr.Index(ctx, bucket, "-", 10); err != nil || !slices.Equal(entryIDs(page), []string{third.ID, fourth.ID}) {
		t.Fatalf("Index after Finish and Abort = %v, %v", entryIDs(page), err)
	}

	// Activity: Touch, Idle, Active.
	if err := tr.Touch(ctx, third.ID); err != nil {
		t.Fatal(err)
	}
	if err := tr.Touch(ctx, second.ID); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("Touch of an aborted upload: %v", err)
	}
	live := []string{third.ID, fourth.ID, elsewhere.ID}
	idle, err := tr.Idle(ctx, time.Now().Add(time.Hour))
	if err != nil || !containsAll(uploadIDs(idle), live) || slices.Contains(uploadIDs(idle), first.ID) || slices.Contains(uploadIDs(idle), second.ID) {
		t.Fatalf("Idle before an hour from now = %v, %v; want %v and no finished upload", uploadIDs(idle), err, live)
	}
	if idle, err := tr.Idle(ctx, t0.Add(-time.Hour)); err != nil || len(idle) != 0 {
		t.Fatalf("Idle before creation = %v, %v", uploadIDs(idle), err)
	}
	if _, err := tr.PutPart(ctx, fourth.ID, contractPart(1, "f1")); err != nil {
		t.Fatal(err)
	}
	visited := map[string]int{}
	err = tr.Active(ctx, func(u Upload, parts []Part) error {
		visited[u.ID] = len(parts)
		return nil
	})
	if err != nil || visited[third.ID] != 0 || visited[fourth.ID] != 1 || len(visited) < len(live) {
		t.Fatalf("Active visited %v, %v", visited, err)
	}
	if _, ok := visited[second.ID]; ok {
		t.Fatal("Active visited an aborted upload")
	}
	stop := errors.New("stop")
	if err := tr.Active(ctx, func(Upload, []Part) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("Active must pass fn's error on: %v", err)
	}
}

func uploadIDs(us []Upload) []string {
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// testUploadKeysShareASlot finds every key that names an upload, on every
// node, and checks they hash to one slot: the scripts that change an upload
// touch them together, which Redis Cluster allows only within a slot.
func testUploadKeysShareASlot(t *testing.T, tr *RedisTracker) {
	ctx := t.Context()
	bucket := "slots-" + strings.ReplaceAll(t.Name(), "/", ".")
	finished := contractUpload(bucket, "done", time.Now())
	open := contractUpload(bucket, "open", time.Now())
	for _, u := range []Upload{finished, open} {
		if err := tr.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.PutPart(ctx, u.ID, contractPart(1, "e")); err != nil {
			t.Fatal(err)
		}
	}
	keys := allKeys(t, tr.Client())
	c, err := tr.Claim(ctx, finished.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Finish(ctx, finished.ID, c.Token, Result{ETag: "e"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	keys = append(keys, allKeys(t, tr.Client())...) // and the tombstone
	for _, u := range []Upload{finished, open} {
		var mine []string
		for _, k := range keys {
			if strings.Contains(k, u.ID) && !slices.Contains(mine, k) {
				mine = append(mine, k)
			}
		}
		if len(mine) < 2 || (u.ID == finished.ID) != slices.Contains(mine, doneKey(u.ID)) {
			t.Fatalf("upload %s has keys %v; expected several", u.ID, mine)
		}
		slots := map[string][]string{}
		for _, k := range mine {
			slot := "tag " + hashTag(k) // one node: the rule Cluster hashes by
			if _, isCluster := tr.Client().(*redis.ClusterClient); isCluster {
				n, err := tr.Client().ClusterKeySlot(ctx, k).Result()
				if err != nil {
					t.Fatalf("CLUSTER KEYSLOT %s: %v", k, err)
				}
				slot = fmt.Sprint(n)
			}
			slots[slot] = append(slots[slot], k)
		}
		if len(slots) != 1 {
			t.Fatalf("keys of upload %s spread over slots %v", u.ID, slots)
		}
	}
}

// hashTag is the part of key Redis Cluster hashes: the text between the
// first '{' and the next '}' if non-empty, else the whole key.
func hashTag(key string) string {
	if open := strings.IndexByte(key, '{'); open >= 0 {
		if n := strings.IndexByte(key[open+1:], '}'); n > 0 {
			return key[open+1 : open+1+n]
		}
	}
	return key
}

// allKeys scans every master (one node unless Cluster).
func allKeys(t *testing.T, rdb redis.UniversalClient) []string {
	t.Helper()
	ctx := t.Context()
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex // ForEachMaster visits the masters concurrently
		var keys []string
		err := c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			found, err := scanAll(ctx, node)
			mu.Lock()
			keys = append(keys, found...)
			mu.Unlock()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return keys
	case *redis.Client:
		keys, err := scanAll(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	t.Fatalf("cannot scan a %T", rdb)
	return nil
}

func scanAll(ctx context.Context, node *redis.Client) ([]string, error) {
	var keys []string
	iter := node.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

// testStaleIndexEntriesRepaired simulates a gateway dying between deleting
// an upload and removing its index entries: listing must not show it, and
// the entries must go.
func testStaleIndexEntriesRepaired(t *testing.T, tr *RedisTracker) {
	ctx := t.Context()
	bucket := "stale-" + strings.ReplaceAll(t.Name(), "/", ".")
	gone := contractUpload(bucket, "a", time.Now())
	alsoGone := contractUpload(bucket, "b", time.Now())
	kept := contractUpload(bucket, "c", time.Now())
	for _, u := range []Upload{gone, alsoGone, kept} {
		if err := tr.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	// The uploads' own keys go, as the abort script does, and nothing else.
	for _, u := range []Upload{gone, alsoGone} {
		if err := tr.Client().Del(ctx, uploadKey(u.ID), partsKey(u.ID)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// A page of one must read past both stale entries: a short page would
	// end the listing.
	page, err := tr.Index(ctx, bucket, "-", 1)
	if err != nil || !slices.Equal(entryIDs(page), []string{kept.ID}) {
		t.Fatalf("Index with stale entries = %v, %v; want only %s", entryIDs(page), err, kept.ID)
	}
	members, err := tr.Client().ZRange(ctx, bucketIndexKey(bucket), 0, -1).Result()
	if err != nil || len(members) != 1 || !strings.HasSuffix(members[0], kept.ID) {
		t.Fatalf("bucket index after listing holds %q, %v; the stale entry must be gone", members, err)
	}
	if _, err := tr.Idle(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Client().ZScore(ctx, activeKey, gone.ID).Result(); !errors.Is(err, redis.Nil) {
		t.Fatalf("activity entry of a gone upload survives the sweep: %v", err)
	}
	// A created upload does not expire: the safety TTL set before its
	// index entries exist is lifted once they do.
	if ttl, err := tr.Client().PTTL(ctx, uploadKey(kept.ID)).Result(); err != nil || ttl != -1 {
		t.Fatalf("TTL of a created upload = %v, %v; want none", ttl, err)
	}
}

// testSweeperLock checks that of two gateways only one sweeps a round.
func testSweeperLock(t *testing.T, a, b *RedisTracker) {
	const sweepInterval = 200 * time.Millisecond // the lock lapses after 90% of it
	st, l := newLayer(t)
	swA := NewSweeper(NewManager(st, l, a, Options{}), nil)
	swB := NewSweeper(NewManager(st, l, b, Options{}), nil)
	if !swA.lead(t.Context(), sweepInterval) {
		t.Fatal("the first gateway must take the sweeper lock")
	}
	if swB.lead(t.Context(), sweepInterval) {
		t.Fatal("a second gateway took the sweeper lock while it was held")
	}
	if err := swA.Sweep(t.Context()); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	waitFor(t, 5*time.Second, "the sweeper lock to lapse", func() (bool, error) {
		return swB.lead(t.Context(), sweepInterval), nil
	})
}

// failIndexWrites makes every pipeline that writes a bucket index fail
// before reaching Redis, as if the gateway died right before it.
type failIndexWrites struct{}

var errCutShort = errors.New("gateway died")

func (failIndexWrites) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (failIndexWrites) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (failIndexWrites) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			if c.Name() != "zadd" || len(c.Args()) < 2 {
				continue
			}
			if key, ok := c.Args()[1].(string); ok && strings.HasPrefix(key, bucketIndexKey("")) {
				return errCutShort
			}
		}
		return next(ctx, cmds)
	}
}

// testCreateCutShortExpires checks that an upload whose Create stopped
// before indexing it does not stay forever, unlisted and never swept.
func testCreateCutShortExpires(t *testing.T, tr *RedisTracker) {
	ctx := t.Context()
	u := contractUpload("cut-"+strings.ReplaceAll(t.Name(), "/", "."), "k", time.Now())
	tr.Client().AddHook(failIndexWrites{})
	if err := tr.Create(ctx, u); !errors.Is(err, errCutShort) {
		t.Fatalf("Create with its index write failing: %v", err)
	}
	ttl, err := tr.Client().PTTL(ctx, uploadKey(u.ID)).Result()
	if err != nil || ttl <= 0 || ttl > createGrace {
		t.Fatalf("TTL of an upload never indexed = %v, %v; want at most %v", ttl, err, createGrace)
	}
}
