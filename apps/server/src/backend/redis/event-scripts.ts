/**
 * The Lua of a room's history. Each change is one script: dedupe, the checks, the seq, the
 * writes, the trim and the publish in one atomic step, so no other node can interleave and the
 * fan-out can never be lost between the write and a crash of the sending node. The rules are
 * change-rules.ts's, in Lua; the backend contract suite holds both to the same cases.
 *
 * Layout per room (keys.ts `history`): `eventlog` seq -> the event's JSON without any text;
 * `texts` seq -> a chat's current text or an edit's text, as the JSON string literal JavaScript
 * wrote; `chats` seq -> a chat's state `{a author id, t ts, r rev, e edited ts, d seq of its
 * delete, p seq it replies to, v seqs of its edits, x reactions [{e emoji, c count, u user ids}]}`;
 * `chatseqs` the chats' seqs; `floor` the oldest seq kept; `reactors:<seq>` `emoji\nuser id` -> 1;
 * `mentions` seq -> a chat's current mention fields or an edit's own, as the JSON fragment
 * JavaScript wrote (`"mentions":[...],"mentionsRoom":true`, the fields there are), while the chat
 * state keeps what unread counting needs: `m` the mentioned user ids, `mr` true for `@room`.
 *
 * Texts and names are never decoded here: Lua's cjson refuses escapes JavaScript allows (a lone
 * surrogate), so they travel as JSON fragments that Lua only concatenates. What Lua decodes
 * (chat states) holds server-made ids, numbers and emoji alone. Deleted means gone: a delete
 * removes the chat's text and its edits' texts from `texts`, its reactors and its reply link.
 */

/**
 * KEYS[1] dedupe key, KEYS[2] seq counter, KEYS[3] eventlog, KEYS[4] texts, KEYS[5] chats,
 * KEYS[6] chatseqs, KEYS[7] floor.
 * ARGV[1] kind (chat, edit, delete, react), ARGV[2] the target's seq (a chat's replyTo) or "",
 * ARGV[3] sender id, ARGV[4] now, ARGV[5] the event's JSON up to and including `"seq":`,
 * ARGV[6] the rest after the seq, ARGV[7] the text as a JSON string literal or "",
 * ARGV[8] edit window in ms or "", ARGV[9] emoji, ARGV[10] on ("1" or "0"),
 * ARGV[11] most distinct emoji, ARGV[12] users listed per emoji, ARGV[13] most events kept,
 * ARGV[14] dedupe TTL in seconds, ARGV[15] pub/sub channel, ARGV[16] origin node id as JSON,
 * ARGV[17] the reactors key prefix, ARGV[18] the room as JSON.
 * [4/6] access (access-scripts.ts): KEYS[8] the room's access version, ARGV[19] the version the
 * node's gate decided on (another: {"stale"}, decide again), ARGV[20] slow mode interval in ms
 * ("0": off), ARGV[21] "1" when the actor is exempt (staff), ARGV[22] the room's lastchat hash,
 * ARGV[23] "staff" when the actor may delete others' chats.
 * [5/6] mentions: KEYS[9] the mentions hash, ARGV[24] the chat's or edit's mention fields as a
 * JSON fragment or "", ARGV[25] n, how many users it mentions, ARGV[26] "1" for a counting
 * `@room`, ARGV[27..26+n] their ids (raw: ids are never decoded from JSON here), then the authors
 * the actor may not delete the chats of (a higher stored rank).
 *
 * Returns {"refused", code, reason[, retryAfterMs]}, {"stale"}, {"dup", sent}, {"noop", sent} or {"ok", sent, published},
 * where `sent` is what the dedupe key remembers, `{"room","seq","ts","stored"}`.
 */
