import {
  NO_KEYS,
  block,
  command,
  dbl,
  int,
  key,
  keys,
  multiple,
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
const mpopCount = rules(int('count'), { error: 'ERR count should be greater than 0' });
const popCount = rules(int('count'), { error: 'ERR value is out of range, must be positive' });
const weights = optional(multiple(tok('WEIGHTS', rules(dbl('weight'), { error: 'ERR weight value is not a float' }))));
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
 * - ZSCAN's `cursor` is `string`: Redis reads it with strtoul.
 */
export const SORTED_SET_COMMANDS = [
  command('BZMPOP', 'sorted_set', -5, ['write', 'blocking', 'movablekeys'], NO_KEYS, [
    timeout,
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
    multiple(key()),
    optional(token('withscores', 'WITHSCORES')),
  ]),
  command('ZDIFFSTORE', 'sorted_set', -4, ['write', 'denyoom', 'movablekeys'], keys(1, 1, 1), [
    key('destination'),
    inputKeys('zdiffstore'),
    multiple(key()),
  ]),
  command('ZINCRBY', 'sorted_set', 4, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    dbl('increment'),
    str('member'),
  ]),
  command('ZINTER', 'sorted_set', -3, ['readonly', 'movablekeys'], NO_KEYS, [
    inputKeys('zinter'),
    multiple(key()),
    weights,
    optional(tok('AGGREGATE', oneof('aggregate', token('sum', 'SUM'), token('min', 'MIN'), token('max', 'MAX')))),
    optional(token('withscores', 'WITHSCORES')),
  ]),
  command('ZINTERCARD', 'sorted_set', -3, ['readonly', 'movablekeys'], NO_KEYS, [
    inputKeys('zintercard'),
    multiple(key()),
    optional(tok('LIMIT', rules(int('limit'), { error: "ERR LIMIT can't be negative" }))),
  ]),
  command('ZINTERSTORE', 'sorted_set', -4, ['write', 'denyoom', 'movablekeys'], keys(1, 1, 1), [
    key('destination'),
    inputKeys('zinterstore'),
    multiple(key()),
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
    optional(block('options', int('count'), optional(token('withscores', 'WITHSCORES')))),
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
    int('start'),
    int('stop'),
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
    // Redis reads the cursor with strtoul (`-1`, `01`, 2^64-1 are cursors): the translator parses it.
    str('cursor'),
    optional(tok('MATCH', pattern('pattern'))),
    optional(tok('COUNT', int('count'))),
  ]),
  command('ZSCORE', 'sorted_set', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), str('member')]),
  command('ZUNION', 'sorted_set', -3, ['readonly', 'movablekeys'], NO_KEYS, [
    inputKeys('zunion'),
    multiple(key()),
    weights,
    optional(tok('AGGREGATE', oneof('aggregate', token('sum', 'SUM'), token('min', 'MIN'), token('max', 'MAX')))),
    optional(token('withscores', 'WITHSCORES')),
  ]),
  command('ZUNIONSTORE', 'sorted_set', -4, ['write', 'denyoom', 'movablekeys'], keys(1, 1, 1), [
    key('destination'),
    inputKeys('zunionstore'),
    multiple(key()),
    weights,
    optional(tok('AGGREGATE', oneof('aggregate', token('sum', 'SUM'), token('min', 'MIN'), token('max', 'MAX')))),
  ]),
] as const;
