package multipart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisTracker keeps uploads in Redis so that any gateway sharing the store
// can take any part or the Complete. Every key of one upload carries the
// hash tag {id}, so the scripts that change an upload touch one slot and
// run on Redis Cluster. The per-bucket listing index and the activity index
// live in other slots and are updated in separate steps, never inside a
// script or MULTI, so a gateway dying between the steps leaves them out of
// step with the upload; each direction is repaired:
//
//   - Create writes the upload with a short TTL, then the index entries,
//     then lifts the TTL: an upload whose entries were never written
//     expires by itself instead of living unlisted and unswept.
//   - Finish and Abort delete the upload first, then its entries: an entry
//     left behind is stale. Index skips stale entries and removes them (so
//     listing and DeleteBucket repair a bucket's index), and Idle, which
//     the sweeper runs every round, removes stale activity entries.
//
// Both repairs trust that an upload missing from the master is gone, so
// reads must never go to replicas (RedisOptions never asks for that).
type RedisTracker struct {
	rdb redis.UniversalClient
}

var _ Tracker = (*RedisTracker)(nil)

// NewRedisTracker returns a tracker over rdb (which it closes on Close).
func NewRedisTracker(rdb redis.UniversalClient) *RedisTracker {
	return &RedisTracker{rdb: rdb}
}

// OpenRedis connects to the Redis named by url (see RedisOptions) and checks
// that it answers.
func OpenRedis(ctx context.Context, url string) (*RedisTracker, error) {
	opts, err := RedisOptions(url)
	if err != nil {
		return nil, err
	}
	rdb := redis.NewUniversalClient(opts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("multipart: redis: %w", err)
	}
	return NewRedisTracker(rdb), nil
}

// Client is the underlying client (the sweeper takes its lock there).
func (t *RedisTracker) Client() redis.UniversalClient { return t.rdb }

func (t *RedisTracker) Close() error { return t.rdb.Close() }

func uploadKey(id string) string { return "tg:mpu:{" + id + "}:u" }
func partsKey(id string) string  { return "tg:mpu:{" + id + "}:p" }
func doneKey(id string) string   { return "tg:mpu:{" + id + "}:done" }
func bucketIndexKey(bucket string) string {
	return "tg:mpu:idx:" + bucket
}

// activeKey is a ZSET of upload IDs scored by last activity (Unix ms).
const activeKey = "tg:mpu:active"

// Upload hash fields: u (Upload JSON), tok (claim token), cl (1 when
// claimed), dl (claim deadline, Unix ms).

// Script results that are not data.
const (
	replyNoSuch     = "nosuch"
	replyCompleting = "completing"
	replyFenced     = "fenced"
)

var putPartScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {err='` + replyNoSuch + `'} end
if redis.call('HGET', KEYS[1], 'cl') == '1' then return {err='` + replyCompleting + `'} end
local old = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return old or ''
`)

var claimScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {err='` + replyNoSuch + `'} end
local now = tonumber(ARGV[1])
local claimed = redis.call('HGET', KEYS[1], 'cl') == '1'
if claimed and tonumber(redis.call('HGET', KEYS[1], 'dl')) > now then return {err='` + replyCompleting + `'} end
local tok = redis.call('HINCRBY', KEYS[1], 'tok', 1)
redis.call('HSET', KEYS[1], 'cl', '1', 'dl', tostring(now + tonumber(ARGV[2])))
if claimed then return {tok, 1, redis.call('HGET', KEYS[1], 'asm') or ''} end
redis.call('HDEL', KEYS[1], 'asm')
return {tok, 0, ''}
`)

// claimedScript runs one of four actions if ARGV[1] still holds the claim:
// renew (ARGV[3] = lease ms), unclaim, assemble (ARGV[3] = Assembly) or
// finish (ARGV[3] = result, ARGV[4] = tombstone lifetime ms).
var claimedScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'cl') ~= '1' or redis.call('HGET', KEYS[1], 'tok') ~= ARGV[1] then
  return {err='` + replyFenced + `'}