export const APPEND_LUA = `
local kind, ref, user, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local function sent(seq, stored)
  return '{"room":' .. ARGV[18] .. ',"seq":' .. string.format('%d', seq) .. ',"ts":' .. ARGV[4] .. ',"stored":' .. stored .. '}'
end
local function remember(value)
  redis.call('SET', KEYS[1], value, 'EX', ARGV[14])
  return value
end

local original = redis.call('GET', KEYS[1])
if original then return {'dup', original} end
if tonumber(redis.call('GET', KEYS[8]) or '0') ~= tonumber(ARGV[19]) then return {'stale'} end
local slow = tonumber(ARGV[20])
if kind == 'chat' and slow > 0 and ARGV[21] ~= '1' then
  local last = redis.call('HGET', ARGV[22], user)
  if last and now - tonumber(last) < slow then return {'refused', 'slow_mode', 'slowMode', tonumber(last) + slow - now} end
end

local target
if ref ~= '' then
  local raw = redis.call('HGET', KEYS[5], ref)
  if not raw then return {'refused', 'not_found', 'notFound'} end
  target = cjson.decode(raw)
  if target.d then return {'refused', 'gone', 'gone'} end
  if kind == 'edit' or kind == 'delete' then
    if target.a ~= user then
      if kind == 'edit' then return {'refused', 'forbidden', 'notAuthor'} end
      if ARGV[23] ~= 'staff' then return {'refused', 'forbidden', 'notAuthorOrStaff'} end
      for i = 27 + tonumber(ARGV[25]), #ARGV do
        if ARGV[i] == target.a then return {'refused', 'forbidden', 'notAuthorOrStaff'} end
      end
    end
    if kind == 'edit' and ARGV[8] ~= '' and now - target.t > tonumber(ARGV[8]) then
      return {'refused', 'forbidden', 'windowPassed'}
    end
  end
end

if kind == 'react' then
  local reactors = ARGV[17] .. ref
  local field = ARGV[9] .. '\\n' .. user
  local on = ARGV[10] == '1'
  if on == (redis.call('HEXISTS', reactors, field) == 1) then
    -- Changes nothing: not an event, but remembered, and acked with the latest seq.
    return {'noop', remember(sent(tonumber(redis.call('GET', KEYS[2])), 'false'))}
  end
  local list = target.x or {}
  local index
  for i, entry in ipairs(list) do
    if entry.e == ARGV[9] then index = i end
  end
  if on then
    if not index then
      if #list >= tonumber(ARGV[11]) then return {'refused', 'forbidden', 'tooManyEmoji'} end
      table.insert(list, {e = ARGV[9], c = 0, u = {}})
      index = #list
    end
    local entry = list[index]
    entry.c = entry.c + 1
    if #entry.u < tonumber(ARGV[12]) then table.insert(entry.u, user) end
    redis.call('HSET', reactors, field, '1')
  else
    local entry = list[index]
    entry.c = entry.c - 1
    for i, id in ipairs(entry.u) do
      if id == user then
        table.remove(entry.u, i)
        break
      end
    end
    if entry.c <= 0 then table.remove(list, index) end
    redis.call('HDEL', reactors, field)
  end
  if #list > 0 then target.x = list else target.x = nil end
end

local seq = redis.call('INCR', KEYS[2])
local s = string.format('%d', seq)
redis.call('HSET', KEYS[3], s, ARGV[5] .. s .. ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[4], s, ARGV[7]) end
local function mentioned(state)
  state.m, state.mr = nil, nil
  local n = tonumber(ARGV[25])
  if n > 0 then
    state.m = {}
    for i = 27, 26 + n do table.insert(state.m, ARGV[i]) end
  end
  if ARGV[26] == '1' then state.mr = true end
end
if kind == 'chat' then
  local state = {a = user, t = now, r = seq}
  if ref ~= '' then state.p = tonumber(ref) end
  mentioned(state)
  if ARGV[24] ~= '' then redis.call('HSET', KEYS[9], s, ARGV[24]) end
  redis.call('HSET', KEYS[5], s, cjson.encode(state))
  redis.call('ZADD', KEYS[6], seq, s)
  if slow > 0 then redis.call('HSET', ARGV[22], user, ARGV[4]) end
else
  target.r = seq
  if kind == 'edit' then
    target.e = now
    target.v = target.v or {}
    table.insert(target.v, seq)
    redis.call('HSET', KEYS[4], ref, ARGV[7])
    mentioned(target)
    if ARGV[24] ~= '' then
      redis.call('HSET', KEYS[9], s, ARGV[24])
      redis.call('HSET', KEYS[9], ref, ARGV[24])
    else
      redis.call('HDEL', KEYS[9], ref)
    end
  elseif kind == 'delete' then
    for _, edit in ipairs(target.v or {}) do
      redis.call('HDEL', KEYS[4], string.format('%d', edit))
      redis.call('HDEL', KEYS[9], string.format('%d', edit))
    end
    redis.call('HDEL', KEYS[4], ref)
    redis.call('HDEL', KEYS[9], ref)
    redis.call('DEL', ARGV[17] .. ref)
    target.v, target.x, target.p, target.d, target.m, target.mr = nil, nil, nil, seq, nil, nil
  end
  redis.call('HSET', KEYS[5], ref, cjson.encode(target))
end

-- Built before the trim, which may take the replied-to chat with it.
local text = ''
if ARGV[7] ~= '' then text = ',"text":' .. ARGV[7] end
if ARGV[24] ~= '' then text = text .. ',' .. ARGV[24] end
local published = '{"kind":"stored","origin":' .. ARGV[16] .. ',"event":' .. ARGV[5] .. s .. text .. ARGV[6]
if kind == 'chat' and ref ~= '' then
  published = published .. ',"quoted":{"seq":' .. ref .. ',"chat":' .. redis.call('HGET', KEYS[3], ref)
    .. ',"text":' .. redis.call('HGET', KEYS[4], ref) .. '}'
end
published = published .. '}'

-- Keep the newest ARGV[13] events: trim from the floor, a bounded number per append.
local floor = tonumber(redis.call('GET', KEYS[7]) or '1')
local stop = math.min(seq - tonumber(ARGV[13]), floor + 99)
if stop >= floor then
  for old = floor, stop do
    local o = string.format('%d', old)
    redis.call('HDEL', KEYS[3], o)
    redis.call('HDEL', KEYS[4], o)
    redis.call('HDEL', KEYS[5], o)
    redis.call('HDEL', KEYS[9], o)
    redis.call('ZREM', KEYS[6], o)
    redis.call('DEL', ARGV[17] .. o)
  end
  redis.call('SET', KEYS[7], string.format('%d', stop + 1))
end

redis.call('PUBLISH', ARGV[15], published)
return {'ok', remember(sent(seq, 'true')), published}
`;

