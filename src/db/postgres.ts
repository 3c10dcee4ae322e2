import { createHash } from 'node:crypto';
import pg from 'pg';
import { parse as parseArray } from 'postgres-array';
import type { SqlParam } from '../translators/sql.js';
import { OID, normaliseRow, quoteChannel, toError } from './normalise.js';
import type { Database, Listener, Queryable, Row } from './types.js';

/**
 * node-postgres returns int8 and numeric as strings; we want int8 exact
 * (bigint) and numeric as its text. Set per query (not on the global
 * `pg.types`) so that a pool the application passes in keeps its own parsers.
 */
const builtin = pg.types.getTypeParser as (oid: number, format: 'text' | 'binary') => (text: string) => unknown;

const TEXT_ARRAY = 1009;

export const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
    if (format !== 'binary') {
      if (oid === OID.int8) return (text: string) => BigInt(text);
      if (oid === OID.int8Array) {
        const parseArray = builtin(OID.int8Array, 'text');
        return (text: string) => mapDeep(parseArray(text), (v) => (typeof v === 'string' || typeof v === 'number' ? BigInt(v) : v));
      }
      if (oid === OID.numeric || oid === OID.json || oid === OID.jsonb) return (text: string) => text;
      // pg-types reads numeric[] as floats: keep each element's exact text (text[]'s parser).
      if (oid === OID.numericArray) return builtin(TEXT_ARRAY, 'text');
      // pg-types' bytea[] parser (postgres-array 2) costs ~20 µs per element, more than the
      // query itself for MGET, LRANGE or HGETALL; postgres-array 3 is about 15 times faster.
      if (oid === OID.byteaArray) {
        const parseBytea = builtin(OID.bytea, 'text');
        return (text: string) => parseArray(text, parseBytea);
      }
    }
    return builtin(oid, format ?? 'text');
  },
};

function mapDeep(value: unknown, f: (v: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map((v) => mapDeep(v, f)) : value === null ? null : f(value);
}

interface PgQueryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
  query(text: string): Promise<pg.QueryResult | pg.QueryResult[]>;
}

/**
 * The names statements are prepared under (`prepare`), by their text: a
 * digest of it, so that a name means one text in every process and on every
 * connection. At most MAX_NAMED texts get one in a process; the others run
 * unnamed, as every statement does without `prepare`, so that a program
 * whose statement texts do not repeat cannot fill the connections' memory
 * (PostgreSQL keeps a prepared statement for its session's life, node-postgres
 * its name for its connection's).
 */
export function statementNames(max: number): (sql: string) => string | undefined {
  const names = new Map<string, string>();
  return (sql) => {
    let name = names.get(sql);
    if (name === undefined && names.size < max) {
      name = `redis2sql_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
      names.set(sql, name);
    }
    return name;
  };
}

/**
 * Whether statements are prepared, from `REDIS2SQL_PREPARE` (read at each
 * use, so that a process may change it): unset, `on`, `1` or `true` yes;
 * `off`, `0` or `false` no (a connection pooler that does not carry prepared
 * statements across the server connections it hands out needs them off);
 * anything else is a mistake, said so rather than guessed at.
 */
export function preparing(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const value = (env['REDIS2SQL_PREPARE'] ?? '').trim().toLowerCase();
  if (value === '' || value === 'on' || value === '1' || value === 'true') return true;
  if (value === 'off' || value === '0' || value === 'false') return false;
  throw new Error(`REDIS2SQL_PREPARE is '${env['REDIS2SQL_PREPARE']}': it must be on or off (1/0, true/false)`);
}

const MAX_NAMED = 5_000;
const statementName = statementNames(MAX_NAMED);

function queryable(client: PgQueryable, prepare: boolean): Queryable {
  return {
    async query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      try {
        const name = prepare ? statementName(sql) : undefined;
        const result = await client.query({ ...(name === undefined ? {} : { name }), text: sql, values: params as unknown[], types: PG_TYPES });
        return result.rows.map(normaliseRow);
      } catch (error) {
        throw toError(error);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        // No parameters: the simple protocol, which accepts several statements.
        await client.query(sql);
      } catch (error) {
        throw toError(error);
      }
    },
  };
}

export interface PostgresOptions {
  /**
   * Run each parameterised statement as a named prepared statement (by its
   * text, statementNames), so that each connection parses and plans a text
   * once rather than at every call: for programs whose statements are a fixed
   * set, as translated commands' are (DESIGN §3: one text per command shape):
   * `exec` on a server and converted code (src/codemod/database-runtime.ts).
   * Off by default.
   */
  readonly prepare?: boolean;
}

/**
 * A PostgreSQL server (15 or later) through node-postgres: a connection
 * string opens a pool that `close()` ends; a Pool or Client passed in stays
 * the caller's (transactions on a Client run on that one connection).
 *
 *   const db = postgresDatabase('postgres://user@localhost:5432/app');
 *   const db = postgresDatabase(existingPool, { prepare: true });
 *   await db.query('SELECT $1::int8 AS n', ['9007199254740993'])  → [{ n: 9007199254740993n }]
 */
export function postgresDatabase(target: string | pg.Pool | pg.Client, options: PostgresOptions = {}): Database {
  const prepare = options.prepare === true;
  const owned = typeof target === 'string';
  const pool = typeof target === 'string' ? new pg.Pool({ connectionString: target, max: 4 }) : target;
  // An idle pooled connection that dies emits 'error' on the pool; unhandled, it
  // would kill the process. The next query reports the failure instead.
  if (owned) (pool as pg.Pool).on('error', () => undefined);
  const base = queryable(pool, prepare);
  return {
    kind: 'postgres',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const isPool = pool instanceof pg.Pool;
      let client: pg.PoolClient | pg.Client;
      try {
        client = isPool ? await pool.connect() : pool;
      } catch (error) {
        throw toError(error);
      }
      const tx = queryable(client, prepare);
      try {
        await tx.exec('BEGIN');
        const result = await fn(tx);
        await tx.exec('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw toError(error);
      } finally {
        if (isPool) (client as pg.PoolClient).release();
      }
    },
    async listen(channel: string, onPayload: (payload: string) => void): Promise<Listener> {
      const isPool = pool instanceof pg.Pool;
      let client: pg.PoolClient | pg.Client;
      try {
        client = isPool ? await pool.connect() : pool;
      } catch (error) {
        throw toError(error);
      }
      const onNotification = (n: pg.Notification): void => {
        if (n.channel === channel) onPayload(n.payload ?? '');
      };
      // A listening connection that dies (server restart, pg_terminate_backend) emits
      // 'error' on the client, which would end the process unhandled: it just stops.
      let lost: Error | undefined;
      const onError = (error: Error): void => {
        lost = error;
      };
      client.on('notification', onNotification);
      client.on('error', onError);
      const release = (): void => {
        client.off('notification', onNotification);
        client.off('error', onError);
        // A dead connection is destroyed, not handed back to the pool.
        if (isPool) (client as pg.PoolClient).release(lost);
      };
      const conn = queryable(client, prepare);
      try {
        await conn.exec(`LISTEN ${quoteChannel(channel)}`);
      } catch (error) {
        release();
        throw error;
      }
      return {
        ...conn,
        async close(): Promise<void> {
          try {
            if (lost === undefined) await conn.exec(`UNLISTEN ${quoteChannel(channel)}`);
          } finally {
            release();
          }
        },
      };
    },
    async close(): Promise<void> {
      if (owned) await (pool as pg.Pool).end();
    },
  };
}
