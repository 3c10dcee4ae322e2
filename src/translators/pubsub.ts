/**
 * Pub/sub over LISTEN/NOTIFY (see emit/schema/pubsub.ts for the channel and
 * payload mapping). PUBLISH is a statement; subscribing is connection state
 * (a LISTENing connection and its subscriptions), handled by the session.
 */
import { INTEGER } from '../emit/reply.js';
import { param, sql } from './sql.js';
import { never, type GroupTranslators, type Translator } from './types.js';

const SUBSCRIBER = (what: string): string =>
  `${what} needs a connection that keeps LISTENing: \`redis2sql exec\` handles it in its session (src/session.ts); it is not one statement`;
const NO_SHARDS = 'sharded pub/sub (Redis Cluster shard channels) has no counterpart in one PostgreSQL database';

/**
 * PUBLISH channel message: one NOTIFY on the schema's channel; the reply is
 * the number of subscriptions registered by live subscribers that receive it.
 *
 *   PUBLISH news hi → SELECT redis.publish($1::bytea, $2::bytea) AS reply
 */
const PUBLISH: Translator<'PUBLISH'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.publish(${cmd.args.channel}::bytea, ${cmd.args.message}::bytea) AS reply`,
  reply: INTEGER,
});

/**
 * PUBSUB CHANNELS [pattern]: channels with at least one live subscriber.
 *
 *   PUBSUB CHANNELS n* → SELECT array_agg(DISTINCT s.name ORDER BY s.name) AS reply FROM redis.live_subscriptions s WHERE … glob_match($1::bytea, s.name)
 */
const CHANNELS: Translator<'PUBSUB CHANNELS'> = (cmd, { S }) => {
  const pattern = param(cmd.args.pattern ?? null);
  return {
    sql: sql`SELECT array_agg(DISTINCT s.name ORDER BY s.name) AS reply FROM ${S}.live_subscriptions s
WHERE s.kind = 'channel' AND (${pattern}::bytea IS NULL OR ${S}.glob_match(${pattern}::bytea, s.name))`,
    reply: { kind: 'array-column', of: 'bulk', nil: 'empty' },
  };
};

/**
 * PUBSUB NUMSUB [channel …]: each channel given and its live subscribers, in order.
 *
 *   PUBSUB NUMSUB a b → [a, 1, b, 0]
 */
const NUMSUB: Translator<'PUBSUB NUMSUB'> = (cmd, { S }) => ({
  sql: sql`SELECT array_agg(c.name ORDER BY c.i) AS channel,
  array_agg((SELECT count(*) FROM ${S}.live_subscriptions s WHERE s.kind = 'channel' AND s.name = c.name) ORDER BY c.i) AS count
FROM unnest(${[...cmd.args.channel]}::bytea[]) WITH ORDINALITY AS c(name, i)`,
  reply: {
    kind: 'zip',
    flat: true,
    columns: [
      { column: 'channel', of: 'bulk' },
      { column: 'count', of: 'integer' },
    ],
  },
});

/** PUBSUB NUMPAT: distinct patterns with a live subscriber (Redis counts each pattern once). */
const NUMPAT: Translator<'PUBSUB NUMPAT'> = (_cmd, { S }) => ({
  sql: sql`SELECT count(DISTINCT s.name) AS reply FROM ${S}.live_subscriptions s WHERE s.kind = 'pattern'`,
  reply: INTEGER,
});

export const PUBSUB_TRANSLATORS = {
  PSUBSCRIBE: never(SUBSCRIBER('PSUBSCRIBE')),
  PUBLISH,
  'PUBSUB CHANNELS': CHANNELS,
  'PUBSUB HELP': never('help text of the server, not data: ask redis-server'),
  'PUBSUB NUMPAT': NUMPAT,
  'PUBSUB NUMSUB': NUMSUB,
  'PUBSUB SHARDCHANNELS': never(NO_SHARDS),
  'PUBSUB SHARDNUMSUB': never(NO_SHARDS),
  PUNSUBSCRIBE: never(SUBSCRIBER('PUNSUBSCRIBE')),
  SPUBLISH: never(NO_SHARDS),
  SSUBSCRIBE: never(NO_SHARDS),
  SUBSCRIBE: never(SUBSCRIBER('SUBSCRIBE')),
  SUNSUBSCRIBE: never(NO_SHARDS),
  UNSUBSCRIBE: never(SUBSCRIBER('UNSUBSCRIBE')),
} as const satisfies GroupTranslators<'pubsub'>;
