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
