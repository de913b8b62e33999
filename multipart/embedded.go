package multipart

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// EmbeddedTracker keeps uploads in a bbolt file, durable across restarts,
// for a single gateway that has no Redis.
type EmbeddedTracker struct {
	db *bolt.DB
}

var (
	embUploads = []byte("uploads") // id → embeddedUpload
	embParts   = []byte("parts")   // id, 0, part number (4 bytes BE) → Part
	embIndex   = []byte("index")   // bucket, 0, IndexMember → nothing
	embDone    = []byte("done")    // id → embeddedDone
)

type embeddedUpload struct {
	Upload   Upload `json:"u"`
	Token    int64  `json:"tok"`
	Claimed  bool   `json:"cl"`
	Deadline int64  `json:"dl"` // claim deadline, Unix nanoseconds
	Active   int64  `json:"ac"` // last activity, Unix nanoseconds
	// Assembly is the claim's Complete in progress, if recorded.
	Assembly *Assembly `json:"asm,omitempty"`
}

type embeddedDone struct {
	Result  Result `json:"r"`
	Expires int64  `json:"x"`
}

var _ Tracker = (*EmbeddedTracker)(nil)

// OpenEmbedded opens (creating) <dataDir>/multipart.db.
func OpenEmbedded(dataDir string) (*EmbeddedTracker, error) {
	db, err := bolt.Open(filepath.Join(dataDir, "multipart.db"), 0o644, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("multipart: open tracker: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{embUploads, embParts, embIndex, embDone, embJournal} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return expireClaims(tx)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("multipart: initialise tracker: %w", err)
	}
	return &EmbeddedTracker{db: db}, nil
}

func (t *EmbeddedTracker) Close() error { return t.db.Close() }

// expireClaims ends every completion claim a previous process left behind.
// The embedded tracker lives in a data dir only one gateway can hold, so a
// claim found at open belongs to a process that is gone: waiting out its
// lease would only stall the client's retried Complete.
func expireClaims(tx *bolt.Tx) error {
	b := tx.Bucket(embUploads)
	type claimed struct {
		id []byte
		u  embeddedUpload
	}
	var stale []claimed
	err := b.ForEach(func(k, v []byte) error {
		var u embeddedUpload
		if err := json.Unmarshal(v, &u); err != nil {
			return fmt.Errorf("multipart: decode upload %s: %w", k, err)
		}
		if u.Claimed && u.Deadline != 0 {
			stale = append(stale, claimed{id: append([]byte(nil), k...), u: u})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range stale {
		c.u.Deadline = 0 // still Claimed, so the next claim is a takeover
		if err := putJSON(b, c.id, c.u); err != nil {
			return err
		}
	}
	return nil
}

func partKey(id string, n int) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(id), 0), uint32(n))
}

func indexKey(bucket, member string) []byte {
	return append(append([]byte(bucket), 0), member...)
}

func getUpload(tx *bolt.Tx, id string) (embeddedUpload, error) {
	v := tx.Bucket(embUploads).Get([]byte(id))
	if v == nil {
		return embeddedUpload{}, ErrNoSuchUpload
	}
	var u embeddedUpload
	if err := json.Unmarshal(v, &u); err != nil {
		return u, fmt.Errorf("multipart: decode upload %s: %w", id, err)
	}
	return u, nil
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, body)
}

func (t *EmbeddedTracker) Create(ctx context.Context, u Upload) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		rec := embeddedUpload{Upload: u, Active: time.Now().UnixNano()}
		if err := putJSON(tx.Bucket(embUploads), []byte(u.ID), rec); err != nil {
			return err
		}
		return tx.Bucket(embIndex).Put(indexKey(u.Bucket, IndexMember(u.Key, u.Initiated, u.ID)), nil)
	})
}

func (t *EmbeddedTracker) Get(ctx context.Context, id string) (Upload, error) {
	var u embeddedUpload
	err := t.db.View(func(tx *bolt.Tx) error {
		var err error
		u, err = getUpload(tx, id)
		return err
	})
	return u.Upload, err
}

