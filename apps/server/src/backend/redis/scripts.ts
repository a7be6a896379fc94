/**
 * The Lua that makes a send one atomic step in Redis. Kept apart from the backend so the
 * script and its KEYS/ARGV contract read as one unit.
 */

/**
 * Dedupe, seq, append, publish, in one script, so no other node can interleave and the publish
 * can never be lost between the append and a crash of the sending node.
 *
 * KEYS[1] dedupe key, KEYS[2] seq counter, KEYS[3] stream
 * ARGV[1] message JSON up to and including `"seq":`, ARGV[2] the rest after the seq
 * ARGV[3] stream MAXLEN (approximate), ARGV[4] dedupe TTL in seconds
 * ARGV[5] pub/sub channel, ARGV[6] origin node id
 *
 * Returns `{1, original}` for a duplicate, `{0, message}` for a new message.
 */
export const APPEND_LUA = `
local original = redis.call('GET', KEYS[1])
if original then return {1, original} end
local seq = redis.call('INCR', KEYS[2])
local message = ARGV[1] .. string.format('%d', seq) .. ARGV[2]
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], string.format('%d', seq) .. '-0', 'm', message)
redis.call('SET', KEYS[1], message, 'EX', ARGV[4])
redis.call('PUBLISH', ARGV[5], '{"kind":"chat","origin":"' .. ARGV[6] .. '","message":' .. message .. '}')
return {0, message}
`;

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

/*
 * Memberships, per user `<p>:user:<id>:rooms` (hash room -> read marker), and per room
 * `<p>:room:<r>:memberships` (hash user id -> notification level), written together by these
 * scripts (and by a kick or ban's access step), so the second is the first the other way round:
 * its HLEN is the room's member count. A script per write, so the `maxRooms` check and the clamp
 * read the room's seq counter in the same atomic step.
 */

/**
 * KEYS[1] the user's memberships, KEYS[2] the room's seq counter, KEYS[3] the room's memberships;
 * ARGV[1] room, ARGV[2] maxRooms, ARGV[3] user id, ARGV[4] a new membership's level. A new
 * membership starts read up to the room's latest seq. Returns joined, already or too_many.
 */
export const MEMBERSHIP_JOIN_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'already' end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then return 'too_many' end
redis.call('HSET', KEYS[1], ARGV[1], redis.call('GET', KEYS[2]) or '0')
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
return 'joined'
`;

/** KEYS[1] the user's memberships, KEYS[2] the room's memberships; ARGV[1] room, ARGV[2] user id. Returns 1 when the user was a member. */
export const MEMBERSHIP_LEAVE_LUA = `
redis.call('HDEL', KEYS[2], ARGV[2])
return redis.call('HDEL', KEYS[1], ARGV[1])
`;

/**
 * KEYS[1] the user's memberships, KEYS[2] the room's memberships; ARGV[1] room, ARGV[2] user id,
 * ARGV[3] level. Returns 1 when stored, 0 when the user is not a member.
 */
export const MEMBERSHIP_NOTIFY_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
`;

/**
 * KEYS[1] the user's memberships, KEYS[2] the room's seq counter; ARGV[1] room, ARGV[2] seq.
 * Stores max(marker, min(seq, latest)); returns it, or nil when the user is not a member.
 */
export const MEMBERSHIP_MARK_READ_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return false end
local latest = tonumber(redis.call('GET', KEYS[2]) or '0')
local stored = math.max(tonumber(current), math.min(tonumber(ARGV[2]), latest))
if stored ~= tonumber(current) then redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', stored)) end
return stored
`;

/**
 * KEYS[1] the user's memberships; ARGV[1] key prefix, ARGV[2] the user's id, ARGV[3] one room or
 * "" for all, ARGV[4] the seq counts stop at or "" for none, ARGV[5] the level of a membership
 * that has none stored. Room keys are built here from the prefix (as keys.ts lays them out),
 * since which rooms are read is only known inside. Returns {room, latestSeq, readSeq, unread,
 * unreadMentions, level, ...}: unread counts the room's chats after the marker from other users
 * and not deleted, unreadMentions those of them whose state (event-scripts.ts) names the user in
 * `m` or says `mr` (`@room`); states hold only ids and numbers. Edits, deletions and reactions are
 * not chats and never count. Chats already trimmed cannot be read and do not count.
 */
export const MEMBERSHIP_LIST_LUA = `
local prefix, user, only, upTo = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local flat
if only == '' then
  flat = redis.call('HGETALL', KEYS[1])
else
  local marker = redis.call('HGET', KEYS[1], only)
  flat = {}
  if marker then flat = {only, marker} end
end
local out = {}
for i = 1, #flat, 2 do
  local room, readSeq = flat[i], tonumber(flat[i + 1])
  local base = prefix .. ':room:' .. room
  local latest = tonumber(redis.call('GET', base .. ':seq') or '0')
  local stop = '+inf'
  if upTo ~= '' then stop = upTo end
  local unread, mentions = 0, 0
  for _, seq in ipairs(redis.call('ZRANGEBYSCORE', base .. ':chatseqs', '(' .. string.format('%d', readSeq), stop)) do
    local raw = redis.call('HGET', base .. ':chats', seq)
    if raw then
      local chat = cjson.decode(raw)
      if chat.a ~= user and not chat.d then
        unread = unread + 1
        local named = chat.mr == true
        if not named and type(chat.m) == 'table' then
          for _, id in ipairs(chat.m) do
            if id == user then named = true end
          end
        end
        if named then mentions = mentions + 1 end
      end
    end
  end
  table.insert(out, room)
  table.insert(out, latest)
  table.insert(out, readSeq)
  table.insert(out, unread)
  table.insert(out, mentions)
  table.insert(out, redis.call('HGET', base .. ':memberships', user) or ARGV[5])
end
return out
`;
