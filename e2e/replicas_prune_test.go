package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestReplicasPruneRacesPut races directory pruning on one replica against
// PUTs into the same directories on another: workers on both replicas PUT
// a key, read it back from the other replica, and delete it (the delete
// that empties a directory removes it, and the directories above). A PUT
// whose directory was pruned under it may be refused with a 503 (S3
// clients retry those), never a 500; every PUT answered 200 is readable
// from both replicas.
func TestReplicasPruneRacesPut(t *testing.T) {
	rs := startReplicaSet(t, 2, nil)
	createBucketSDK(t, rs.gws[0].sdkClient(), "prune")
	ctx := testContext(t, 20*time.Minute)
	rounds := stormCount(t, "TERNGATE_E2E_TRIALS", 100)
	const workersPerReplica = 4
	errs := &errorBudget{t: t}
	defer errs.close()
	var answers tally
	retried := 0
	var mu sync.Mutex
	// A lister on each replica walks the directories being pruned.
	stop := make(chan struct{})
	var listers sync.WaitGroup
	var lists tally
	for _, g := range rs.gws {
		listers.Add(1)
		go func() {
			defer listers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				a := exchange(ctx, g, rawRequest{method: "GET", rawPath: "/prune", rawQuery: "list-type=2&prefix=race%2F"})
				lists.add(a)
				if !a.ok() {
					errs.errorf("ListObjectsV2 prefix race/: %s %.300s", a, a.body)
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for w := range workersPerReplica * len(rs.gws) {
		g, other := rs.gws[w%2], rs.gws[(w+1)%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				key := fmt.Sprintf("race/a/b/%d/w%d", i%2, w)
				body := fmt.Appendf(nil, "round %d of worker %d", i, w)
				a := putRaw(ctx, g, "prune", key, body, nil)
				answers.add(a)
				for attempt := 0; unavailable(a) && attempt < 5; attempt++ {
					mu.Lock()
					retried++
					mu.Unlock()
					a = putRaw(ctx, g, "prune", key, body, nil)
					answers.add(a)
				}
				if !a.ok() {
					errs.errorf("worker %d round %d: PUT %s: %s %.300s", w, i, key, a, a.body)
					continue
				}
				checkReadable(ctx, errs, rs.gws, key, body)
				if d := exchange(ctx, other, rawRequest{method: "DELETE", rawPath: "/prune/" + key}); d.status != http.StatusNoContent {
					errs.errorf("worker %d round %d: DELETE %s: %s %.300s", w, i, key, d, d.body)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	listers.Wait()
	t.Logf("listings answered %s", lists.String())
	t.Logf("%d rounds of %d workers: PUTs answered %s (%d retried after a 503)", rounds, workersPerReplica*len(rs.gws), answers.String(), retried)
	logInternalErrors(t, rs.gws)
}

// checkReadable GETs key from every replica: it must be body.
func checkReadable(ctx context.Context, errs *errorBudget, gws []*gateway, key string, body []byte) {
	for r, g := range gws {
		if a := getRaw(ctx, g, "prune", key); !a.ok() || string(a.body) != string(body) {
			errs.errorf("GET %s from replica %d after its PUT answered 200: %s %.200q, want %q", key, r, a, a.body, body)
		}
	}
}
