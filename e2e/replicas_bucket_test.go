package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReplicasDeleteBucketRacesPut deletes and creates a bucket again and
// again on one replica while workers on another PUT, read back and delete
// keys in it. A PUT answered 200 is an object that stays whole (body and
// ETag, from both replicas) until its own DELETE: the DeleteBucket it races
// answers BucketNotEmpty, or the PUT fails cleanly (NoSuchBucket, or a 503
// clients retry), never a 500. One window is known and tolerated only for
// a moment: a DeleteBucket that removed the metadata of an object linked
// just after its listing puts it back when the bucket proves not empty.
func TestReplicasDeleteBucketRacesPut(t *testing.T) {
	rs := startReplicaSet(t, 2, nil)
	deleter, writer := rs.gws[0], rs.gws[1]
	createBucketSDK(t, deleter.sdkClient(), "churn")
	ctx := testContext(t, 20*time.Minute)
	rounds := stormCount(t, "TERNGATE_E2E_TRIALS", 100)
	errs := &errorBudget{t: t}
	defer errs.close()
	var puts, deletes tally
	var windows atomic.Int64
	stop := make(chan struct{})
	var churn sync.WaitGroup
	churn.Add(1)
	go func() {
		defer churn.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			d := exchange(ctx, deleter, rawRequest{method: "DELETE", rawPath: "/churn"})
			deletes.add(d)
			switch {
			case d.status == http.StatusNoContent:
				if c := exchange(ctx, deleter, rawRequest{method: "PUT", rawPath: "/churn"}); !c.ok() {
					errs.errorf("CreateBucket after DeleteBucket: %s %.300s", c, c.body)
				}
			case d.status == http.StatusConflict && d.code == "BucketNotEmpty":
			default:
				errs.errorf("DeleteBucket: %s %.300s", d, d.body)
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				if i%10 == 9 {
					time.Sleep(300 * time.Millisecond) // a gap for a DeleteBucket to succeed in
				}
				key := fmt.Sprintf("dir/w%d-%d", w, i)
				body := fmt.Appendf(nil, "round %d of worker %d", i, w)
				a := putRaw(ctx, writer, "churn", key, body, nil)
				puts.add(a)
				switch {
				case a.ok():
				case a.status == http.StatusNotFound && a.code == "NoSuchBucket", unavailable(a):
					continue
				default:
					errs.errorf("PUT %s: %s %.300s", key, a, a.body)
					continue
				}
				for r, g := range rs.gws {
					got := getRaw(ctx, g, "churn", key)
					if got.ok() && string(got.body) == string(body) && got.etag != md5Hex(body) {
						// The known window: a DeleteBucket that listed the
						// bucket empty just before this PUT linked removed
						// its record, and puts it back once its own
						// RemoveDirectory fails: soon.
						windows.Add(1)
						for deadline := time.Now().Add(10 * time.Second); got.etag != md5Hex(body) && time.Now().Before(deadline); {
							time.Sleep(100 * time.Millisecond)
							got = getRaw(ctx, g, "churn", key)
						}
					}
					if !got.ok() || string(got.body) != string(body) || got.etag != md5Hex(body) {
						errs.errorf("GET %s from replica %d after its PUT answered 200: %s ETag %q %.200q, want %q ETag %q",
							key, r, got, got.etag, got.body, body, md5Hex(body))
					}
				}
				if d := exchange(ctx, writer, rawRequest{method: "DELETE", rawPath: "/churn/" + key}); d.status != http.StatusNoContent {
					errs.errorf("DELETE %s: %s %.300s", key, d, d.body)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	churn.Wait()
	t.Logf("PUTs: %s", puts.String())
	t.Logf("DeleteBuckets: %s", deletes.String())
	t.Logf("%d GETs saw a synthetic ETag until a failed DeleteBucket restored the record", windows.Load())
	logInternalErrors(t, rs.gws)
}
