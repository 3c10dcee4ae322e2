import {
  block,
  command,
  int,
  key,
  keys,
  multiple,
  multipleToken,
  NO_KEYS,
  oneof,
  optional,
  pattern,
  rules,
  str,
  tok,
  token,
  type CommandSpec,
} from '../spec.js';

/*
 * EXPIRE and its siblings take NX, XX, GT and LT as independent flags, not as
 * the one-of that COMMAND DOCS draws: Redis accepts `NX NX`, `XX GT` and
 * `XX LT`, and answers a conflicting pair with its own error
 * (`ERR NX and XX, GT or LT options at the same time are not compatible`)
 * rather than `ERR syntax error`. Four optional tokens let the parser accept
 * every combination in any order; the translator applies the conflict rules.
 * Redis reads every flag (another word is `ERR Unsupported option <word>`)
 * and checks the conflicts before it converts the amount, so the amount is
 * `string` and the translator converts it.
 */
const expireFlags = [
  optional(token('nx', 'NX')),
  optional(token('xx', 'XX')),
  optional(token('gt', 'GT')),
  optional(rules(token('lt', 'LT'), { unknownOption: 'ERR Unsupported option %s' })),
] as const;

/**
 * SORT and SORT_RO. COMMAND DOCS calls both the BY and the GET argument
 * `pattern`; arguments are read by name here, so the GET patterns are `get`.
 */
const sortArgs = [
  key(),
  optional(tok('BY', pattern('pattern'))),
  optional(tok('LIMIT', block('offset_count', int('offset'), int('count')))),
  optional(multipleToken(tok('GET', pattern('get')))),
  rules(optional(oneof('order', token('asc', 'ASC'), token('desc', 'DESC'))), { lastWins: true }),
  optional(token('sorting', 'ALPHA')),
] as const;

/** Redis 7.0's `generic` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const GENERIC_COMMANDS = [
  command('COPY', 'generic', -3, ['write', 'denyoom'], keys(1, 2, 1), [
    key('source'),
    key('destination'),
    // Read as a C int as the option loop meets it (before a later stray word).
    optional(
      tok('DB', rules(int('destination-db'), {
        range: { min: -(2n ** 31n), max: 2n ** 31n - 1n, error: 'ERR value is out of range, value must between -2147483648 and 2147483647' },
      })),
    ),
    optional(token('replace', 'REPLACE')),
  ]),
  command('DEL', 'generic', -2, ['write'], keys(1, -1, 1), [multiple(key())]),
  command('DUMP', 'generic', 2, ['readonly'], keys(1, 1, 1), [key()]),
  command('EXISTS', 'generic', -2, ['readonly', 'fast'], keys(1, -1, 1), [multiple(key())]),
  command('EXPIRE', 'generic', -3, ['write', 'fast'], keys(1, 1, 1), [key(), str('seconds'), ...expireFlags]),
  command('EXPIREAT', 'generic', -3, ['write', 'fast'], keys(1, 1, 1), [
    key(),
    str('unix-time-seconds'),
    ...expireFlags,
  ]),
  command('EXPIRETIME', 'generic', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('KEYS', 'generic', 2, ['readonly'], NO_KEYS, [pattern('pattern')]),
  command('MIGRATE', 'generic', -6, ['write', 'movablekeys'], keys(3, 3, 1), [
    str('host'),
    int('port'),
    oneof('key_or_empty_string', key(), token('empty_string', '')),
    int('destination-db'),
    int('timeout'),
    optional(token('copy', 'COPY')),
    optional(token('replace', 'REPLACE')),
    optional(
      oneof(
        'authentication',
        tok('AUTH', str('password')),
        tok('AUTH2', block('username_password', str('username'), str('password'))),
      ),
    ),
    optional(multiple(tok('KEYS', key()))),
  ]),
  command('MOVE', 'generic', 3, ['write', 'fast'], keys(1, 1, 1), [key(), int('db')]),
  command('OBJECT ENCODING', 'generic', 3, ['readonly'], keys(2, 2, 1), [key()]),
  command('OBJECT FREQ', 'generic', 3, ['readonly'], keys(2, 2, 1), [key()]),
  command('OBJECT HELP', 'generic', 2, ['loading', 'stale'], NO_KEYS, []),
  command('OBJECT IDLETIME', 'generic', 3, ['readonly'], keys(2, 2, 1), [key()]),
  command('OBJECT REFCOUNT', 'generic', 3, ['readonly'], keys(2, 2, 1), [key()]),
  command('PERSIST', 'generic', 2, ['write', 'fast'], keys(1, 1, 1), [key()]),
  command('PEXPIRE', 'generic', -3, ['write', 'fast'], keys(1, 1, 1), [key(), str('milliseconds'), ...expireFlags]),
  command('PEXPIREAT', 'generic', -3, ['write', 'fast'], keys(1, 1, 1), [
    key(),
    str('unix-time-milliseconds'),
    ...expireFlags,
  ]),
  command('PEXPIRETIME', 'generic', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('PTTL', 'generic', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('RANDOMKEY', 'generic', 1, ['readonly'], NO_KEYS, []),
  command('RENAME', 'generic', 3, ['write'], keys(1, 2, 1), [key(), key('newkey')]),
  command('RENAMENX', 'generic', 3, ['write', 'fast'], keys(1, 2, 1), [key(), key('newkey')]),
  command('RESTORE', 'generic', -4, ['write', 'denyoom'], keys(1, 1, 1), [
    key(),
    int('ttl'),
    str('serialized-value'),
    optional(token('replace', 'REPLACE')),
    optional(token('absttl', 'ABSTTL')),
    optional(tok('IDLETIME', int('seconds'))),
    optional(tok('FREQ', int('frequency'))),
  ]),
  command('SCAN', 'generic', -2, ['readonly'], NO_KEYS, [
    // Redis reads the cursor with strtoul and its own error.
    rules(int('cursor'), { error: 'ERR invalid cursor' }),
    optional(tok('MATCH', pattern('pattern'))),
    optional(tok('COUNT', int('count'))),
    optional(tok('TYPE', str('type'))),
  ]),
  command('SORT', 'generic', -2, ['write', 'denyoom', 'movablekeys'], keys(1, 1, 1), [
    ...sortArgs,
    optional(tok('STORE', key('destination'))),
  ]),
  command('SORT_RO', 'generic', -2, ['readonly', 'movablekeys'], keys(1, 1, 1), sortArgs),
  command('TOUCH', 'generic', -2, ['readonly', 'fast'], keys(1, -1, 1), [multiple(key())]),
  command('TTL', 'generic', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('TYPE', 'generic', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('UNLINK', 'generic', -2, ['write', 'fast'], keys(1, -1, 1), [multiple(key())]),
  command('WAIT', 'generic', 3, ['noscript'], NO_KEYS, [int('numreplicas'), int('timeout')]),
] as const satisfies readonly CommandSpec[];
