import { BULK } from '../emit/reply.js';
import { param, raw, sql } from './sql.js';
import { liveKey } from './shared.js';
import { pending, type GroupTranslators, type Translator } from './types.js';

const k = raw('k');

/**
 * GET key
 *   SELECT s.value AS reply, redis.expect_type(k.type, 'string') AS type_ok
 *   FROM redis.keys k LEFT JOIN redis.strings s ON s.key = k.key
 *   WHERE k.key = $1 AND redis.is_live(k.expires_at)
 */
const GET: Translator<'GET'> = (cmd, { S }) => {
  const key = param(cmd.args.key);
  return {
    sql: sql`SELECT s.value AS reply, ${S}.expect_type(k.type, 'string') AS type_ok
FROM ${S}.keys k LEFT JOIN ${S}.strings s ON s.key = k.key
WHERE ${liveKey(S, k, key)}`,
    reply: BULK,
  };
};

export const STRING_TRANSLATORS = {
  GET,
  SET: pending('not translated yet (issue #3)'),
} as const satisfies GroupTranslators<'string'>;
