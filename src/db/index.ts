import { embeddedDatabase } from './pglite.js';
import { postgresDatabase } from './postgres.js';
import type { Database } from './types.js';

export { embeddedDatabase, type EmbeddedOptions } from './pglite.js';
export { postgresDatabase, preparing, type PostgresOptions } from './postgres.js';
export { ensureSchema } from './schema.js';
export type { Database, DbValue, Queryable, Row } from './types.js';

export interface OpenOptions {
  /** `postgres://…` connection string: a server through node-postgres. */
  readonly url?: string;
  /** PGlite data directory (ignored with `url`); in memory when both are absent. */
  readonly dataDir?: string;
  /** With `url`: run statements as named prepared statements (src/db/postgres.ts `prepare`). */
  readonly prepare?: boolean;
}

/**
 * The database the CLI's `exec` runs on: a server when given a URL, else an
 * embedded PGlite.
 *
 *   await openDatabase({ url: process.env.DATABASE_URL })
 *   await openDatabase({ dataDir: '.redis2sql-data' })
 */
export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  if (options.url !== undefined && options.url !== '') return postgresDatabase(options.url, { prepare: options.prepare === true });
  return embeddedDatabase(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
}
