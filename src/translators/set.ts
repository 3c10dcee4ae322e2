import { pending, type GroupTranslators } from './types.js';

export const SET_TRANSLATORS = {
  SADD: pending('not translated yet (issue #4)'),
  SCARD: pending('not translated yet (issue #4)'),
  SDIFF: pending('not translated yet (issue #4)'),
  SDIFFSTORE: pending('not translated yet (issue #4)'),
  SINTER: pending('not translated yet (issue #4)'),
  SINTERCARD: pending('not translated yet (issue #4)'),
  SINTERSTORE: pending('not translated yet (issue #4)'),
  SISMEMBER: pending('not translated yet (issue #4)'),
  SMEMBERS: pending('not translated yet (issue #4)'),
  SMISMEMBER: pending('not translated yet (issue #4)'),
  SMOVE: pending('not translated yet (issue #4)'),
  SPOP: pending('not translated yet (issue #4)'),
  SRANDMEMBER: pending('not translated yet (issue #4)'),
  SREM: pending('not translated yet (issue #4)'),
  SSCAN: pending('not translated yet (issue #4)'),
  SUNION: pending('not translated yet (issue #4)'),
  SUNIONSTORE: pending('not translated yet (issue #4)'),
} as const satisfies GroupTranslators<'set'>;
