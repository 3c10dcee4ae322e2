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

// XREAD's and XREADGROUP's own words for a bad BLOCK.
const blockMs = rules(int('milliseconds'), { error: 'ERR timeout is not an integer or out of range' });
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

// XGROUP's words for an option it does not know (addReplySubcommandSyntaxError).
const xgroupUsage = (sub: string): string =>
  `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try XGROUP HELP.`;

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
    optional(
      block(
        'trim',
        oneof('strategy', token('maxlen', 'MAXLEN'), token('minid', 'MINID')),
        optional(rules(oneof('operator', token('equal', '='), token('approximately', '~')), { once: true })),
        str('threshold'),
        optional(tok('LIMIT', int('count'))),
      ),
    ),
    oneof('id_or_auto', token('auto_id', '*'), str('id')),
    multiple(block('field_value', str('field'), str('value'))),
  ]),
  command('XAUTOCLAIM', 'stream', -6, ['write', 'fast'], keys(1, 1, 1), [
    key(),
    str('group'),
    str('consumer'),
    str('min-idle-time'),
    str('start'),
    optional(tok('COUNT', rules(int('count'), { error: 'ERR COUNT must be > 0' }))),
    optional(token('justid', 'JUSTID')),
  ]),
  command('XCLAIM', 'stream', -6, ['write', 'fast'], keys(1, 1, 1), [
    key(),
    str('group'),
    str('consumer'),
    str('min-idle-time'),
    multiple(str('id')),
    optional(tok('IDLE', rules(int('ms'), { error: 'ERR Invalid IDLE option argument for XCLAIM' }))),
    optional(tok('TIME', rules(unixTime('unix-time-milliseconds'), { error: 'ERR Invalid TIME option argument for XCLAIM' }))),
    optional(tok('RETRYCOUNT', rules(int('count'), { error: 'ERR Invalid RETRYCOUNT option argument for XCLAIM' }))),
    optional(token('force', 'FORCE')),
    optional(token('justid', 'JUSTID')),
    optional(rules(tok('LASTID', str('lastid')), { unknownOption: "ERR Unrecognized XCLAIM option '%s'" })),
  ]),
  command('XDEL', 'stream', -3, ['write', 'fast'], keys(1, 1, 1), [key(), multiple(str('id'))]),
  command('XGROUP CREATE', 'stream', -5, ['write', 'denyoom'], keys(2, 2, 1), [
    key(),
    str('groupname'),
    oneof('id', token('new_id', '$'), str('id')),
    optional(token('mkstream', 'MKSTREAM')),
    optional(rules(tok('ENTRIESREAD', int('entries_read')), { unknownOption: xgroupUsage('CREATE') })),
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
    optional(rules(tok('ENTRIESREAD', int('entries_read')), { unknownOption: xgroupUsage('SETID') })),
  ]),
  command('XINFO CONSUMERS', 'stream', 4, ['readonly'], keys(2, 2, 1), [key(), str('groupname')]),
  command('XINFO GROUPS', 'stream', 3, ['readonly'], keys(2, 2, 1), [key()]),
  command('XINFO HELP', 'stream', 2, ['loading', 'stale'], NO_KEYS, []),
  command('XINFO STREAM', 'stream', -3, ['readonly'], keys(2, 2, 1), [
    key(),
    optional(
      rules(tok('FULL', block('full', optional(tok('COUNT', int('count'))))), {
        unknownOption: "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.",
      }),
    ),
  ]),
  command('XLEN', 'stream', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('XPENDING', 'stream', -3, ['readonly'], keys(1, 1, 1), [
    key(),
    str('group'),
    optional(
      block(
        'filters',
        optional(rules(tok('IDLE', int('min-idle-time')), { once: true })),
        str('start'),
        str('end'),
        int('count'),
        optional(str('consumer')),
        // Redis ignores what follows the consumer (9 words at most: the translator counts them).
        optional(multiple(str('ignored'))),
      ),
    ),
  ]),
  command('XRANGE', 'stream', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    str('start'),
    str('end'),
    optional(tok('COUNT', int('count'))),
  ]),
  command('XREAD', 'stream', -4, ['readonly', 'blocking', 'movablekeys'], NO_KEYS, [
    optional(tok('COUNT', int('count'))),
    optional(tok('BLOCK', blockMs)),
    streams,
  ]),
  command('XREADGROUP', 'stream', -7, ['write', 'blocking', 'movablekeys'], NO_KEYS, [
    tok('GROUP', block('group_consumer', str('group'), str('consumer'))),
    optional(tok('COUNT', int('count'))),
    optional(tok('BLOCK', blockMs)),
    optional(token('noack', 'NOACK')),
    streams,
  ]),
  command('XREVRANGE', 'stream', -4, ['readonly'], keys(1, 1, 1), [
    key(),
    str('end'),
    str('start'),
    optional(tok('COUNT', int('count'))),
  ]),
  command('XSETID', 'stream', -3, ['write', 'denyoom', 'fast'], keys(1, 1, 1), [
    key(),
    str('last-id'),
    optional(tok('ENTRIESADDED', int('entries_added'))),
    optional(tok('MAXDELETEDID', str('max_deleted_entry_id'))),
  ]),
  command('XTRIM', 'stream', -4, ['write'], keys(1, 1, 1), [
    key(),
    block(
      'trim',
      oneof('strategy', token('maxlen', 'MAXLEN'), token('minid', 'MINID')),
      optional(rules(oneof('operator', token('equal', '='), token('approximately', '~')), { once: true })),
      str('threshold'),
      optional(tok('LIMIT', int('count'))),
    ),
  ]),
] as const;
