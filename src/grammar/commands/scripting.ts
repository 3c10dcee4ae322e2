import {
  command,
  type CommandFlag,
  rules,
  int,
  key,
  multiple,
  NO_KEYS,
  oneof,
  optional,
  str,
  tok,
  token,
} from '../spec.js';

// EVAL, EVALSHA and FCALL share their flags; the _RO variants add `readonly`.
const SCRIPT: readonly CommandFlag[] = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'];
const READ_ONLY_SCRIPT: readonly CommandFlag[] = ['readonly', ...SCRIPT];
// EVAL's words for a numkeys larger than the arguments, and for a negative one.
const evalNumkeys = rules(int('numkeys'), { countError: "ERR Number of keys can't be negative" });
const evalKeys = optional(rules(multiple(key()), { error: "ERR Number of keys can't be greater than number of args" }));

/** Redis 7.0's `scripting` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const SCRIPTING_COMMANDS = [
  command('EVAL', 'scripting', -3, SCRIPT, NO_KEYS, [
    str('script'),
    evalNumkeys,
    evalKeys,
    optional(multiple(str('arg'))),
  ]),
  command('EVALSHA', 'scripting', -3, SCRIPT, NO_KEYS, [
    str('sha1'),
    int('numkeys'),
    optional(multiple(key())),
    optional(multiple(str('arg'))),
  ]),
  command('EVALSHA_RO', 'scripting', -3, READ_ONLY_SCRIPT, NO_KEYS, [
    str('sha1'),
    int('numkeys'),
    optional(multiple(key())),
    optional(multiple(str('arg'))),
  ]),
  command('EVAL_RO', 'scripting', -3, READ_ONLY_SCRIPT, NO_KEYS, [
    str('script'),
    evalNumkeys,
    evalKeys,
    optional(multiple(str('arg'))),
  ]),
  command('FCALL', 'scripting', -3, SCRIPT, NO_KEYS, [
    str('function'),
    int('numkeys'),
    optional(multiple(key())),
    optional(multiple(str('arg'))),
  ]),
  command('FCALL_RO', 'scripting', -3, READ_ONLY_SCRIPT, NO_KEYS, [
    str('function'),
    int('numkeys'),
    optional(multiple(key())),
    optional(multiple(str('arg'))),
  ]),
  command('FUNCTION DELETE', 'scripting', 3, ['write', 'noscript'], NO_KEYS, [str('library-name')]),
  command('FUNCTION DUMP', 'scripting', 2, ['noscript'], NO_KEYS, []),
  command('FUNCTION FLUSH', 'scripting', -2, ['write', 'noscript'], NO_KEYS, [
    optional(oneof('async', token('async', 'ASYNC'), token('sync', 'SYNC'))),
  ]),
  command('FUNCTION HELP', 'scripting', 2, ['loading', 'stale'], NO_KEYS, []),
  command('FUNCTION KILL', 'scripting', 2, ['noscript', 'allow_busy'], NO_KEYS, []),
  command('FUNCTION LIST', 'scripting', -2, ['noscript'], NO_KEYS, [
    optional(tok('LIBRARYNAME', str('library-name-pattern'))),
    optional(token('withcode', 'WITHCODE')),
  ]),
  command('FUNCTION LOAD', 'scripting', -3, ['write', 'denyoom', 'noscript'], NO_KEYS, [
    optional(token('replace', 'REPLACE')),
    str('function-code'),
  ]),
  command('FUNCTION RESTORE', 'scripting', -3, ['write', 'denyoom', 'noscript'], NO_KEYS, [
    str('serialized-value'),
    optional(oneof('policy', token('flush', 'FLUSH'), token('append', 'APPEND'), token('replace', 'REPLACE'))),
  ]),
  command('FUNCTION STATS', 'scripting', 2, ['noscript', 'allow_busy'], NO_KEYS, []),
  command('SCRIPT DEBUG', 'scripting', 3, ['noscript'], NO_KEYS, [
    oneof('mode', token('yes', 'YES'), token('sync', 'SYNC'), token('no', 'NO')),
  ]),
  command('SCRIPT EXISTS', 'scripting', -3, ['noscript'], NO_KEYS, [multiple(str('sha1'))]),
  command('SCRIPT FLUSH', 'scripting', -2, ['noscript'], NO_KEYS, [
    optional(oneof('async', token('async', 'ASYNC'), token('sync', 'SYNC'))),
  ]),
  command('SCRIPT HELP', 'scripting', 2, ['loading', 'stale'], NO_KEYS, []),
  command('SCRIPT KILL', 'scripting', 2, ['noscript', 'allow_busy'], NO_KEYS, []),
  command('SCRIPT LOAD', 'scripting', 3, ['noscript', 'stale'], NO_KEYS, [str('script')]),
] as const;
