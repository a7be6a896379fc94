/**
 * The Lua of cluster presence (cluster-presence.ts): who is in which room on which node, names
 * unique cluster-wide, and the reaping of dead nodes, each one atomic step in Redis. Kept apart
 * from the TypeScript so each script and its ARGV contract read as one unit.
 */

/*
 * Presence keys, per room `<p>:room:<r>:`: `users` (userId -> {n name, f keys, c nodes}),
 * `names` (name key -> userId; a name has one or more keys, `nameKeys`, passed newline-joined), `members` (`<node>|<userId>` -> 1, one field per node the
 * user is on). Cluster-wide: `<p>:rooms` (zset room -> users present), `<p>:nodes` (zset
 * node -> last heartbeat, Redis time in ms), `<p>:node:<id>:rooms` (rooms a node has members in).
 * Events are JSON built by hand: cjson would encode an empty list as `{}`.
 */
const PRESENCE_PRELUDE = `
local function user(id, name) return '{"id":' .. cjson.encode(id) .. ',"name":' .. cjson.encode(name) .. '}' end
local function event(origin, joined, left, renamed)
  return '{"kind":"presence","origin":' .. cjson.encode(origin) .. ',"joined":[' .. joined .. '],"left":[' .. left .. '],"renamed":[' .. renamed .. ']}'
end
-- A name's keys (newline-joined): a name is free for a user when no other user holds any of them.
local function keysOf(joined)
  local keys = {}
  for key in string.gmatch(joined, '[^\\n]+') do keys[#keys + 1] = key end
  return keys
end
local function freeFor(base, joined, userId)
  for _, key in ipairs(keysOf(joined)) do
    local holder = redis.call('HGET', base .. ':names', key)
    if holder and holder ~= userId then return false end
  end
  return true
end
local function hold(base, joined, userId)
  for _, key in ipairs(keysOf(joined)) do redis.call('HSET', base .. ':names', key, userId) end
end
local function release(base, joined, userId)
  for _, key in ipairs(keysOf(joined)) do
    if redis.call('HGET', base .. ':names', key) == userId then redis.call('HDEL', base .. ':names', key) end
  end
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Removes (node, user); returns how many nodes the user is still on (-1: was not on this node).
local function leave(prefix, room, node, userId, origin)
  local base = prefix .. ':room:' .. room
  if redis.call('HDEL', base .. ':members', node .. '|' .. userId) == 0 then return -1 end
  local raw = redis.call('HGET', base .. ':users', userId)
  if not raw then return 0 end
  local u = cjson.decode(raw)
  u.c = u.c - 1
  if u.c > 0 then
    redis.call('HSET', base .. ':users', userId, cjson.encode(u))
    return u.c
  end
  redis.call('HDEL', base .. ':users', userId)
  release(base, u.f, userId)
  if tonumber(redis.call('ZINCRBY', prefix .. ':rooms', -1, room)) <= 0 then redis.call('ZREM', prefix .. ':rooms', room) end
  redis.call('PUBLISH', base .. ':events', event(origin, '', user(userId, u.n), ''))
  return 0
end
`;

/**
 * ARGV: prefix, room, node, userId, then name/folded pairs. Returns the user's name, or false
 * when every candidate is taken.
 */
export const PRESENCE_JOIN_LUA = `${PRESENCE_PRELUDE}
local prefix, room, node, userId = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local base = prefix .. ':room:' .. room
local field = node .. '|' .. userId
local raw = redis.call('HGET', base .. ':users', userId)
if raw then
  local u = cjson.decode(raw)
  if redis.call('HSETNX', base .. ':members', field, '1') == 1 then
    u.c = u.c + 1
    redis.call('HSET', base .. ':users', userId, cjson.encode(u))
    redis.call('SADD', prefix .. ':node:' .. node .. ':rooms', room)
  end
  return u.n
end
for i = 5, #ARGV, 2 do
  local name, folded = ARGV[i], ARGV[i + 1]
  if freeFor(base, folded, userId) then
    hold(base, folded, userId)
    redis.call('HSET', base .. ':users', userId, cjson.encode({n = name, f = folded, c = 1}))
    redis.call('HSET', base .. ':members', field, '1')
    redis.call('ZINCRBY', prefix .. ':rooms', 1, room)
    redis.call('SADD', prefix .. ':node:' .. node .. ':rooms', room)
    redis.call('PUBLISH', base .. ':events', event(node, user(userId, name), '', ''))
    return name
  end
end
return false
`;

/** ARGV: prefix, room, node, userId. Returns how many other nodes the user is still on. */
export const PRESENCE_LEAVE_LUA = `${PRESENCE_PRELUDE}
return math.max(0, leave(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[3]))
`;

/** ARGV: prefix, room, node, userId, name, folded. Returns 1 when renamed (or unchanged), 0 when taken. */
export const PRESENCE_RENAME_LUA = `${PRESENCE_PRELUDE}
local prefix, room, node, userId, name, folded = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local base = prefix .. ':room:' .. room
if not freeFor(base, folded, userId) then return 0 end
local raw = redis.call('HGET', base .. ':users', userId)
if not raw then return 1 end
local u = cjson.decode(raw)
release(base, u.f, userId)
hold(base, folded, userId)
local previous = u.n
u.n = name
u.f = folded
redis.call('HSET', base .. ':users', userId, cjson.encode(u))
if previous ~= name then
  redis.call('PUBLISH', base .. ':events', event(node, '', '', '{"user":' .. user(userId, name) .. ',"previousName":' .. cjson.encode(previous) .. '}'))
end
return 1
`;

/**
 * ARGV: prefix, node, ttlMs. Records the heartbeat (Redis time, so node clocks do not matter)
 * and returns {1 if this node had been missing, dead node ids...}.
 */
export const PRESENCE_HEARTBEAT_LUA = `${PRESENCE_PRELUDE}
local now = nowMs()
local added = redis.call('ZADD', ARGV[1] .. ':nodes', now, ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', ARGV[1] .. ':nodes', '-inf', now - tonumber(ARGV[3]))
table.insert(dead, 1, added)
return dead
`;

/**
 * ARGV: prefix, dead node, ttlMs (or "now" for a node leaving on purpose), origin. Removes every
 * member of the node, announcing those who were on no other node. Re-checks the heartbeat, so
 * of several reapers only one acts and a node that came back is left alone.
 */
export const PRESENCE_REAP_LUA = `${PRESENCE_PRELUDE}
local prefix, node, ttl, origin = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local score = redis.call('ZSCORE', prefix .. ':nodes', node)
if ttl ~= 'now' and score and tonumber(score) > nowMs() - tonumber(ttl) then return 0 end
local roomsKey = prefix .. ':node:' .. node .. ':rooms'
local mark = node .. '|'
for _, room in ipairs(redis.call('SMEMBERS', roomsKey)) do
  for _, field in ipairs(redis.call('HKEYS', prefix .. ':room:' .. room .. ':members')) do
    if string.sub(field, 1, #mark) == mark then leave(prefix, room, node, string.sub(field, #mark + 1), origin) end
  end
end
redis.call('DEL', roomsKey)
redis.call('ZREM', prefix .. ':nodes', node)
return 1
`;
