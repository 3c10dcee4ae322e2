import type { SqlParam } from '../translators/sql.js';

/**
 * What a row value is once it leaves the database layer, whichever driver ran
 * the statement: bytea → Buffer, int8 → bigint, numeric → string (exact),
 * float8/int4/int2 → number, text → string, json/jsonb → its text, bool →
 * boolean, arrays of those, NULL → null.
 */
export type DbValue = Buffer | bigint | string | number | boolean | null | readonly DbValue[];

export type Row = Readonly<Record<string, DbValue>>;

/** Anything that runs one statement: a database or a transaction on it. */
export interface Queryable {
  /**
   * Run one parameterised statement and return its rows, normalised.
   * Throws `RedisError` for SQLSTATE RD000 (the message is Redis' reply text)
   * and `DatabaseError` for any other failure.
   *
   *   await db.query('SELECT $1::int8 + 1 AS n', ['41'])  → [{ n: 42n }]
   */
  query(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** Run a script of several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
}

/** A LISTENing connection (see `Database.listen`); `close()` stops listening and releases it. */
export interface Listener extends Queryable {
  close(): Promise<void>;
}

export interface Database extends Queryable {
  /** `embedded` for PGlite, `postgres` for a server reached with node-postgres. */
  readonly kind: 'embedded' | 'postgres';
  /**
   * Run `fn` in one transaction on one connection: committed when it resolves,
   * rolled back when it throws.
   *
   *   await db.transaction(async (tx) => { await tx.query(a.sql, a.params); await tx.query(b.sql, b.params); })
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * A connection of its own that LISTENs to `channel` (a PostgreSQL channel
   * name, unquoted) and calls `onPayload` for each notification; its queries
   * run on that connection (its `pg_backend_pid()` is the listener's).
   *
   *   const l = await db.listen('redis2sql.redis', (payload) => …); …; await l.close();
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<Listener>;
  /** Release the connection(s) this object opened; a pool or client passed in is left to its owner. */
  close(): Promise<void>;
}
