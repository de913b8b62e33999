package multipart

import (
	"bytes"
	"maps"
	"testing"

	"github.com/terngate/terngate/store/ternfs"
)

// The trackers' journals are what the TernFS store keeps span proofs in.
var (
	_ ternfs.Journal = (*RedisJournal)(nil)
	_ ternfs.Journal = (*EmbeddedJournal)(nil)
)

// testJournalContract checks a journal against the reference behaviour of
// ternfs.MemoryJournal, step by step.
func testJournalContract(t *testing.T, j ternfs.Journal) {
	ctx := t.Context()
	ref := ternfs.NewMemoryJournal()
	key := "journal-contract-" + t.Name()
	steps := []struct {
		op     string
		fields map[string][]byte
	}{
		{"put", map[string][]byte{"000000": []byte("constructed")}},
		{"put", map[string][]byte{"000001": []byte("inline tail \x00\xff")}},
		{"put", map[string][]byte{"000000": []byte("written with proofs")}},
		{"put", map[string][]byte{"000001": []byte("replaced"), "000002": []byte("added"), "c:1": {}}},
		{"delete", nil},
		{"put", map[string][]byte{"000000": []byte("again")}},
		{"put", map[string][]byte{"000002": {}}},
	}
	for i, st := range steps {
		for _, jj := range []ternfs.Journal{j, ref} {
			var err error
			if st.op == "put" {
				err = jj.Put(ctx, key, st.fields)
			} else {
				err = jj.Delete(ctx, key)
			}
			if err != nil {
				t.Fatalf("step %d %s: %v", i, st.op, err)
			}
		}
		got, err := j.Load(ctx, key)
		if err != nil {
			t.Fatalf("step %d load: %v", i, err)
		}
		want, _ := ref.Load(ctx, key)
		if !maps.EqualFunc(got, want, bytes.Equal) {
			t.Fatalf("after step %d (%s %q): got %q, want %q", i, st.op, st.fields, got, want)
		}
	}
	if err := j.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if got, err := j.Load(ctx, "journal-never-written"); err != nil || len(got) != 0 {
		t.Fatalf("load of an unknown record: %q, %v", got, err)
	}
	if err := j.Delete(ctx, "journal-never-written"); err != nil {
		t.Fatalf("delete of an unknown record: %v", err)
	}
}

// A record of a part whose writer died must not live for ever in Redis.
func testRedisJournalExpires(t *testing.T, tr *RedisTracker) {
	ctx := t.Context()
	j := tr.Journal()
	if err := j.Put(ctx, "journal-ttl", map[string][]byte{"000000": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	ttl, err := tr.Client().PTTL(ctx, journalKey("journal-ttl")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > journalTTL {
		t.Fatalf("journal record TTL %v, want within (0, %v]", ttl, journalTTL)
	}
}
