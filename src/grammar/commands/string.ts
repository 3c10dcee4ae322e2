import { command, int, key, keys, oneof, optional, str, tok, token, unixTime } from '../spec.js';

/** Redis 7.0's `string` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const STRING_COMMANDS = [
  command('GET', 'string', 2, ['readonly', 'fast'], keys(1, 1, 1), [key()]),
  command('SET', 'string', -3, ['write', 'denyoom'], keys(1, 1, 1), [
    key(),
    str('value'),
    optional(oneof('condition', token('nx', 'NX'), token('xx', 'XX'))),
    optional(token('get', 'GET')),
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
  ]),
] as const;
