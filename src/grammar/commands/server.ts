import { command, int, NO_KEYS, oneof, optional, rules, str, token, type CommandSpec } from '../spec.js';

const flushMode = optional(oneof('async', token('async', 'ASYNC'), token('sync', 'SYNC')));

/**
 * PING, ECHO, SELECT (Redis' `connection` group) and DBSIZE, FLUSHDB,
 * FLUSHALL, TIME (its `server` group): the ones that make sense over a
 * PostgreSQL keyspace. Other server commands are in REFUSED_COMMANDS.
 */
export const SERVER_COMMANDS = [
  command('DBSIZE', 'server', 1, ['readonly', 'fast'], NO_KEYS, []),
  command('ECHO', 'connection', 2, ['loading', 'stale', 'fast'], NO_KEYS, [str('message')]),
  command('FLUSHALL', 'server', -1, ['write'], NO_KEYS, [flushMode]),
  command('FLUSHDB', 'server', -1, ['write'], NO_KEYS, [flushMode]),
  command('PING', 'connection', -1, ['fast'], NO_KEYS, [optional(rules(str('message'), { final: true }))]),
  command('SELECT', 'connection', 2, ['loading', 'stale', 'fast'], NO_KEYS, [int('index')]),
  command('TIME', 'server', 1, ['loading', 'stale', 'fast'], NO_KEYS, []),
] as const satisfies readonly CommandSpec[];
