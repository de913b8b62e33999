package lease

import "github.com/redis/go-redis/v9"

// Replies of acquireScript, first element.
const (
	replyGranted = "granted"
	replyBusy    = "busy"    // live lease: {busy, ms left}
	replyExpired = "expired" // {expired, token, holder id, holder cookie}
	replyEpoch   = "epoch"   // new epoch: {epoch, ms until grants resume}
)

// serverNow is Redis's clock in milliseconds; replid is the master_replid
// the node reports, which changes on every restart and promotion.
const serverClock = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// epochCheck starts a new epoch in KEYS[2] when it is missing or Redis's
// replid changed, answering {epoch, ms until grants resume}; ARGV[2] is
// the ttl in ms.
const epochCheck = `
local info = redis.call('INFO', 'replication')
local replid = string.match(info, 'master_replid:(%w+)') or ''
local ttl = tonumber(ARGV[2])
local ep = redis.call('HMGET', KEYS[2], 'replid', 'grant')
if not ep[1] or ep[1] ~= replid then
	redis.call('HSET', KEYS[2], 'replid', replid, 'grant', now + ttl)
	return {'epoch', ttl}
end
`

// primeScript starts the epoch KEYS[2] if it needs one (KEYS[1] is unused,
// so that ARGV lines up with acquireScript's); ARGV[2] is the ttl in ms.
var primeScript = redis.NewScript(serverClock + epochCheck + `
return {'current', 0}
`)

// acquireScript grants KEYS[1] (the lease) if the epoch KEYS[2] allows it
// and the lease is free, or expired and held by ARGV[6] (the token the
// caller has fenced).
// ARGV: token, ttl ms, holder id, holder cookie, key lifetime ms, fenced token.
var acquireScript = redis.NewScript(serverClock + epochCheck + `
local grant = tonumber(ep[2])
if now < grant then
	return {'epoch', grant - now}
end
local cur = redis.call('HMGET', KEYS[1], 'tok', 'exp', 'id', 'ck')
if cur[1] then
	local exp = tonumber(cur[2])
	if exp > now then
		return {'busy', exp - now}
	end
	if cur[1] ~= ARGV[6] then
		return {'expired', cur[1], cur[3], cur[4]}
	end
end
redis.call('HSET', KEYS[1], 'tok', ARGV[1], 'exp', now + ttl, 'id', ARGV[3], 'ck', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[5]))
return {'granted'}
`)

// renewScript extends KEYS[1] if ARGV[1] still holds it and it has not
// expired: an expired lease may already be fenced and taken over.
// ARGV: token, ttl ms, key lifetime ms. Returns 1 if renewed.
var renewScript = redis.NewScript(serverClock + `
local cur = redis.call('HMGET', KEYS[1], 'tok', 'exp')
if cur[1] ~= ARGV[1] or tonumber(cur[2]) <= now then
	return 0
end
local ttl = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'exp', now + ttl)
redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[3]))
return 1
`)

// releaseScript deletes KEYS[1] if ARGV[1] holds it.
var releaseScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'tok') == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)