// claimed reports whether an unexpired claim holds u.
func (u embeddedUpload) claimed(now time.Time) bool {
	return u.Claimed && u.Deadline > now.UnixNano()
}

func (t *EmbeddedTracker) PutPart(ctx context.Context, id string, p Part) (*Part, error) {
	var replaced *Part
	err := t.db.Update(func(tx *bolt.Tx) error {
		replaced = nil
		u, err := getUpload(tx, id)
		if err != nil {
			return err
		}
		if u.Claimed {
			return ErrCompleting
		}
		parts := tx.Bucket(embParts)
		k := partKey(id, p.Number)
		if v := parts.Get(k); v != nil {
			var old Part
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
			replaced = &old
		}
		u.Active = time.Now().UnixNano()
		if err := putJSON(tx.Bucket(embUploads), []byte(id), u); err != nil {
			return err
		}
		return putJSON(parts, k, p)
	})
	return replaced, err
}

func (t *EmbeddedTracker) Parts(ctx context.Context, id string, after, limit int) ([]Part, bool, error) {
	var out []Part
	more := false
	err := t.db.View(func(tx *bolt.Tx) error {
		if _, err := getUpload(tx, id); err != nil {
			return err
		}
		prefix := append([]byte(id), 0)
		c := tx.Bucket(embParts).Cursor()
		for k, v := c.Seek(partKey(id, after+1)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if limit > 0 && len(out) == limit {
				more = true
				return nil
			}
			var p Part
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, more, err
}

func (t *EmbeddedTracker) Index(ctx context.Context, bucket, start string, limit int) ([]IndexEntry, error) {
	var out []IndexEntry
	member, exclusive := parseBound(start)
	err := t.db.View(func(tx *bolt.Tx) error {
		prefix := indexKey(bucket, "")
		c := tx.Bucket(embIndex).Cursor()
		from := indexKey(bucket, member)
		for k, _ := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Next() {
			if exclusive && bytes.Equal(k, from) {
				continue
			}
			if e, ok := parseIndexMember(string(k[len(prefix):])); ok {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

func (t *EmbeddedTracker) Claim(ctx context.Context, id string, lease time.Duration) (Claim, error) {
	var c Claim
	err := t.db.Update(func(tx *bolt.Tx) error {
		u, err := getUpload(tx, id)
		if err != nil {
			return err
		}
		now := time.Now()
		if u.claimed(now) {
			return ErrCompleting
		}
		c = Claim{Token: u.Token + 1, Takeover: u.Claimed}
		if u.Claimed {
			c.Assembly = u.Assembly // kept until the upload ends or is unclaimed
		} else {
			u.Assembly = nil
		}
		u.Token, u.Claimed, u.Deadline, u.Active = c.Token, true, now.Add(lease).UnixNano(), now.UnixNano()
		return putJSON(tx.Bucket(embUploads), []byte(id), u)
	})
	return c, err
}

// withClaim runs fn on the upload if token still holds its claim.
func (t *EmbeddedTracker) withClaim(id string, token int64, fn func(tx *bolt.Tx, u *embeddedUpload) error) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		u, err := getUpload(tx, id)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrFenced, err)
		}
		if !u.Claimed || u.Token != token {
			return ErrFenced
		}
		return fn(tx, &u)
	})
}

func (t *EmbeddedTracker) Renew(ctx context.Context, id string, token int64, lease time.Duration) error {
	return t.withClaim(id, token, func(tx *bolt.Tx, u *embeddedUpload) error {
		u.Deadline = time.Now().Add(lease).UnixNano()
		return putJSON(tx.Bucket(embUploads), []byte(id), u)
	})
}

func (t *EmbeddedTracker) Unclaim(ctx context.Context, id string, token int64) error {
	return t.withClaim(id, token, func(tx *bolt.Tx, u *embeddedUpload) error {
		u.Claimed, u.Assembly = false, nil
		return putJSON(tx.Bucket(embUploads), []byte(id), u)
	})
}

func (t *EmbeddedTracker) Assemble(ctx context.Context, id string, token int64, a Assembly) error {
	return t.withClaim(id, token, func(tx *bolt.Tx, u *embeddedUpload) error {
		u.Assembly = &a
		return putJSON(tx.Bucket(embUploads), []byte(id), u)
	})
}

func (t *EmbeddedTracker) Finish(ctx context.Context, id string, token int64, r Result, keep time.Duration) error {
	return t.withClaim(id, token, func(tx *bolt.Tx, u *embeddedUpload) error {
		if _, err := deleteUpload(tx, *u); err != nil {
			return err
		}
		return putJSON(tx.Bucket(embDone), []byte(id), embeddedDone{Result: r, Expires: time.Now().Add(keep).UnixNano()})
	})
}

// deleteUpload removes an upload, its parts and its index entry, returning
// the parts.
func deleteUpload(tx *bolt.Tx, u embeddedUpload) ([]Part, error) {
	id := u.Upload.ID
	var parts []Part
	prefix := append([]byte(id), 0)
	c := tx.Bucket(embParts).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Seek(prefix) {
		var p Part
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, err
		}
		parts = append(parts, p)
		if err := c.Delete(); err != nil {
			return nil, err
		}
	}
	if err := tx.Bucket(embIndex).Delete(indexKey(u.Upload.Bucket, IndexMember(u.Upload.Key, u.Upload.Initiated, id))); err != nil {
		return nil, err
	}
	return parts, tx.Bucket(embUploads).Delete([]byte(id))
}

func (t *EmbeddedTracker) Done(ctx context.Context, id string) (Result, bool, error) {
	var d embeddedDone
	found := false
	err := t.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(embDone).Get([]byte(id))
		if v == nil {
			return nil
		}
		if err := json.Unmarshal(v, &d); err != nil {
			return err
		}
		found = d.Expires > time.Now().UnixNano()
		return nil
	})
	return d.Result, found, err
}