end
if ARGV[2] == 'renew' then
  redis.call('HSET', KEYS[1], 'dl', tostring(tonumber(ARGV[4]) + tonumber(ARGV[3])))
elseif ARGV[2] == 'unclaim' then
  redis.call('HSET', KEYS[1], 'cl', '0')
  redis.call('HDEL', KEYS[1], 'asm')
elseif ARGV[2] == 'assemble' then
  redis.call('HSET', KEYS[1], 'asm', ARGV[3])
else
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
end
return 'ok'
`)

var abortScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {err='` + replyNoSuch + `'} end
if redis.call('HGET', KEYS[1], 'cl') == '1' and tonumber(redis.call('HGET', KEYS[1], 'dl')) > tonumber(ARGV[1]) then
  return {err='` + replyCompleting + `'}
end
local parts = redis.call('HVALS', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
return parts
`)

// scriptErr maps a script's error reply onto the package's errors.
func scriptErr(err error) error {
	if err == nil {
		return nil
	}
	switch err.Error() {
	case replyNoSuch:
		return ErrNoSuchUpload
	case replyCompleting:
		return ErrCompleting
	case replyFenced:
		return ErrFenced
	}
	return fmt.Errorf("multipart: redis: %w", err)
}

func nowMillis() int64 { return time.Now().UnixMilli() }

func (t *RedisTracker) Create(ctx context.Context, u Upload) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	// One key, so MULTI is fine on Cluster. The TTL covers the steps
	// below (see RedisTracker).
	record := t.rdb.TxPipeline()
	record.HSet(ctx, uploadKey(u.ID), "u", body, "tok", 0, "cl", "0")
	record.PExpire(ctx, uploadKey(u.ID), createGrace)
	if _, err := record.Exec(ctx); err != nil {
		return fmt.Errorf("multipart: redis: record upload: %w", err)
	}
	// After the upload itself: an index entry never names an upload that
	// was not created, so a reader may take an entry without its upload
	// for stale and remove it.
	index := t.rdb.Pipeline() // two slots: not atomic, and need not be
	index.ZAdd(ctx, bucketIndexKey(u.Bucket), redis.Z{Member: IndexMember(u.Key, u.Initiated, u.ID)})
	index.ZAdd(ctx, activeKey, redis.Z{Score: float64(nowMillis()), Member: u.ID})
	if _, err := index.Exec(ctx); err != nil {
		return fmt.Errorf("multipart: redis: index upload: %w", err)
	}
	if err := t.rdb.Persist(ctx, uploadKey(u.ID)).Err(); err != nil {
		return fmt.Errorf("multipart: redis: keep upload: %w", err)
	}
	return nil
}

// createGrace is how long a new upload lives before Create has indexed it;
// far longer than the two round trips that takes.
const createGrace = time.Minute

func (t *RedisTracker) Get(ctx context.Context, id string) (Upload, error) {
	body, err := t.rdb.HGet(ctx, uploadKey(id), "u").Bytes()
	if errors.Is(err, redis.Nil) {
		return Upload{}, ErrNoSuchUpload
	}
	if err != nil {
		return Upload{}, fmt.Errorf("multipart: redis: %w", err)
	}
	var u Upload
	if err := json.Unmarshal(body, &u); err != nil {
		return Upload{}, fmt.Errorf("multipart: decode upload %s: %w", id, err)
	}
	return u, nil
}

func (t *RedisTracker) PutPart(ctx context.Context, id string, p Part) (*Part, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	old, err := putPartScript.Run(ctx, t.rdb, []string{uploadKey(id), partsKey(id)}, p.Number, body).Text()
	if err != nil {
		return nil, scriptErr(err)
	}
	t.touchIndex(ctx, id)
	if old == "" {
		return nil, nil
	}
	var replaced Part
	if err := json.Unmarshal([]byte(old), &replaced); err != nil {
		return nil, fmt.Errorf("multipart: decode part: %w", err)
	}
	return &replaced, nil
}

