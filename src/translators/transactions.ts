/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH are connection state, not
 * statements: the session (src/session.ts) queues commands after MULTI and
 * runs them at EXEC in one PostgreSQL transaction, a savepoint per command.
 * WATCH alone has a statement: the read of the keys' versions that the
 * session keeps and compares at EXEC.
 */
import { OK } from '../emit/reply.js';
import { sql } from './sql.js';
import { never, type GroupTranslators, type Translator } from './types.js';

const SESSION = (what: string): string =>
  `${what} is connection state, handled by the session of \`redis2sql exec\` (src/session.ts) and by translateTransaction: it is not one statement`;

/**
 * WATCH k1 k2: the live keys' versions, which a client keeps and compares in
 * the transaction of EXEC (an absent or expired key has no row).
 *
 *   WATCH a b → SELECT k.key, k.version FROM redis.keys k WHERE k.key = ANY($1::text[]) AND redis.is_live(k.expires_at)
 */
const WATCH: Translator<'WATCH'> = (cmd, { S }) => ({
  sql: sql`SELECT k.key, k.version FROM ${S}.keys k WHERE k.key = ANY(${[...cmd.args.key]}::text[]) AND ${S}.is_live(k.expires_at)`,
  reply: OK,
});

export const TRANSACTIONS_TRANSLATORS = {
  DISCARD: never(SESSION('DISCARD')),
  EXEC: never(SESSION('EXEC')),
  MULTI: never(SESSION('MULTI')),
  UNWATCH: never(SESSION('UNWATCH')),
  WATCH,
} as const satisfies GroupTranslators<'transactions'>;
