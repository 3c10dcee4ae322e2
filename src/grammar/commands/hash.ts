import { block, command, int, key, keys, multiple, multipleToken, optional, pattern, rules, str, tok, token } from '../spec.js';

/** Redis 7.0's `hash` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const HASH_COMMANDS = [
  command('HDEL', 'hash', -3, ['write', 'fast'], keys(1, 1, 1), [key(), multiple(str('field'))]),
  command('HEXISTS', 'hash', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('field')]),
  command('HGET', 'hash', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('field')]),
  command('HGETALL', 'hash', 2, ['readonly'], keys(1, 1, 1), [key()]),
  command('HINCRBY', 'hash', 4, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), str('field'), int('increment')]),
  command('HINCRBYFLOAT', 'hash', 4, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    str('field'),
    // COMMAND DOCS says double, but Redis reads it as a long double (strtold: `1e400` is
    // fine, `inf` is its own error): the translator passes the bytes to SQL.
    str('increment'),
  ]),
  command('HKEYS', 'hash', 2, ['readonly'], keys(1, 1, 1), [key()]),
  command('HLEN', 'hash', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('HMGET', 'hash', -3, ['readonly', 'fast'], keys(1, 1, 1), [key(), multiple(str('field'))]),
  command('HMSET', 'hash', -4, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    multiple(block('field_value', str('field'), str('value'))),
  ]),
  command('HRANDFIELD', 'hash', -2, ['readonly'], keys(1, 1, 1), [
    key(),
    // After the count Redis counts the words: a fifth is a syntax error, before the key is looked up.
    rules(optional(block('options', int('count'), optional(token('withvalues', 'WITHVALUES')))), {
      verify: (_, words) => (words > 4 ? 'ERR syntax error' : undefined),
    }),
  ]),
  command('HSCAN', 'hash', -3, ['readonly'], keys(1, 1, 1), [
    key(),
    // Redis reads the cursor (strtoul: `-1`, `01`, 2^64-1 are cursors), then looks the key up
    // (a missing key scans empty whatever follows), then reads the options.
    rules(int('cursor'), {
      error: 'ERR invalid cursor',
      afterLookup: { keys: ['key'], types: ['hash'], missing: 'empty-scan' },
    }),
    optional(tok('MATCH', pattern('pattern'))),
    // Redis converts each COUNT in turn as its option loop meets it (after the lookup): the first
    // bad one, or one below 1 (a syntax error), is the error, for an existing hash only.
    optional(multipleToken(tok('COUNT', rules(int('count'), { range: { min: 1n, error: 'ERR syntax error' } })))),
  ]),
  command('HSET', 'hash', -4, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    multiple(block('field_value', str('field'), str('value'))),
  ]),
  command('HSETNX', 'hash', 4, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), str('field'), str('value')]),
  command('HSTRLEN', 'hash', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('field')]),
  command('HVALS', 'hash', 2, ['readonly'], keys(1, 1, 1), [key()]),
] as const;