// touchIndex records activity; best effort, the activity index only steers
// the expiry sweeper.
func (t *RedisTracker) touchIndex(ctx context.Context, id string) {
	t.rdb.ZAdd(ctx, activeKey, redis.Z{Score: float64(nowMillis()), Member: id})
}

func (t *RedisTracker) Parts(ctx context.Context, id string, after, limit int) ([]Part, bool, error) {
	pipe := t.rdb.TxPipeline()
	exists := pipe.Exists(ctx, uploadKey(id))
	all := pipe.HVals(ctx, partsKey(id))
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, false, fmt.Errorf("multipart: redis: %w", err)
	}
	if exists.Val() == 0 {
		return nil, false, ErrNoSuchUpload
	}
	parts := make([]Part, 0, len(all.Val()))
	for _, v := range all.Val() {
		var p Part
		if err := json.Unmarshal([]byte(v), &p); err != nil {
			return nil, false, fmt.Errorf("multipart: decode part: %w", err)
		}
		if p.Number > after {
			parts = append(parts, p)
		}
	}
	slices.SortFunc(parts, func(a, b Part) int { return a.Number - b.Number })
	if limit > 0 && len(parts) > limit {
		return parts[:limit], true, nil
	}
	return parts, false, nil
}

// Index skips and removes stale entries (see RedisTracker), reading on
// until it has limit live ones or the index ends: callers take a short
// page for the end of the listing.
func (t *RedisTracker) Index(ctx context.Context, bucket, start string, limit int) ([]IndexEntry, error) {
	key := bucketIndexKey(bucket)
	var out []IndexEntry
	for len(out) < limit {
		want := int64(limit - len(out))
		members, err := t.rdb.ZRangeByLex(ctx, key, &redis.ZRangeBy{Min: start, Max: "+", Count: want}).Result()
		if err != nil {
			return out, fmt.Errorf("multipart: redis: %w", err)
		}
		entries := make([]IndexEntry, 0, len(members))
		for _, m := range members {
			if e, ok := parseIndexMember(m); ok {
				entries = append(entries, e)
			}
		}
		live, err := t.liveUploads(ctx, entries)
		if err != nil {
			return out, err
		}
		var stale []any
		for i, e := range entries {
			if live[i] {
				out = append(out, e)
			} else {
				stale = append(stale, IndexMember(e.Key, e.Initiated, e.ID))
			}
		}
		if len(stale) > 0 {
			// Best effort: left behind, they are skipped again next time.
			t.rdb.ZRem(ctx, key, stale...)
		}
		if int64(len(members)) < want {
			break
		}
		start = "(" + members[len(members)-1]
	}
	return out, nil
}

// liveUploads reports which entries' uploads still exist, in one round
// trip (on Cluster, one per node).
func (t *RedisTracker) liveUploads(ctx context.Context, entries []IndexEntry) ([]bool, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	pipe := t.rdb.Pipeline()
	checks := make([]*redis.IntCmd, len(entries))
	for i, e := range entries {
		checks[i] = pipe.Exists(ctx, uploadKey(e.ID))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("multipart: redis: %w", err)
	}
	live := make([]bool, len(entries))
	for i, c := range checks {
		live[i] = c.Val() == 1
	}
	return live, nil
}

// dropIndex removes a finished upload's index entries; best effort, as
// what it leaves is stale and repaired (see RedisTracker).
func (t *RedisTracker) dropIndex(ctx context.Context, u Upload) {
	pipe := t.rdb.Pipeline()
	pipe.ZRem(ctx, bucketIndexKey(u.Bucket), IndexMember(u.Key, u.Initiated, u.ID))
	pipe.ZRem(ctx, activeKey, u.ID)
	pipe.Exec(ctx)
}

func (t *RedisTracker) Claim(ctx context.Context, id string, lease time.Duration) (Claim, error) {
	res, err := claimScript.Run(ctx, t.rdb, []string{uploadKey(id)}, nowMillis(), lease.Milliseconds()).Slice()
	if err != nil {
		return Claim{}, scriptErr(err)
	}
	tok, _ := res[0].(int64)
	takeover, _ := res[1].(int64)
	asm, _ := res[2].(string)
	c := Claim{Token: tok, Takeover: takeover == 1}
	if asm != "" {
		c.Assembly = new(Assembly)
		if err := json.Unmarshal([]byte(asm), c.Assembly); err != nil {
			return Claim{}, fmt.Errorf("multipart: recorded assembly of %s: %w", id, err)
		}
	}
	return c, nil
}

