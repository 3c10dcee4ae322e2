import { NO_KEYS, command, int, key, keys, multiple, multipleToken, optional, pattern, rules, str, tok } from '../spec.js';

const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

/**
 * Redis 7.0's `set` group. Arity, flags and key positions as `COMMAND INFO` gives them;
 * `rules` carry Redis' own words for a value that does not convert.
 */
export const SET_COMMANDS = [
  command('SADD', 'set', -3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), multiple(str('member'))]),
  command('SCARD', 'set', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('SDIFF', 'set', -2, ['readonly'], keys(1, -1, 1), [multiple(key())]),
  command('SDIFFSTORE', 'set', -3, ['write', 'denyoom'], keys(1, -1, 1), [key('destination'), multiple(key())]),
  command('SINTER', 'set', -2, ['readonly'], keys(1, -1, 1), [multiple(key())]),
  command('SINTERCARD', 'set', -3, ['readonly', 'movablekeys'], NO_KEYS, [
    rules(int('numkeys'), { error: 'ERR numkeys should be greater than 0' }),
    rules(multiple(key()), { error: "ERR Number of keys can't be greater than number of args" }),
    optional(tok('LIMIT', rules(int('limit'), { error: LIMIT_NEGATIVE, range: { min: 0n, error: LIMIT_NEGATIVE } }))),
  ]),
  command('SINTERSTORE', 'set', -3, ['write', 'denyoom'], keys(1, -1, 1), [key('destination'), multiple(key())]),
  command('SISMEMBER', 'set', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('member')]),
  command('SMEMBERS', 'set', 2, ['readonly'], keys(1, 1, 1), [key()]),
  command('SMISMEMBER', 'set', -3, ['readonly', 'fast'], keys(1, 1, 1), [key(), multiple(str('member'))]),
  command('SMOVE', 'set', 4, ['write', 'fast'], keys(1, 2, 1), [key('source'), key('destination'), str('member')]),
  command('SPOP', 'set', -2, ['write', 'fast'], keys(1, 1, 1), [
    key(),
    // Redis refuses extra arguments (syntax error) before it converts the count: late.
    optional(rules(int('count'), { error: 'ERR value is out of range, must be positive', late: true })),
  ]),
  command('SRANDMEMBER', 'set', -2, ['readonly'], keys(1, 1, 1), [
    key(),
    optional(rules(int('count'), { late: true })),
  ]),
  command('SREM', 'set', -3, ['write', 'fast'], keys(1, 1, 1), [key(), multiple(str('member'))]),
  command('SSCAN', 'set', -3, ['readonly'], keys(1, 1, 1), [
    key(),
    // Redis reads the cursor (strtoul: `-1`, `01`, 2^64-1 are cursors), then looks the key up
    // (a missing key scans empty whatever follows), then reads the options.
    rules(int('cursor'), {
      error: 'ERR invalid cursor',
      afterLookup: { keys: ['key'], types: ['set'], missing: 'empty-scan' },
    }),
    optional(tok('MATCH', pattern('pattern'))),
    // Redis converts each COUNT in turn as its option loop meets it (after the lookup): the first
    // bad one, or one below 1 (a syntax error), is the error, for an existing set only.
    optional(multipleToken(tok('COUNT', rules(int('count'), { range: { min: 1n, error: 'ERR syntax error' } })))),
  ]),
  command('SUNION', 'set', -2, ['readonly'], keys(1, -1, 1), [multiple(key())]),
  command('SUNIONSTORE', 'set', -3, ['write', 'denyoom'], keys(1, -1, 1), [key('destination'), multiple(key())]),
] as const;
