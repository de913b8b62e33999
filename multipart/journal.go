package multipart

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	bolt "go.etcd.io/bbolt"
)

// A store can need to remember more about a part than the Part record
// holds: the TernFS store keeps each span's block proofs, which the
// cluster never gives back, until Complete certifies the span. The
// trackers offer a small keyed store for that (store/ternfs.Journal), in
// the same Redis or bbolt file as the uploads, so that every gateway
// sharing uploads shares it too.

// journalTTL bounds how long a Redis journal record outlives its last use.
// Records are dropped when their part is completed or aborted; the TTL only
// reclaims those of parts whose writer died before the part was recorded.
// Loading a record (the sweeper's keepalive of live parts does, every few
// minutes) renews it, so a live upload never loses its records.
const journalTTL = 14 * 24 * time.Hour

// RedisJournal keeps journal records as Redis hashes.
type RedisJournal struct {
	rdb redis.UniversalClient
	ttl time.Duration
}

// Journal returns the tracker's journal.
func (t *RedisTracker) Journal() *RedisJournal { return &RedisJournal{rdb: t.rdb, ttl: journalTTL} }

// journalKey keeps each record in a slot of its own hash tag, so records
// spread over a cluster.
func journalKey(key string) string { return "tg:journal:{" + key + "}" }

func (j *RedisJournal) Put(ctx context.Context, key string, fields map[string][]byte) error {
	k := journalKey(key)
	values := make([]any, 0, 2*len(fields))
	for f, v := range fields {
		values = append(values, f, v)
	}
	_, err := j.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k, values...)
		p.PExpire(ctx, k, j.ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("multipart: journal put %s: %w", key, err)
	}
	return nil
}

func (j *RedisJournal) Load(ctx context.Context, key string) (map[string][]byte, error) {
	k := journalKey(key)
	var all *redis.MapStringStringCmd
	_, err := j.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		all = p.HGetAll(ctx, k)
		p.PExpire(ctx, k, j.ttl)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("multipart: journal load %s: %w", key, err)
	}
	out := make(map[string][]byte, len(all.Val()))
	for f, v := range all.Val() {
		out[f] = []byte(v)
	}
	return out, nil
}

func (j *RedisJournal) Delete(ctx context.Context, key string) error {
	if err := j.rdb.Del(ctx, journalKey(key)).Err(); err != nil {
		return fmt.Errorf("multipart: journal delete %s: %w", key, err)
	}
	return nil
}

// EmbeddedJournal keeps journal records in the embedded tracker's file,
// one nested bucket per record. Every Put is a durable transaction.
type EmbeddedJournal struct {
	db *bolt.DB
}

var embJournal = []byte("journal") // key → bucket of field → value

// Journal returns the tracker's journal.
func (t *EmbeddedTracker) Journal() *EmbeddedJournal { return &EmbeddedJournal{db: t.db} }

func (j *EmbeddedJournal) Put(ctx context.Context, key string, fields map[string][]byte) error {
	err := j.db.Update(func(tx *bolt.Tx) error {
		rec, err := tx.Bucket(embJournal).CreateBucketIfNotExists([]byte(key))
		if err != nil {
			return err
		}
		for f, v := range fields {
			if err := rec.Put([]byte(f), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("multipart: journal put %s: %w", key, err)
	}
	return nil
}

func (j *EmbeddedJournal) Load(ctx context.Context, key string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := j.db.View(func(tx *bolt.Tx) error {
		rec := tx.Bucket(embJournal).Bucket([]byte(key))
		if rec == nil {
			return nil
		}
		return rec.ForEach(func(f, v []byte) error {
			out[string(f)] = append([]byte(nil), v...)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("multipart: journal load %s: %w", key, err)
	}
	return out, nil
}

func (j *EmbeddedJournal) Delete(ctx context.Context, key string) error {
	err := j.db.Update(func(tx *bolt.Tx) error {
		err := tx.Bucket(embJournal).DeleteBucket([]byte(key))
		if errors.Is(err, bolt.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("multipart: journal delete %s: %w", key, err)
	}
	return nil
}
