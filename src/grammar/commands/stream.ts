import {
  block,
  command,
  int,
  key,
  keys,
  multiple,
  NO_KEYS,
  oneof,
  optional,
  rules,
  str,
  tok,
  token,
  unixTime,
} from '../spec.js';
import { integerCheck, intervalCheck, parseStreamId, strictIdCheck } from '../stream-id.js';
import { toInteger } from '../values.js';

/*
 * Redis' stream parsers are hand-written loops that read IDs, thresholds and
 * option values as they meet them: the `check` and `range` rules make the
 * parser meet a bad one at the same point (XRANGE's IDs before COUNT, XADD's
 * ID before the field count), and `afterLookup` defers what Redis reads only
 * once it has found the key (XINFO STREAM's options) or the group (XCLAIM's).
 */

// XREAD's and XREADGROUP's own words for a bad BLOCK, checked as met.
const blockMs = rules(int('milliseconds'), {
  error: 'ERR timeout is not an integer or out of range',
  range: { min: 0n, error: 'ERR timeout is negative' },
});
const strictId = strictIdCheck();
const startId = intervalCheck(true);
const endId = intervalCheck(false);

// XADD's and XTRIM's trim: a second MAXLEN or MINID is an error; `=` or `~`
// right after it when a threshold follows; the threshold and LIMIT checked as
// met. LIMIT is an option of the same loop as MAXLEN|MINID (and NOMKSTREAM),
// in any order, the last one given winning: not a part of the trim block as
// COMMAND DOCS has it.
const BOTH_STRATEGIES = 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible';
function threshold(word: Buffer, read: Readonly<Record<string, unknown>>): string | undefined {
  if ((read.strategy as { readonly kind: string } | undefined)?.kind === 'minid') return strictId(word);
  const n = toInteger(word);
  if (n === undefined) return 'ERR value is not an integer or out of range';
  return n < 0n ? 'ERR The MAXLEN argument must be >= 0.' : undefined;
}
const trim = block(
  'trim',
  oneof('strategy', token('maxlen', 'MAXLEN'), token('minid', 'MINID')),
  optional(rules(oneof('operator', token('equal', '='), token('approximately', '~')), { inPlace: true })),
  rules(str('threshold'), { check: threshold }),
);
const limit = tok('LIMIT', rules(int('count'), { range: { min: 0n, error: 'ERR The LIMIT argument must be >= 0.' } }));

/**
 * What Redis checks once its loop has read the options (and XADD's ID): a
 * LIMIT other than 0 needs a strategy, XTRIM needs one, a LIMIT given needs `~`.
 */
function trimCombination(xadd: boolean) {
  return (read: Readonly<Record<string, unknown>>): string | undefined => {
    const trim = read.trim as { readonly operator?: { readonly kind: string } } | undefined;
    const count = read.count as bigint | undefined;
    if (count !== undefined && count !== 0n && trim === undefined) {
      return 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy';
    }
    if (!xadd && trim === undefined) return 'ERR syntax error, XTRIM must be called with a trimming strategy';
    if (count !== undefined && trim?.operator?.kind !== 'approximately') {
      return 'ERR syntax error, LIMIT cannot be used without the special ~ option';
    }
    return undefined;
  };
}

// XREVRANGE reads its start (the later argument) before its end.
const revStart = (word: Buffer, read: Readonly<Record<string, unknown>>): string | undefined =>
  startId(word) ?? (Buffer.isBuffer(read.end) ? endId(read.end) : undefined);

// XSETID's MAXDELETEDID may not pass the last ID.
function maxDeleted(word: Buffer, read: Readonly<Record<string, unknown>>): string | undefined {
  const bad = strictId(word);
  if (bad !== undefined) return bad;
  const last = parseStreamId(read['last-id'] as Buffer, 0n, { strict: true });
  const deleted = parseStreamId(word, 0n, { strict: true });
  const smaller = last.ms !== deleted.ms ? last.ms < deleted.ms : (last.seq ?? 0n) < (deleted.seq ?? 0n);
  return smaller ? 'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id' : undefined;
}

// XCLAIM finds the key and the group before it reads anything else.
const NO_KEY_OR_GROUP = "NOGROUP No such key '%k' or consumer group '%g'";
const claimLookup = {
  keys: ['key'],
  types: ['stream'],
  missing: { error: NO_KEY_OR_GROUP },
  group: { name: 'group', error: NO_KEY_OR_GROUP },
} as const;

