/**
 * The Lua of a room's access state (keys.ts `access`). The rules stay in JavaScript
 * (access-rules.ts, access-ops.ts): a node decides on a snapshot of the room's state, and the
 * script that applies the decision first proves the snapshot current by its version, in the same
 * atomic step that assigns the seq. A stale snapshot answers `stale` and the node decides again
 * on a fresh one, so no decision is ever applied to a state it was not made on. Values are JSON
 * JavaScript wrote; Lua never decodes them (names may hold escapes cjson refuses).
 */

/**
 * KEYS[1] version, KEYS[2] seq counter, KEYS[3] cluster presence's users of the room.
 * ARGV[1] the kind hash prefix, ARGV[2..] the kinds.
 * Returns {version, latest seq, present users, then per kind: its HGETALL as a flat list}.
 */
export const READ_ACCESS_LUA = `
local out = {tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HLEN', KEYS[3])}
for i = 2, #ARGV do out[#out + 1] = redis.call('HGETALL', ARGV[1] .. ARGV[i]) end
return out
`;

/**
 * One access step: dedupe, the version check, the moderation events (each with the next seq,
 * stored and published like APPEND_LUA's), the writes, the version bump.
 * KEYS[1] dedupe key, KEYS[2] seq counter, KEYS[3] eventlog, KEYS[4] version, KEYS[5] the room's
 * present users (cluster presence). ARGV[1] the version decided on, or that number followed by
 * "!" when the decision rests on the room not existing (no events, no one present: chats and
 * presence do not bump the version, so the script checks them itself), ARGV[2] "1" to dedupe, ARGV[3] dedupe TTL in seconds,
 * ARGV[4] now, ARGV[5] the room as JSON, ARGV[6] pub/sub channel, ARGV[7] origin node id as JSON,
 * ARGV[8] n events, then n pairs (the event's JSON up to and including "seq":, the rest), then
 * quadruples (op "hset" or "hdel", key, field, value; "hsetq"/"hdelq" write without bumping the
 * version: see QUIET_KINDS in access-state.ts).
 * Returns {"stale"}, {"dup", sent} or {"ok", sent, published...}; `sent` as APPEND_LUA's.
 */
export const ACCESS_LUA = `
local dedupe = ARGV[2] == '1'
if dedupe then
  local original = redis.call('GET', KEYS[1])
  if original then return {'dup', original} end
end
local decided, fresh = string.match(ARGV[1], '^(%d+)(!?)$')
if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(decided) then return {'stale'} end
if fresh == '!' and (redis.call('EXISTS', KEYS[2]) == 1 or redis.call('HLEN', KEYS[5]) > 0) then return {'stale'} end
local n = tonumber(ARGV[8])
local out = {'ok', ''}
for i = 0, n - 1 do
  local s = string.format('%d', redis.call('INCR', KEYS[2]))
  local event = ARGV[9 + 2 * i] .. s .. ARGV[10 + 2 * i]
  redis.call('HSET', KEYS[3], s, event)
  local published = '{"kind":"stored","origin":' .. ARGV[7] .. ',"event":' .. event .. '}'
  redis.call('PUBLISH', ARGV[6], published)
  out[#out + 1] = published
end
local first = 9 + 2 * n
local bump = false
for i = first, #ARGV, 4 do
  local op = ARGV[i]
  if op == 'hset' or op == 'hsetq' then redis.call('HSET', ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
  else redis.call('HDEL', ARGV[i + 1], ARGV[i + 2]) end
  if op == 'hset' or op == 'hdel' then bump = true end
end
if bump then redis.call('INCR', KEYS[4]) end
local latest = string.format('%d', tonumber(redis.call('GET', KEYS[2]) or '0'))
local stored = 'false'
if n > 0 then stored = 'true' end
out[2] = '{"room":' .. ARGV[5] .. ',"seq":' .. latest .. ',"ts":' .. ARGV[4] .. ',"stored":' .. stored .. '}'
if dedupe then redis.call('SET', KEYS[1], out[2], 'EX', ARGV[3]) end
return out
`;
