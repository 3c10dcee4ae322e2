import { command, keys, multiple, NO_KEYS, optional, pattern, str } from '../spec.js';

/**
 * Redis 7.0's `pubsub` group. Arity, flags and key positions as `COMMAND INFO` gives them.
 * PSUBSCRIBE's patterns are a plain repeated `pattern`, as PUNSUBSCRIBE's are:
 * 7.0's docs wrap each in a one-argument block, which says nothing more.
 */
export const PUBSUB_COMMANDS = [
  command('PSUBSCRIBE', 'pubsub', -2, ['pubsub', 'noscript', 'loading', 'stale'], NO_KEYS, [
    multiple(pattern('pattern')),
  ]),
  command('PUBLISH', 'pubsub', 3, ['pubsub', 'loading', 'stale', 'fast'], NO_KEYS, [str('channel'), str('message')]),
  command('PUBSUB CHANNELS', 'pubsub', -2, ['pubsub', 'loading', 'stale'], NO_KEYS, [optional(pattern('pattern'))]),
  command('PUBSUB HELP', 'pubsub', 2, ['loading', 'stale'], NO_KEYS, []),
  command('PUBSUB NUMPAT', 'pubsub', 2, ['pubsub', 'loading', 'stale'], NO_KEYS, []),
  command('PUBSUB NUMSUB', 'pubsub', -2, ['pubsub', 'loading', 'stale'], NO_KEYS, [optional(multiple(str('channel')))]),
  command('PUBSUB SHARDCHANNELS', 'pubsub', -2, ['pubsub', 'loading', 'stale'], NO_KEYS, [
    optional(pattern('pattern')),
  ]),
  command('PUBSUB SHARDNUMSUB', 'pubsub', -2, ['pubsub', 'loading', 'stale'], NO_KEYS, [
    optional(multiple(str('shardchannel'))),
  ]),
  command('PUNSUBSCRIBE', 'pubsub', -1, ['pubsub', 'noscript', 'loading', 'stale'], NO_KEYS, [
    optional(multiple(pattern('pattern'))),
  ]),
  command('SPUBLISH', 'pubsub', 3, ['pubsub', 'loading', 'stale', 'fast'], keys(1, 1, 1), [
    str('shardchannel'),
    str('message'),
  ]),
  command('SSUBSCRIBE', 'pubsub', -2, ['pubsub', 'noscript', 'loading', 'stale'], keys(1, -1, 1), [
    multiple(str('shardchannel')),
  ]),
  command('SUBSCRIBE', 'pubsub', -2, ['pubsub', 'noscript', 'loading', 'stale'], NO_KEYS, [multiple(str('channel'))]),
  command('SUNSUBSCRIBE', 'pubsub', -1, ['pubsub', 'noscript', 'loading', 'stale'], keys(1, -1, 1), [
    optional(multiple(str('shardchannel'))),
  ]),
  command('UNSUBSCRIBE', 'pubsub', -1, ['pubsub', 'noscript', 'loading', 'stale'], NO_KEYS, [
    optional(multiple(str('channel'))),
  ]),
] as const;
