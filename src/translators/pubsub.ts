import { pending, type GroupTranslators } from './types.js';

export const PUBSUB_TRANSLATORS = {
  PSUBSCRIBE: pending('not translated yet (issue #5)'),
  PUBLISH: pending('not translated yet (issue #5)'),
  'PUBSUB CHANNELS': pending('not translated yet (issue #5)'),
  'PUBSUB HELP': pending('not translated yet (issue #5)'),
  'PUBSUB NUMPAT': pending('not translated yet (issue #5)'),
  'PUBSUB NUMSUB': pending('not translated yet (issue #5)'),
  'PUBSUB SHARDCHANNELS': pending('not translated yet (issue #5)'),
  'PUBSUB SHARDNUMSUB': pending('not translated yet (issue #5)'),
  PUNSUBSCRIBE: pending('not translated yet (issue #5)'),
  SPUBLISH: pending('not translated yet (issue #5)'),
  SSUBSCRIBE: pending('not translated yet (issue #5)'),
  SUBSCRIBE: pending('not translated yet (issue #5)'),
  SUNSUBSCRIBE: pending('not translated yet (issue #5)'),
  UNSUBSCRIBE: pending('not translated yet (issue #5)'),
} as const satisfies GroupTranslators<'pubsub'>;
