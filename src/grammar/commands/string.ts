import {
  block,
  command,
  int,
  key,
  keys,
  multiple,
  oneof,
  optional,
  rules,
  str,
  tok,
  token,
  unixTime,
} from '../spec.js';

/** Redis 7.0's `string` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const STRING_COMMANDS = [
  command('APPEND', 'string', 3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), str('value')]),
  command('DECR', 'string', 2, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key()]),
  command('DECRBY', 'string', 3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), int('decrement')]),
  command('GET', 'string', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('GETDEL', 'string', 2, ['write', 'fast'], keys(1, 1, 1), [key()]),
  command('GETEX', 'string', -2, ['write', 'fast'], keys(1, 1, 1), [
    key(),
    // COMMAND DOCS says integer and unix-time, but Redis converts the amount only
    // after finding a string (`GETEX nokey EX abc` is nil): the SQL reads the bytes.
    optional(
      oneof(
        'expiration',
        tok('EX', str('seconds')),
        tok('PX', str('milliseconds')),
        tok('EXAT', str('unix-time-seconds')),
        tok('PXAT', str('unix-time-milliseconds')),
        token('persist', 'PERSIST'),
      ),
    ),
  ]),
  command('GETRANGE', 'string', 4, ['readonly'], keys(1, 1, 1), [key(), int('start'), int('end')]),
  command('GETSET', 'string', 3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), str('value')]),
  command('INCR', 'string', 2, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key()]),
  command('INCRBY', 'string', 3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), int('increment')]),
  // COMMAND DOCS says double, but Redis reads it as a long double (strtold: `1e400` is
  // fine) and only after the type check: the translator passes the bytes to SQL.
  command('INCRBYFLOAT', 'string', 3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), str('increment')]),
  // COMMAND DOCS names both LEN and MINMATCHLEN's argument `len`; ours must be unique.
  // Redis checks the keys' types before it converts MINMATCHLEN: the SQL reads the bytes.
  command('LCS', 'string', -3, ['readonly'], keys(1, 2, 1), [
    key('key1'),
    // Redis looks both keys up before it reads the options (a stray word comes after the type check).
    rules(key('key2'), {
      afterLookup: { keys: ['key1', 'key2'], types: ['string'], missing: 'skip', wrongType: 'ERR The specified keys must contain string values' },
    }),
    optional(token('len', 'LEN')),
    optional(token('idx', 'IDX')),
    // Converted as Redis' option loop meets it, after the lookup (a later stray word comes after it).
    optional(tok('MINMATCHLEN', int('min-match-len'))),
    optional(token('withmatchlen', 'WITHMATCHLEN')),
  ]),
  command('MGET', 'string', -2, ['readonly', 'fast'], keys(1, -1, 1), [multiple(key())]),
  command('MSET', 'string', -3, ['write', 'denyoom'], keys(1, -1, 2), [
    multiple(block('key_value', key(), str('value'))),
  ]),
  command('MSETNX', 'string', -3, ['write', 'denyoom'], keys(1, -1, 2), [
    multiple(block('key_value', key(), str('value'))),
  ]),
  command('PSETEX', 'string', 4, ['write', 'denyoom'], keys(1, 1, 1), [
    key(),
    int('milliseconds'),
    str('value'),
  ]),
  command('SET', 'string', -3, ['write', 'denyoom'], keys(1, 1, 1), [
    key(),
    str('value'),
    optional(oneof('condition', token('nx', 'NX'), token('xx', 'XX'))),
    optional(token('get', 'GET')),
    rules(
      optional(
        oneof(
          'expiration',
          tok('EX', int('seconds')),
          tok('PX', int('milliseconds')),
          tok('EXAT', unixTime('unix-time-seconds')),
          tok('PXAT', unixTime('unix-time-milliseconds')),
          token('keepttl', 'KEEPTTL'),
        ),
      ),
      { late: true },
    ),
  ]),
  command('SETEX', 'string', 4, ['write', 'denyoom'], keys(1, 1, 1), [key(), int('seconds'), str('value')]),
  command('SETNX', 'string', 3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), str('value')]),
  command('SETRANGE', 'string', 4, ['write', 'denyoom'], keys(1, 1, 1), [key(), int('offset'), str('value')]),
  command('STRLEN', 'string', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('SUBSTR', 'string', 4, ['readonly'], keys(1, 1, 1), [key(), int('start'), int('end')]),
] as const;