func (t *EmbeddedTracker) Abort(ctx context.Context, id string) ([]Part, error) {
	var parts []Part
	err := t.db.Update(func(tx *bolt.Tx) error {
		u, err := getUpload(tx, id)
		if err != nil {
			return err
		}
		if u.claimed(time.Now()) {
			return ErrCompleting
		}
		parts, err = deleteUpload(tx, u)
		return err
	})
	return parts, err
}

func (t *EmbeddedTracker) Touch(ctx context.Context, id string) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		u, err := getUpload(tx, id)
		if err != nil {
			return err
		}
		u.Active = time.Now().UnixNano()
		return putJSON(tx.Bucket(embUploads), []byte(id), u)
	})
}

func (t *EmbeddedTracker) Idle(ctx context.Context, cutoff time.Time) ([]Upload, error) {
	var out []Upload
	err := t.db.Update(func(tx *bolt.Tx) error {
		// Expired tombstones go in the same pass.
		done := tx.Bucket(embDone).Cursor()
		now := time.Now().UnixNano()
		for k, v := done.First(); k != nil; {
			var d embeddedDone
			if json.Unmarshal(v, &d) != nil || d.Expires <= now {
				if err := done.Delete(); err != nil {
					return err
				}
				k, v = done.Seek(k)
				continue
			}
			k, v = done.Next()
		}
		return tx.Bucket(embUploads).ForEach(func(_, v []byte) error {
			var u embeddedUpload
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			if u.Active < cutoff.UnixNano() {
				out = append(out, u.Upload)
			}
			return nil
		})
	})
	return out, err
}

func (t *EmbeddedTracker) Active(ctx context.Context, fn func(Upload, []Part) error) error {
	var uploads []Upload
	err := t.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(embUploads).ForEach(func(_, v []byte) error {
			var u embeddedUpload
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			uploads = append(uploads, u.Upload)
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, u := range uploads {
		parts, _, err := t.Parts(ctx, u.ID, 0, 0)
		if err != nil {
			continue // gone meanwhile
		}
		if err := fn(u, parts); err != nil {
			return err
		}
	}
	return nil
}