/** Redis' largest XAUTOCLAIM COUNT: LONG_MAX / 16 (it allocates 16 bytes per ID). */
const AUTOCLAIM_MAX_COUNT = (2n ** 63n - 1n) / 16n;
// As many ids as keys: Redis' words when they do not pair up (both XREAD and XREADGROUP say XREAD).
const streams = tok(
  'STREAMS',
  block(
    'streams',
    rules(multiple(key()), {
      error: "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
    }),
    multiple(str('id')),
  ),
);

const xinfoUsage = "ERR unknown subcommand or wrong number of arguments for '%c'. Try XINFO HELP.";
// XGROUP's words for an option it does not know (addReplySubcommandSyntaxError: the subcommand as typed).
const xgroupUsage = "ERR unknown subcommand or wrong number of arguments for '%c'. Try XGROUP HELP.";
const entriesRead = rules(int('entries_read'), {
  range: { min: -1n, error: 'ERR value for ENTRIESREAD must be positive or -1' },
});

/**
 * Redis 7.0's `stream` group. Arity, flags and key positions as `COMMAND INFO` gives them.
 * XGROUP CREATE/SETID list the `$` branch of `id` first (the docs list it
 * second): `$` is also a valid `id` string, and the token is what it means.
 * XCLAIM's LASTID argument is `lastid`: the docs call it `id`, as they do the
 * claimed ids, and parsed arguments are keyed by name.
 */
