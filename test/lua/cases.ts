import { readFileSync } from 'node:fs';
import { LIBRARY_CASES } from './library-cases.js';

/**
 * Command sequences with Lua scripts, each run from an empty database on
 * redis-server (record-lua.ts) and on PGlite (lua.test.ts). An argument
 * `@name.lua` is the script fixtures/lua/name.lua; `@sha:name.lua` its sha1.
 */
export const CASES: Readonly<Record<string, readonly (readonly string[])[]>> = {
  ...LIBRARY_CASES,
  'lock release deletes only our own lock': [
    ['SET', 'lock', 'tok1'],
    ['EVAL', '@lock-release.lua', '1', 'lock', 'tok2'],
    ['GET', 'lock'],
    ['EVAL', '@lock-release.lua', '1', 'lock', 'tok1'],
    ['EXISTS', 'lock'],
    ['EVAL', '@lock-release.lua', '1', 'lock', 'tok1'],
  ],
  'fixed-window rate limiter': [
    ['EVAL', '@rate-limiter.lua', '1', 'rl:user1', '3', '60000'],
    ['EVAL', '@rate-limiter.lua', '1', 'rl:user1', '3', '60000'],
    ['EVAL', '@rate-limiter.lua', '1', 'rl:user1', '3', '60000'],
    ['EVAL', '@rate-limiter.lua', '1', 'rl:user1', '3', '60000'],
    ['EVAL', '@rate-limiter.lua', '1', 'rl:user1', '3', '60000'],
    ['TTL', 'rl:user1'],
    ['EVAL', '@rate-limiter.lua', '1', 'rl:user2', '1', '60000'],
  ],
  'queue move with a lease': [
    ['RPUSH', 'pending', 'job1', 'job2', 'job:\x00\xff'],
    ['EVAL', '@queue-move.lua', '3', 'pending', 'processing', 'leases', '1700000000'],
    ['EVAL', '@queue-move.lua', '3', 'pending', 'processing', 'leases', '1700000005.5'],
    ['EVAL', '@queue-move.lua', '3', 'pending', 'processing', 'leases', '1700000010'],
    ['EVAL', '@queue-move.lua', '3', 'pending', 'processing', 'leases', '1700000020'],
    ['LRANGE', 'processing', '0', '-1'],
    ['ZRANGE', 'leases', '0', '-1', 'WITHSCORES'],
    ['EXISTS', 'pending'],
    ['SET', 'pending', 'not a list'],
    ['EVAL', '@queue-move.lua', '3', 'pending', 'processing', 'leases', '1700000030'],
  ],
  'batch set with NX and a TTL': [
    ['SET', 'b2', 'old'],
    ['EVAL', '@batch-set.lua', '3', 'b1', 'b2', 'b3', 'v1', 'v2', 'v\\3', '100'],
    ['MGET', 'b1', 'b2', 'b3'],
    ['TTL', 'b1'],
    ['TTL', 'b2'],
  ],
  'Lua language semantics': [['EVAL', '@language.lua', '0']],
  'Redis replies in Lua': [
    ['EVAL', '@replies.lua', '3', 'k1', 'k2', 'l', 'bin\x00\xff\\'],
    ['LRANGE', 'l', '0', '-1'],
  ],
  'script values as Redis replies': [
    ['EVAL', 'return 3.99', '0'],
    ['EVAL', 'return -3.99', '0'],
    ['EVAL', 'return 2^63', '0'],
    ['EVAL', 'return {1, 2, nil, 4}', '0'],
    ['EVAL', 'return {1, {2, {3, "x"}}, false, 5}', '0'],
    ['EVAL', 'return true', '0'],
    ['EVAL', 'return false', '0'],
    ['EVAL', 'return nil', '0'],
    ['EVAL', 'return', '0'],
    ['EVAL', 'local x = 1', '0'],
    ['EVAL', "return 'x' .. 1.5 .. 1e100 .. 1e-5 .. 0.0001 .. -2.5e-300 .. 2^53", '0'],
    ['EVAL', 'return {KEYS[1], ARGV[1], ARGV[2], #KEYS, #ARGV}', '1', 'k', 'a', 'b'],
    ['EVAL', 'return KEYS[2]', '1', 'k'],
    ['EVAL', "return redis.error_reply('MY failure')", '0'],
    ['EVAL', "return redis.status_reply('DONE')", '0'],
    ['EVAL', "return {err='ERR custom'}", '0'],
    ['EVAL', "return {ok='FINE'}", '0'],
  ],
  'errors escaping a script': [
    ['RPUSH', 'list', 'a'],
    ['EVAL', "redis.call('SET', KEYS[1], 'before')\nreturn redis.call('INCR', KEYS[2])", '2', 'k1', 'list'],
    ['GET', 'k1'],
    ['EVAL', "return redis.pcall('INCR', KEYS[1])", '1', 'list'],
    ['EVAL', "local e = redis.pcall('GET', KEYS[1])\nreturn e['err']", '1', 'list'],
    ['EVAL', 'return undefined_thing', '0'],
    ['EVAL', 'local t = {}\nreturn t + 1', '0'],
    ['EVAL', "local s = 'a'\nreturn s + 1", '0'],
    ['EVAL', 'return ARGV[1] + 1', '0', 'x'],
    ['EVAL', 'local t = {}\nreturn t .. "x"', '0'],
    ['EVAL', "return 1 < 'x'", '0'],
    ['EVAL', 'return {} < {}', '0'],
    ['EVAL', 'local n\nreturn #n', '0'],
    ['EVAL', "return redis.call('SET', KEYS[1], {})", '1', 'k'],
    ['EVAL', "for i = 1, 'x' do end", '0'],
    ['EVAL', "return redis.call('INCRBY', KEYS[1], ARGV[1])", '1', 'n', 'notanumber'],
    ['EVAL', "return redis.call('INCRBY', KEYS[1], ARGV[1])", '1', 'n', '41'],
    ['EVAL', "return redis.call('INCRBY', KEYS[1], 1.5)", '1', 'n'],
  ],
  'commands Redis checks when the call runs': [
    ['EVAL', "return redis.pcall('nosuch')", '0'],
    ['EVAL', "return redis.pcall('get')", '0'],
    ['EVAL', "return redis.pcall('set', 'a', 'b', 'xx', 'nx')", '0'],
    ['EVAL', "return redis.pcall('eval', 'return 1', '0')", '0'],
    ['EVAL', "redis.call('SET', 'before', '1')\nreturn redis.call('set', 'a', 'b', 'xx', 'nx')", '0'],
    ['GET', 'before'],
    ['EVAL', "local r = redis.pcall('get')\nreturn {r['err'], 'after'}", '0'],
    ['EVAL', "return redis.call('nosuch', KEYS[1])", '1', 'k'],
  ],
  'EVALSHA and the script cache': [
    ['SCRIPT', 'FLUSH'],
    ['EVALSHA', '@sha:lock-release.lua', '1', 'lock', 'x'],
    ['SCRIPT', 'LOAD', '@lock-release.lua'],
    ['SCRIPT', 'EXISTS', '@sha:lock-release.lua', 'ffffffffffffffffffffffffffffffffffffffff', 'nonsense'],
    ['SET', 'lock', 'x'],
    ['EVALSHA', '@sha:lock-release.lua', '1', 'lock', 'x'],
    ['EVAL', 'return 42', '0'],
    ['EVALSHA', '1fa00e76656cc152ad327c13fe365858fd7be306', '0'],
    ['SCRIPT', 'FLUSH'],
    ['SCRIPT', 'EXISTS', '@sha:lock-release.lua'],
    ['EVALSHA', '1fa00e76656cc152ad327c13fe365858fd7be306', '0'],
  ],
};

/** The argv of a case line: scripts read from fixtures/lua, binary escapes as latin1 bytes. */
export function argvOf(line: readonly string[], sha: (script: Buffer) => string): Buffer[] {
  return line.map((a) => {
    const file = /^@(sha:)?([\w-]+\.lua)$/.exec(a);
    if (file === null) return Buffer.from(a, 'latin1');
    const script = readFileSync(new URL(`../../fixtures/lua/${file[2] ?? ''}`, import.meta.url));
    return file[1] !== undefined ? Buffer.from(sha(script)) : script;
  });
}