func (t *RedisTracker) Assemble(ctx context.Context, id string, token int64, a Assembly) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return t.claimed(ctx, id, strconv.FormatInt(token, 10), "assemble", body)
}

func (t *RedisTracker) claimed(ctx context.Context, id string, args ...any) error {
	keys := []string{uploadKey(id), partsKey(id), doneKey(id)}
	return scriptErr(claimedScript.Run(ctx, t.rdb, keys, args...).Err())
}

func (t *RedisTracker) Renew(ctx context.Context, id string, token int64, lease time.Duration) error {
	return t.claimed(ctx, id, strconv.FormatInt(token, 10), "renew", lease.Milliseconds(), nowMillis())
}

func (t *RedisTracker) Unclaim(ctx context.Context, id string, token int64) error {
	return t.claimed(ctx, id, strconv.FormatInt(token, 10), "unclaim")
}

func (t *RedisTracker) Finish(ctx context.Context, id string, token int64, r Result, keep time.Duration) error {
	u, err := t.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFenced, err)
	}
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := t.claimed(ctx, id, strconv.FormatInt(token, 10), "finish", body, keep.Milliseconds()); err != nil {
		return err
	}
	t.dropIndex(ctx, u)
	return nil
}

func (t *RedisTracker) Done(ctx context.Context, id string) (Result, bool, error) {
	body, err := t.rdb.Get(ctx, doneKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("multipart: redis: %w", err)
	}
	var r Result
	if err := json.Unmarshal(body, &r); err != nil {
		return Result{}, false, fmt.Errorf("multipart: decode result: %w", err)
	}
	return r, true, nil
}

func (t *RedisTracker) Abort(ctx context.Context, id string) ([]Part, error) {
	u, err := t.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	vals, err := abortScript.Run(ctx, t.rdb, []string{uploadKey(id), partsKey(id)}, nowMillis()).StringSlice()
	if err != nil {
		return nil, scriptErr(err)
	}
	t.dropIndex(ctx, u)
	parts := make([]Part, 0, len(vals))
	for _, v := range vals {
		var p Part
		if err := json.Unmarshal([]byte(v), &p); err != nil {
			return parts, fmt.Errorf("multipart: decode part: %w", err)
		}
		parts = append(parts, p)
	}
	return parts, nil
}

func (t *RedisTracker) Touch(ctx context.Context, id string) error {
	if _, err := t.Get(ctx, id); err != nil {
		return err
	}
	t.touchIndex(ctx, id)
	return nil
}

func (t *RedisTracker) Idle(ctx context.Context, cutoff time.Time) ([]Upload, error) {
	ids, err := t.rdb.ZRangeByScore(ctx, activeKey, &redis.ZRangeBy{
		Min: "-inf", Max: "(" + strconv.FormatInt(cutoff.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("multipart: redis: %w", err)
	}
	var out []Upload
	for _, id := range ids {
		u, err := t.Get(ctx, id)
		if errors.Is(err, ErrNoSuchUpload) {
			t.rdb.ZRem(ctx, activeKey, id) // stale
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, u)
	}
	return out, nil
}

func (t *RedisTracker) Active(ctx context.Context, fn func(Upload, []Part) error) error {
	ids, err := t.rdb.ZRange(ctx, activeKey, 0, -1).Result()
	if err != nil {
		return fmt.Errorf("multipart: redis: %w", err)
	}
	for _, id := range ids {
		u, err := t.Get(ctx, id)
		if err != nil {
			continue
		}
		parts, _, err := t.Parts(ctx, id, 0, 0)
		if err != nil {
			continue
		}
		if err := fn(u, parts); err != nil {
			return err
		}
	}
	return nil
}
