import {
  NO_KEYS,
  block,
  command,
  dbl,
  int,
  key,
  keys,
  multiple,
  multipleToken,
  oneof,
  optional,
  pattern,
  rules,
  str,
  tok,
  token,
} from '../spec.js';

// Redis' own words for a value that does not convert, where they are not the generic ones.
const timeout = rules(dbl('timeout'), { error: 'ERR timeout is not a float or out of range' });
const numkeys = rules(int('numkeys'), { error: 'ERR numkeys should be greater than 0' });
// A second COUNT is refused before its value is read (`LMPOP 1 l LEFT COUNT 1 COUNT 0`).
const SYNTAX_ERROR = 'ERR syntax error';
/** ZUNION's and its kin's numkeys: below 1 has the command's own words, a non-integer the generic ones. */
const inputKeys = (command: string) =>
  rules(int('numkeys'), { countError: `ERR at least 1 input key is needed for '${command}' command` });
const mpopCount = rules(int('count'), {
  error: 'ERR count should be greater than 0',
  range: { min: 1n, error: 'ERR count should be greater than 0' },
});
// BLMPOP and BZMPOP read their timeout last, after numkeys, the keys, the direction and COUNT.
const lastTimeout = rules(timeout, { late: true });
// ZPOPMIN/ZPOPMAX refuse a third argument (syntax error) before they convert the count: late.
const popCount = rules(int('count'), { error: 'ERR value is out of range, must be positive', late: true });
// One weight per input key: fewer words left make WEIGHTS a syntax error, a word too many is one.
const weights = optional(
  rules(multiple(tok('WEIGHTS', rules(dbl('weight'), { error: 'ERR weight value is not a float' }))), { countedBy: 'numkeys' }),
);
/**
 * ZUNION and its kin look every input key up (a set counts as scores of 1)
 * before they read the options: their errors come after WRONGTYPE.
 */
const inputs = rules(multiple(key()), { afterLookup: { keys: ['key'], types: ['set', 'zset'], missing: 'skip' } });
const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
// ZRANGE and ZRANGESTORE refuse BYSCORE/BYLEX or REV given twice (`ERR syntax error`).
const sortby = optional(rules(oneof('sortby', token('byscore', 'BYSCORE'), token('bylex', 'BYLEX')), { once: true }));
const rev = optional(rules(token('rev', 'REV'), { once: true }));

/**
 * Redis 7.0's `sorted_set` group. Arity, flags and key positions as `COMMAND INFO` gives them.
 *
 * Where 7.0's `COMMAND DOCS` misnames a kind, the entry follows what the server
 * accepts (test/live/command-table.live.test.ts lists each such difference):
 * - score bounds (ZCOUNT, Z[REV]RANGEBYSCORE, ZREMRANGEBYSCORE `min`/`max`) are
 *   `string`: they take `(1`, `-inf`, `+inf`, and a bad one is
 *   `ERR min or max is not a float`, so the translator reads them;
 * - ZINCRBY's `increment` and the `WEIGHTS` are doubles (`ZINCRBY z 1.5 m`),
 *   though the docs say integer;
 */
