// Package lease serialises writes to one name across gateway replicas that
// share a store and a Redis: a per-name lease held in Redis, whose holder
// can be fenced in the store once the lease has expired.
//
// # Why a lease alone is not enough
//
// A lease in Redis tells a replica when it may write; it cannot stop a
// replica that checked its lease and was then paused (GC, SIGSTOP, a slow
// disk) from writing after the lease has passed to someone else. TernFS has
// no create-if-absent and no compare-and-swap on a name: LinkFile replaces
// whatever file holds the name. What it does have is a fence: a transient
// file that was scrapped (or is past its deadline) can never be linked, and
// LinkFile of one fails FILE_NOT_FOUND (store.ErrNotFound). So every lease
// records its holder's transient file (ID and cookie), and a replica that
// finds an expired lease scraps that file (the fence callback) before it
// takes the lease over. The old holder's LinkFile then either happened
// before the scrap (the scrap finds a linked file, and the new holder's
// precondition check sees that object) or fails. Exactly one of them wins.
//
// # The protocol
//
// One Redis hash per name holds the holder's random token, its expiry and
// its transient. Expiry is computed from Redis's own TIME inside Lua
// scripts: no replica's clock is trusted. The holder renews every TTL/3;
// Lease.Valid reports, from the local monotonic clock only, whether the
// last successful grant or renewal was sent less than TTL−margin ago, and
// callers check it immediately before LinkFile/UnlinkFile. A renewal never
// revives an expired lease, so a takeover (compare on the old token) cannot
// race with one. Release deletes the hash only if the token still matches.
//
// Keys: names are spread over groups by hash; every key of a group carries
// the hash tag {g<n>} so each script touches one Redis Cluster slot, and
// each group has its own epoch record in its slot.
//
// # Redis losing data
//
// A lease is only as good as Redis's memory of it. The epoch record of a
// group holds the master_replid that Redis reports (INFO replication, read
// inside the script) and a grant-after time. When the record is missing
// (restart without persistence, FLUSHALL) or the replid differs (a restart,
// a Sentinel or Cluster failover to a replica that may have missed the
// latest writes), the script starts a new epoch with grant-after = now+TTL
// and grants nothing in the group before it: by then every holder from
// before the loss has seen Valid turn false (its renewals fail, the hash is
// gone or not its own). A restart with persistence also starts a new epoch
// (a new replid): one TTL of waiting, by design. So does the first use of
// each group on a fresh Redis: the first write to a group waits one TTL.
//
// While Redis is unreachable, Acquire fails with s3err.ServiceUnavailable
// (writes that need a lease are refused); reads do not use leases.
//
// # What the store layer holds leases for
//
// store/objects takes a name's lease (after its in-process lock) around
// every check-then-commit: PUT, CopyObject and CompleteMultipartUpload
// (holder: the file to be linked), a metadata replace (holder: the new
// record file, staged before the lease so that it can be fenced) and
// DeleteObject(s) and CreateBucket (no holder). Unconditional writes take it too, so that
// none lands between a conditional writer's check and its link.
//
// # Failure analysis
//
//   - Redis restarts or fails over: handled by the epoch (above); writes wait
//     at most one TTL after Redis answers again.
//   - A replica is paused while holding a lease past its expiry: the next
//     acquirer fences its transient; when it resumes, its Valid is false
//     (it aborts), or, if it was paused between Valid and the LinkFile
//     request, the LinkFile fails on the scrapped file. Its client gets
//     ConditionalRequestConflict; nothing it wrote is visible.
//   - A replica dies while holding a lease: the lease expires after TTL; the
//     next acquirer scraps the dead replica's transient (or finds it gone).
//     Keys of leases nobody takes over expire after Options.Retention.
//   - Contention: waiters poll with jittered backoff (2 ms doubling to
//     50 ms) for at most Options.MaxWait, then fail with
//     ConditionalRequestConflict, AWS's answer to a conflicting concurrent
//     write ("If a conflicting operation occurs during the upload S3 returns
//     a 409 ConditionalRequestConflict response", the SDKs' documentation of
//     PutObject/CopyObject/CompleteMultipartUpload If-None-Match).
//
// Residual windows, stated honestly:
//
//   - Redis data loss while a holder is paused between Valid and its
//     LinkFile: the new epoch's holder does not know the paused holder's
//     transient and cannot fence it. Both writes may land (the later one
//     replaces the earlier, each having checked its precondition against a
//     state the other then changed). It needs a pause longer than the
//     margin, at the exact instant of a Redis data loss.
//   - Deletes and other holders without a transient file cannot be fenced.
//     UnlinkFile only removes the exact file it judged (store.ErrStale
//     otherwise), so a paused conditional delete cannot remove a newer
//     object; but a delete paused between Valid and UnlinkFile for longer
//     than the margin can still remove the object it judged while another
//     replica's conditional write, having judged that same object, is
//     between its check and its link.
//   - Redis must not evict keys (maxmemory-policy noeviction): an evicted
//     lease is a lost fence, and the epoch cannot detect eviction.
//   - Local clocks must run at rates within the margin (TTL/4 by default) of
//     Redis's over one TTL: validity is measured locally, expiry by Redis.
package lease
