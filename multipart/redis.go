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
// hash tag {id}, so the scripts that change an upload touch one slot (Redis
// Cluster). The per-bucket listing index and the activity index live in
// other slots and are updated beside the scripts, not inside them: readers
// treat an index entry whose upload is gone as stale and drop it.
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
if claimed then return {tok, 1} end
return {tok, 0}
`)

// claimedScript runs one of three actions if ARGV[1] still holds the claim:
// renew (ARGV[3] = lease ms), unclaim, or finish (ARGV[3] = result, ARGV[4]
// = tombstone lifetime ms).
var claimedScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'cl') ~= '1' or redis.call('HGET', KEYS[1], 'tok') ~= ARGV[1] then
  return {err='` + replyFenced + `'}
end
if ARGV[2] == 'renew' then
  redis.call('HSET', KEYS[1], 'dl', tostring(tonumber(ARGV[4]) + tonumber(ARGV[3])))
elseif ARGV[2] == 'unclaim' then
  redis.call('HSET', KEYS[1], 'cl', '0')
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
	if err := t.rdb.HSet(ctx, uploadKey(u.ID), "u", body, "tok", 0, "cl", "0").Err(); err != nil {
		return fmt.Errorf("multipart: redis: %w", err)
	}
	// After the upload itself: an index entry never names an upload that
	// was not created.
	pipe := t.rdb.Pipeline()
	pipe.ZAdd(ctx, bucketIndexKey(u.Bucket), redis.Z{Member: IndexMember(u.Key, u.Initiated, u.ID)})
	pipe.ZAdd(ctx, activeKey, redis.Z{Score: float64(nowMillis()), Member: u.ID})
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("multipart: redis: %w", err)
	}
	return nil
}

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

func (t *RedisTracker) Index(ctx context.Context, bucket, start string, limit int) ([]IndexEntry, error) {
	members, err := t.rdb.ZRangeByLex(ctx, bucketIndexKey(bucket), &redis.ZRangeBy{
		Min: start, Max: "+", Count: int64(limit),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("multipart: redis: %w", err)
	}
	out := make([]IndexEntry, 0, len(members))
	for _, m := range members {
		if e, ok := parseIndexMember(m); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// dropIndex removes a finished upload's index entries.
func (t *RedisTracker) dropIndex(ctx context.Context, u Upload) {
	t.rdb.ZRem(ctx, bucketIndexKey(u.Bucket), IndexMember(u.Key, u.Initiated, u.ID))
	t.rdb.ZRem(ctx, activeKey, u.ID)
}

func (t *RedisTracker) Claim(ctx context.Context, id string, lease time.Duration) (Claim, error) {
	res, err := claimScript.Run(ctx, t.rdb, []string{uploadKey(id)}, nowMillis(), lease.Milliseconds()).Int64Slice()
	if err != nil {
		return Claim{}, scriptErr(err)
	}
	return Claim{Token: res[0], Takeover: res[1] == 1}, nil
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
