import { pending, type GroupTranslators } from './types.js';

export const HASH_TRANSLATORS = {
  HDEL: pending('not translated yet (issue #4)'),
  HEXISTS: pending('not translated yet (issue #4)'),
  HGET: pending('not translated yet (issue #4)'),
  HGETALL: pending('not translated yet (issue #4)'),
  HINCRBY: pending('not translated yet (issue #4)'),
  HINCRBYFLOAT: pending('not translated yet (issue #4)'),
  HKEYS: pending('not translated yet (issue #4)'),
  HLEN: pending('not translated yet (issue #4)'),
  HMGET: pending('not translated yet (issue #4)'),
  HMSET: pending('not translated yet (issue #4)'),
  HRANDFIELD: pending('not translated yet (issue #4)'),
  HSCAN: pending('not translated yet (issue #4)'),
  HSET: pending('not translated yet (issue #4)'),
  HSETNX: pending('not translated yet (issue #4)'),
  HSTRLEN: pending('not translated yet (issue #4)'),
  HVALS: pending('not translated yet (issue #4)'),
} as const satisfies GroupTranslators<'hash'>;
