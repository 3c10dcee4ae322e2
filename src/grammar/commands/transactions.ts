import { command, key, keys, multiple, NO_KEYS } from '../spec.js';

/** Redis 7.0's `transactions` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const TRANSACTIONS_COMMANDS = [
  command('DISCARD', 'transactions', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], NO_KEYS, []),
  command('EXEC', 'transactions', 1, ['noscript', 'loading', 'stale', 'skip_slowlog'], NO_KEYS, []),
  command('MULTI', 'transactions', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], NO_KEYS, []),
  command('UNWATCH', 'transactions', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], NO_KEYS, []),
  command('WATCH', 'transactions', -2, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], keys(1, -1, 1), [
    multiple(key()),
  ]),
] as const;