export const STREAM_COMMANDS = [
  command('XACK', 'stream', -4, ['write', 'fast'], keys(1, 1, 1), [key(), str('group'), multiple(str('id'))]),
  command('XADD', 'stream', -5, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    optional(token('nomkstream', 'NOMKSTREAM')),
    optional(rules(trim, { once: BOTH_STRATEGIES, error: BOTH_STRATEGIES })),
    optional(limit),
    // Redis' loop ends at the ID (a word none of the options takes, or one without the words its value needs).
    rules(oneof('id_or_auto', token('auto_id', '*'), rules(str('id'), { check: strictIdCheck(true) })), {
      verify: trimCombination(true),
      absent: "ERR wrong number of arguments for 'xadd' command",
    }),
    multiple(block('field_value', str('field'), str('value'))),
  ]),
  command('XAUTOCLAIM', 'stream', -6, ['write', 'fast'], keys(1, 1, 1), [
    key(),
    str('group'),
    str('consumer'),
    rules(str('min-idle-time'), { check: integerCheck('ERR Invalid min-idle-time argument for XAUTOCLAIM') }),
    rules(str('start'), { check: startId }),
    optional(
      tok(
        'COUNT',
        rules(int('count'), {
          error: 'ERR COUNT must be > 0',
          range: { min: 1n, max: AUTOCLAIM_MAX_COUNT, error: 'ERR COUNT must be > 0' },
        }),
      ),
    ),
    optional(token('justid', 'JUSTID')),
  ]),
  command('XCLAIM', 'stream', -6, ['write', 'fast'], keys(1, 1, 1), [
    key(),
    str('group'),
    rules(str('consumer'), { afterLookup: claimLookup }),
    rules(str('min-idle-time'), { check: integerCheck('ERR Invalid min-idle-time argument for XCLAIM') }),
    rules(multiple(str('id')), { check: strictId }),
    optional(tok('IDLE', rules(int('ms'), { error: 'ERR Invalid IDLE option argument for XCLAIM' }))),
    optional(tok('TIME', rules(unixTime('unix-time-milliseconds'), { error: 'ERR Invalid TIME option argument for XCLAIM' }))),
    optional(tok('RETRYCOUNT', rules(int('count'), { error: 'ERR Invalid RETRYCOUNT option argument for XCLAIM' }))),
    optional(token('force', 'FORCE')),
    optional(token('justid', 'JUSTID')),
    optional(
      rules(tok('LASTID', rules(str('lastid'), { check: strictId })), { unknownOption: "ERR Unrecognized XCLAIM option '%s'" }),
    ),
  ]),
  command('XDEL', 'stream', -3, ['write', 'fast'], keys(1, 1, 1), [key(), multiple(str('id'))]),
  command('XGROUP CREATE', 'stream', -5, ['write', 'denyoom'], keys(2, 2, 1), [
    key(),
    str('groupname'),
    oneof('id', token('new_id', '$'), str('id')),
    optional(token('mkstream', 'MKSTREAM')),
    optional(rules(tok('ENTRIESREAD', entriesRead), { unknownOption: xgroupUsage })),
  ]),
  command('XGROUP CREATECONSUMER', 'stream', 5, ['write', 'denyoom'], keys(2, 2, 1), [
    key(),
    str('groupname'),
    str('consumername'),
  ]),
  command('XGROUP DELCONSUMER', 'stream', 5, ['write'], keys(2, 2, 1), [key(), str('groupname'), str('consumername')]),
  command('XGROUP DESTROY', 'stream', 4, ['write'], keys(2, 2, 1), [key(), str('groupname')]),
  command('XGROUP HELP', 'stream', 2, ['loading', 'stale'], NO_KEYS, []),
  command('XGROUP SETID', 'stream', -5, ['write'], keys(2, 2, 1), [
    key(),
    str('groupname'),
    oneof('id', token('new_id', '$'), str('id')),
    optional(rules(tok('ENTRIESREAD', entriesRead), { unknownOption: xgroupUsage })),
  ]),
  command('XINFO CONSUMERS', 'stream', 4, ['readonly'], keys(2, 2, 1), [key(), str('groupname')]),
  command('XINFO GROUPS', 'stream', 3, ['readonly'], keys(2, 2, 1), [key()]),
  command('XINFO HELP', 'stream', 2, ['loading', 'stale'], NO_KEYS, []),
  // Redis finds the stream first, then counts the words (FULL, or FULL COUNT n), then converts n.
  command('XINFO STREAM', 'stream', -3, ['readonly'], keys(2, 2, 1), [
    rules(key(), { afterLookup: { keys: ['key'], types: ['stream'], missing: { error: 'ERR no such key' } } }),
    optional(
      rules(tok('FULL', block('full', optional(tok('COUNT', rules(int('count'), { late: true }))))), {
        unknownOption: xinfoUsage,
        once: xinfoUsage,
      }),
    ),
  ]),
  command('XLEN', 'stream', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  // Redis counts the words first (3, or 6 to 9), reads IDLE only right after the group, then the rest by position.
  command('XPENDING', 'stream', -3, ['readonly'], keys(1, 1, 1), [
    key(),
    str('group'),
    rules(
      optional(
        block(
          'filters',
          optional(rules(tok('IDLE', int('min-idle-time')), { inPlace: true })),
          str('start'),
          str('end'),
          int('count'),
          optional(str('consumer')),
          // Redis ignores what follows the consumer.
          optional(multiple(str('ignored'))),
        ),
      ),
      { maxWords: 9 },
    ),
  ]),
  command('XRANGE', 'stream', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    rules(str('start'), { check: startId }),
    rules(str('end'), { check: endId }),
    optional(tok('COUNT', int('count'))),
  ]),
  // Redis parses XREAD with XREADGROUP's loop: GROUP (with its two words) and NOACK are known there, and refused.
  command('XREAD', 'stream', -4, ['readonly', 'blocking', 'movablekeys'], NO_KEYS, [
    optional(tok('COUNT', int('count'))),
    optional(tok('BLOCK', blockMs)),
    optional(
      rules(tok('GROUP', block('group_consumer', str('group'), str('consumer'))), {
        refused: 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
      }),
    ),
    optional(
      rules(token('noack', 'NOACK'), {
        refused: 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
      }),
    ),
    streams,
  ]),
  command('XREADGROUP', 'stream', -7, ['write', 'blocking', 'movablekeys'], NO_KEYS, [
    rules(tok('GROUP', block('group_consumer', str('group'), str('consumer'))), {
      absent: 'ERR Missing GROUP option for XREADGROUP',
    }),
    optional(tok('COUNT', int('count'))),
    optional(tok('BLOCK', blockMs)),
    optional(token('noack', 'NOACK')),
    streams,
  ]),
  command('XREVRANGE', 'stream', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    str('end'),
    rules(str('start'), { check: revStart }),
    optional(tok('COUNT', int('count'))),
  ]),
  command('XSETID', 'stream', -3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    rules(str('last-id'), { check: strictId }),
    optional(
      tok('ENTRIESADDED', rules(int('entries_added'), { range: { min: 0n, error: 'ERR entries_added must be positive' } })),
    ),
    optional(tok('MAXDELETEDID', rules(str('max_deleted_entry_id'), { check: maxDeleted }))),
  ]),
  // A strategy left out is Redis' own error (trimCombination runs before the missing argument's syntax error).
  command('XTRIM', 'stream', -4, ['write'], keys(1, 1, 1), [
    key(),
    rules(trim, { once: BOTH_STRATEGIES, error: BOTH_STRATEGIES }),
    optional(rules(limit, { verify: trimCombination(false) })),
  ]),
] as const;
