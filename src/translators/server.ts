import { RedisError } from '../errors.js';
import { BULK, INTEGER, STATUS, scalar } from '../emit/reply.js';
import { checkDatabase } from './generic.js';
import { param, sql } from './sql.js';
import type { GroupTranslators, Translator } from './types.js';

/**
 * PING [message]: `+PONG`, or the message as a bulk string.
 *   SELECT 'PONG' AS reply        |  SELECT $1::bytea AS reply
 */
const PING: Translator<'PING'> = (cmd) =>
  cmd.args.message === undefined
    ? { sql: sql`SELECT 'PONG' AS reply`, reply: STATUS }
    : { sql: sql`SELECT ${param(cmd.args.message)}::bytea AS reply`, reply: BULK };

/**
 * ECHO message
 *   SELECT $1::bytea AS reply
 */
const ECHO: Translator<'ECHO'> = (cmd) => ({
  sql: sql`SELECT ${param(cmd.args.message)}::bytea AS reply`,
  reply: BULK,
});

/**
 * SELECT index: database 0 is the one modelled; 1..15 are refused, other
 * indexes are Redis' `ERR DB index is out of range`.
 *   SELECT 'OK' AS reply
 */
const SELECT: Translator<'SELECT'> = (cmd) => {
  checkDatabase('SELECT', cmd.args.index);
  return { sql: sql`SELECT 'OK' AS reply`, reply: STATUS };
};

/**
 * DBSIZE: live keys only (Redis also counts keys expired but not yet evicted).
 *   SELECT count(*) AS reply FROM redis.keys k WHERE redis.is_live(k.expires_at)
 */
const DBSIZE: Translator<'DBSIZE'> = (_cmd, { S }) => ({
  sql: sql`SELECT count(*) AS reply FROM ${S}.keys k WHERE ${S}.is_live(k.expires_at)`,
  reply: INTEGER,
});

/**
 * FLUSHDB / FLUSHALL [ASYNC|SYNC]: one database, so both empty it; ASYNC is
 * accepted and the work is done in the statement anyway.
 *   SELECT redis.flush_keys() AS reply
 */
const FLUSH: Translator<'FLUSHDB' | 'FLUSHALL'> = (cmd, { S }) => {
  // Redis takes one option at most: `FLUSHDB ASYNC ASYNC` is a syntax error.
  if (cmd.argv.length > 2) throw new RedisError('ERR syntax error');
  return { sql: sql`SELECT ${S}.flush_keys() AS reply`, reply: STATUS };
};

/**
 * TIME: the database clock (pinned with `redis2sql.now_ms`, like expiry), as
 * Redis' two bulk strings: Unix seconds and microseconds.
 *   SELECT (t.us / 1000000)::text AS seconds, (t.us % 1000000)::text AS microseconds
 *   FROM (SELECT redis.now_us() AS us) AS t
 */
const TIME: Translator<'TIME'> = (_cmd, { S }) => ({
  sql: sql`SELECT (t.us / 1000000)::text AS seconds, (t.us % 1000000)::text AS microseconds
FROM (SELECT ${S}.now_us() AS us) AS t`,
  reply: { kind: 'tuple', items: [scalar('bulk', 'seconds'), scalar('bulk', 'microseconds')] },
});

export const SERVER_TRANSLATORS = {
  DBSIZE,
  ECHO,
  FLUSHALL: FLUSH,
  FLUSHDB: FLUSH,
  PING,
  SELECT,
  TIME,
} as const satisfies GroupTranslators<'server' | 'connection'>;
