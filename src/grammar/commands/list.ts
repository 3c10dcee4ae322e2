import { NO_KEYS, command, dbl, int, key, keys, multiple, oneof, optional, rules, str, tok, token } from '../spec.js';

// Redis' own words for a value that does not convert, where they are not the generic ones.
const timeout = rules(dbl('timeout'), { error: 'ERR timeout is not a float or out of range' });
const numkeys = rules(int('numkeys'), { error: 'ERR numkeys should be greater than 0' });
// A second COUNT is refused before its value is read (`LMPOP 1 l LEFT COUNT 1 COUNT 0`).
const SYNTAX_ERROR = 'ERR syntax error';
const mpopCount = rules(int('count'), {
  error: 'ERR count should be greater than 0',
  range: { min: 1n, error: 'ERR count should be greater than 0' },
});
// BLMPOP and BZMPOP read their timeout last, after numkeys, the keys, the direction and COUNT.
const lastTimeout = rules(timeout, { late: true });
const popCount = rules(int('count'), { error: 'ERR value is out of range, must be positive' });
const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const COUNT_NEGATIVE = "ERR COUNT can't be negative";
const MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";

/** Redis 7.0's `list` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const LIST_COMMANDS = [
  command('BLMOVE', 'list', 6, ['write', 'denyoom', 'noscript', 'blocking'], keys(1, 2, 1), [
    key('source'),
    key('destination'),
    oneof('wherefrom', token('left', 'LEFT'), token('right', 'RIGHT')),
    oneof('whereto', token('left', 'LEFT'), token('right', 'RIGHT')),
    timeout,
  ]),
  command('BLMPOP', 'list', -5, ['write', 'blocking', 'movablekeys'], NO_KEYS, [
    lastTimeout,
    numkeys,
    multiple(key()),
    oneof('where', token('left', 'LEFT'), token('right', 'RIGHT')),
    optional(rules(tok('COUNT', mpopCount), { once: SYNTAX_ERROR })),
  ]),
  command('BLPOP', 'list', -3, ['write', 'noscript', 'blocking'], keys(1, -2, 1), [multiple(key()), timeout]),
  command('BRPOP', 'list', -3, ['write', 'noscript', 'blocking'], keys(1, -2, 1), [multiple(key()), timeout]),
  command('BRPOPLPUSH', 'list', 4, ['write', 'denyoom', 'noscript', 'blocking'], keys(1, 2, 1), [
    key('source'),
    key('destination'),
    timeout,
  ]),
  // Redis looks the list up before it converts the index (a missing one is nil whatever the index).
  command('LINDEX', 'list', 3, ['readonly'], keys(1, 1, 1), [
    rules(key(), { afterLookup: { keys: ['key'], types: ['list'], missing: 'nil' } }),
    int('index'),
  ]),
  command('LINSERT', 'list', 5, ['write', 'denyoom'], keys(1, 1, 1), [
    key(),
    oneof('where', token('before', 'BEFORE'), token('after', 'AFTER')),
    str('pivot'),
    str('element'),
  ]),
  command('LLEN', 'list', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('LMOVE', 'list', 5, ['write', 'denyoom'], keys(1, 2, 1), [
    key('source'),
    key('destination'),
    oneof('wherefrom', token('left', 'LEFT'), token('right', 'RIGHT')),
    oneof('whereto', token('left', 'LEFT'), token('right', 'RIGHT')),
  ]),
  command('LMPOP', 'list', -4, ['write', 'movablekeys'], NO_KEYS, [
    numkeys,
    multiple(key()),
    oneof('where', token('left', 'LEFT'), token('right', 'RIGHT')),
    optional(rules(tok('COUNT', mpopCount), { once: SYNTAX_ERROR })),
  ]),
  command('LPOP', 'list', -2, ['write', 'fast'], keys(1, 1, 1), [key(), optional(rules(popCount, { final: true }))]),
  command('LPOS', 'list', -3, ['readonly'], keys(1, 1, 1), [
    key(),
    str('element'),
    // Each option is checked as it is read, in the order given.
    optional(tok('RANK', rules(int('rank'), { range: { notZero: true, error: RANK_ZERO } }))),
    optional(tok('COUNT', rules(int('num-matches'), { error: COUNT_NEGATIVE, range: { min: 0n, error: COUNT_NEGATIVE } }))),
    optional(tok('MAXLEN', rules(int('len'), { error: MAXLEN_NEGATIVE, range: { min: 0n, error: MAXLEN_NEGATIVE } }))),
  ]),
  command('LPUSH', 'list', -3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), multiple(str('element'))]),
  command('LPUSHX', 'list', -3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), multiple(str('element'))]),
  command('LRANGE', 'list', 4, ['readonly'], keys(1, 1, 1), [key(), int('start'), int('stop')]),
  command('LREM', 'list', 4, ['write'], keys(1, 1, 1), [key(), int('count'), str('element')]),
  command('LSET', 'list', 4, ['write', 'denyoom'], keys(1, 1, 1), [
    rules(key(), { afterLookup: { keys: ['key'], types: ['list'], missing: { error: 'ERR no such key' } } }),
    int('index'),
    str('element'),
  ]),
  command('LTRIM', 'list', 4, ['write'], keys(1, 1, 1), [key(), int('start'), int('stop')]),
  command('RPOP', 'list', -2, ['write', 'fast'], keys(1, 1, 1), [key(), optional(rules(popCount, { final: true }))]),
  command('RPOPLPUSH', 'list', 3, ['write', 'denyoom'], keys(1, 2, 1), [key('source'), key('destination')]),
  command('RPUSH', 'list', -3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), multiple(str('element'))]),
  command('RPUSHX', 'list', -3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [key(), multiple(str('element'))]),
] as const;