/**
 * Reads events with what it takes to show them as they stand, in one atomic step.
 * KEYS[1] eventlog, KEYS[2] texts, KEYS[3] chats, KEYS[4] chatseqs, KEYS[5] floor, KEYS[6] seq counter,
 * KEYS[7] mentions. ARGV[1] what to read:
 * - "newest", after, upTo, limit: the newest `limit` seqs of `after < seq <= min(upTo, latest)`;
 * - "oldest", after, upTo, limit: the oldest `limit` seqs of the same range;
 * - "chats", below, limit: the newest `limit` chats with `seq < below`, newest first;
 * - "chatsafter", after, upTo, limit: the oldest `limit` chats with `after < seq <= upTo`, oldest first;
 * - "seqs", seq...: those seqs.
 *
 * Returns {floor, latest, first, last, n, seq, log, text, state, mentions, ...}: `first` and `last` bound
 * the range read ("newest" and "oldest"); the first n quintuples are the events read that are
 * still kept, in order; the rest are what they refer to (a deleted chat's delete event, a
 * reply's target). Missing parts are nil.
 */
export const READ_LUA = `
local mode = ARGV[1]
local latest = tonumber(redis.call('GET', KEYS[6]) or '0')
local seqs, first, last = {}, 0, 0
if mode == 'chats' then
  seqs = redis.call('ZREVRANGEBYSCORE', KEYS[4], '(' .. ARGV[2], '-inf', 'LIMIT', 0, tonumber(ARGV[3]))
elseif mode == 'chatsafter' then
  seqs = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. ARGV[2], ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
elseif mode == 'seqs' then
  for i = 2, #ARGV do seqs[#seqs + 1] = ARGV[i] end
else
  local after, upTo, limit = tonumber(ARGV[2]), math.min(tonumber(ARGV[3]), latest), tonumber(ARGV[4])
  if mode == 'newest' then
    first, last = math.max(after + 1, upTo - limit + 1), upTo
  else
    first, last = after + 1, math.min(upTo, after + limit)
  end
  for seq = first, last do seqs[#seqs + 1] = string.format('%d', seq) end
end
local out = {redis.call('GET', KEYS[5]) or '1', latest, first, last, 0}
local seen, refs = {}, {}
local function emit(s)
  local log = redis.call('HGET', KEYS[1], s)
  if not log then return nil end
  local state = redis.call('HGET', KEYS[3], s)
  table.insert(out, s)
  table.insert(out, log)
  table.insert(out, redis.call('HGET', KEYS[2], s))
  table.insert(out, state)
  table.insert(out, redis.call('HGET', KEYS[7], s))
  seen[s] = true
  return state
end
for _, s in ipairs(seqs) do
  local state = emit(s)
  if state ~= nil then
    out[5] = out[5] + 1
    if state then
      local chat = cjson.decode(state)
      if chat.d then table.insert(refs, string.format('%d', chat.d)) end
      if chat.p then table.insert(refs, string.format('%d', chat.p)) end
    end
  end
end
for _, s in ipairs(refs) do
  if not seen[s] then emit(s) end
end
return out
`;