export const SORTED_SET_COMMANDS = [
  command('BZMPOP', 'sorted_set', -5, ['write', 'blocking', 'movablekeys'], NO_KEYS, [
    lastTimeout,
    numkeys,
    multiple(key()),
    oneof('where', token('min', 'MIN'), token('max', 'MAX')),
    optional(rules(tok('COUNT', mpopCount), { once: SYNTAX_ERROR })),
  ]),
  command('BZPOPMAX', 'sorted_set', -3, ['write', 'noscript', 'blocking', 'fast'], keys(1, -2, 1), [
    multiple(key()),
    timeout,
  ]),
  command('BZPOPMIN', 'sorted_set', -3, ['write', 'noscript', 'blocking', 'fast'], keys(1, -2, 1), [
    multiple(key()),
    timeout,
  ]),
  command('ZADD', 'sorted_set', -4, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    // NX, XX, GT, LT as independent flags: Redis reads every flag, then
    // checks the pairs (`ZADD z NX XX 1 a 2` is a syntax error), then the
    // conflicts and INCR's single pair, and only then reads the scores. So
    // the translator makes those checks, and converts the scores (`string`).
    optional(token('nx', 'NX')),
    optional(token('xx', 'XX')),
    optional(token('gt', 'GT')),
    optional(token('lt', 'LT')),
    optional(token('change', 'CH')),
    optional(token('increment', 'INCR')),
    // Pairs cut short are a syntax error here, not the arity error.
    multiple(rules(block('score_member', str('score'), str('member')), { error: 'ERR syntax error' })),
  ]),
  command('ZCARD', 'sorted_set', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('ZCOUNT', 'sorted_set', 4, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('min'), str('max')]),
  command('ZDIFF', 'sorted_set', -3, ['readonly', 'movablekeys'], NO_KEYS, [
    inputKeys('zdiff'),
    inputs,
    optional(token('withscores', 'WITHSCORES')),
  ]),
  command('ZDIFFSTORE', 'sorted_set', -4, ['write', 'denyoom', 'movablekeys'], keys(1, 1, 1), [
    key('destination'),
    inputKeys('zdiffstore'),
    inputs,
  ]),
  command('ZINCRBY', 'sorted_set', 4, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    dbl('increment'),
    str('member'),
  ]),
  command('ZINTER', 'sorted_set', -3, ['readonly', 'movablekeys'], NO_KEYS, [
    inputKeys('zinter'),
    inputs,
    weights,
    optional(tok('AGGREGATE', oneof('aggregate', token('sum', 'SUM'), token('min', 'MIN'), token('max', 'MAX')))),
    optional(token('withscores', 'WITHSCORES')),
  ]),
  command('ZINTERCARD', 'sorted_set', -3, ['readonly', 'movablekeys'], NO_KEYS, [
    inputKeys('zintercard'),
    inputs,
    optional(tok('LIMIT', rules(int('limit'), { error: LIMIT_NEGATIVE, range: { min: 0n, error: LIMIT_NEGATIVE } }))),
  ]),
  command('ZINTERSTORE', 'sorted_set', -4, ['write', 'denyoom', 'movablekeys'], keys(1, 1, 1), [
    key('destination'),
    inputKeys('zinterstore'),
    inputs,
    weights,
    optional(tok('AGGREGATE', oneof('aggregate', token('sum', 'SUM'), token('min', 'MIN'), token('max', 'MAX')))),
  ]),
  command('ZLEXCOUNT', 'sorted_set', 4, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('min'), str('max')]),
  command('ZMPOP', 'sorted_set', -4, ['write', 'movablekeys'], NO_KEYS, [
    numkeys,
    multiple(key()),
    oneof('where', token('min', 'MIN'), token('max', 'MAX')),
    optional(rules(tok('COUNT', mpopCount), { once: SYNTAX_ERROR })),
  ]),
  command('ZMSCORE', 'sorted_set', -3, ['readonly', 'fast'], keys(1, 1, 1), [key(), multiple(str('member'))]),
  command('ZPOPMAX', 'sorted_set', -2, ['write', 'fast'], keys(1, 1, 1), [key(), optional(popCount)]),
  command('ZPOPMIN', 'sorted_set', -2, ['write', 'fast'], keys(1, 1, 1), [key(), optional(popCount)]),
  command('ZRANDMEMBER', 'sorted_set', -2, ['readonly'], keys(1, 1, 1), [
    key(),
    // After the count Redis counts the words: a fifth is a syntax error, before the key is looked up.
    rules(optional(block('options', int('count'), optional(token('withscores', 'WITHSCORES')))), {
      verify: (_, words) => (words > 4 ? 'ERR syntax error' : undefined),
    }),
  ]),
  command('ZRANGE', 'sorted_set', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    str('start'),
    str('stop'),
    sortby,
    rev,
    optional(tok('LIMIT', block('offset_count', int('offset'), int('count')))),
    optional(token('withscores', 'WITHSCORES')),
  ]),
  command('ZRANGEBYLEX', 'sorted_set', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    str('min'),
    str('max'),
    optional(tok('LIMIT', block('offset_count', int('offset'), int('count')))),
  ]),
  command('ZRANGEBYSCORE', 'sorted_set', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    str('min'),
    str('max'),
    optional(token('withscores', 'WITHSCORES')),
    optional(tok('LIMIT', block('offset_count', int('offset'), int('count')))),
  ]),
  command('ZRANGESTORE', 'sorted_set', -5, ['write', 'denyoom'], keys(1, 2, 1), [
    key('dst'),
    key('src'),
    str('min'),
    str('max'),
    sortby,
    rev,
    optional(tok('LIMIT', block('offset_count', int('offset'), int('count')))),
  ]),
  command('ZRANK', 'sorted_set', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('member')]),
  command('ZREM', 'sorted_set', -3, ['write', 'fast'], keys(1, 1, 1), [key(), multiple(str('member'))]),
  command('ZREMRANGEBYLEX', 'sorted_set', 4, ['write'], keys(1, 1, 1), [key(), str('min'), str('max')]),
  command('ZREMRANGEBYRANK', 'sorted_set', 4, ['write'], keys(1, 1, 1), [key(), int('start'), int('stop')]),
  command('ZREMRANGEBYSCORE', 'sorted_set', 4, ['write'], keys(1, 1, 1), [key(), str('min'), str('max')]),
  command('ZREVRANGE', 'sorted_set', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    // Redis reads the options (a stray word is a syntax error) before the indexes.
    rules(int('start'), { late: true }),
    rules(int('stop'), { late: true }),
    optional(token('withscores', 'WITHSCORES')),
  ]),
  command('ZREVRANGEBYLEX', 'sorted_set', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    str('max'),
    str('min'),
    optional(tok('LIMIT', block('offset_count', int('offset'), int('count')))),
  ]),
  command('ZREVRANGEBYSCORE', 'sorted_set', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    str('max'),
    str('min'),
    optional(token('withscores', 'WITHSCORES')),
    optional(tok('LIMIT', block('offset_count', int('offset'), int('count')))),
  ]),
  command('ZREVRANK', 'sorted_set', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('member')]),
  command('ZSCAN', 'sorted_set', -3, ['readonly'], keys(1, 1, 1), [
    key(),
    // Redis reads the cursor (strtoul: `-1`, `01`, 2^64-1 are cursors), then looks the key up
    // (a missing key scans empty whatever follows), then reads each option in turn.
    rules(int('cursor'), {
      error: 'ERR invalid cursor',
      afterLookup: { keys: ['key'], types: ['zset'], missing: 'empty-scan' },
    }),
    optional(tok('MATCH', pattern('pattern'))),
    optional(multipleToken(tok('COUNT', rules(int('count'), { range: { min: 1n, error: 'ERR syntax error' } })))),
  ]),
  command('ZSCORE', 'sorted_set', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('member')]),
  command('ZUNION', 'sorted_set', -3, ['readonly', 'movablekeys'], NO_KEYS, [
    inputKeys('zunion'),
    inputs,
    weights,
    optional(tok('AGGREGATE', oneof('aggregate', token('sum', 'SUM'), token('min', 'MIN'), token('max', 'MAX')))),
    optional(token('withscores', 'WITHSCORES')),
  ]),
  command('ZUNIONSTORE', 'sorted_set', -4, ['write', 'denyoom', 'movablekeys'], keys(1, 1, 1), [
    key('destination'),
    inputKeys('zunionstore'),
    inputs,
    weights,
    optional(tok('AGGREGATE', oneof('aggregate', token('sum', 'SUM'), token('min', 'MIN'), token('max', 'MAX')))),
  ]),
] as const;
