/**
 * Where converted code's statements run: the application's pg Pool or Client
 * (what a client's construction became), or one of our databases (the tests
 * give PGlite).
 *
 * On a Pool or Client, each statement is a named prepared statement
 * (src/db/postgres.ts `prepare`): converted code runs a fixed set of texts
 * (the ones the codemod wrote, and those of the commands it translates when
 * they run), so each connection parses and plans each text once instead of
 * at every call, as DESIGN §3's stable texts allow. A connection pooler that
 * does not carry prepared statements across the server connections it hands
 * out (PgBouncer in transaction mode before 1.21, or with
 * `max_prepared_statements = 0`) needs them off: `REDIS2SQL_PREPARE=off`.
 *
 *   await database(pool).query(sql, params)  // prepared on the connection it runs on, the first time there
 */
import type pg from 'pg';
import { postgresDatabase, preparing } from '../db/postgres.js';
import type { Database, Queryable } from '../db/types.js';

/** Where the statement runs: the application's pg Pool/Client, or one of our databases (tests use PGlite). */
export type Target = pg.Pool | pg.Client | (Queryable & { readonly kind: 'embedded' | 'postgres' });

/** The database a converted call runs its statements on. */
export function database(target: Target): Queryable | Database {
  return 'kind' in target ? target : postgresDatabase(target, { prepare: preparing() });
}
