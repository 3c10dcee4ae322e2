/**
 * The run-time half of converted `multi()`, `pipeline()` and `watch()` calls
 * (re-exported by `redis2sql/codemod-runtime`). The codemod turns each queued
 * command into `.add(sql, params, shape)`, compiled as a plain call would be,
 * so a chain keeps its form:
 *
 *   await redis.multi().set('a', '1').incr('a').exec()
 *   → await r2s.ioredisMulti(redis).add('SELECT …', ['a', Buffer.from('1')], …).add('SELECT …', ['a'], …).exec()
 *   → [[null, 'OK'], [null, 2]]
 *
 * A multi runs as one PostgreSQL transaction on one pooled connection, each
 * command inside a savepoint, as `exec`'s sessions run EXEC (src/session.ts):
 * a Redis error undoes that command only and is its entry, the others commit.
 * A pipeline runs the same commands one after the other without a transaction.
 */
import type { ReplyShape } from '../emit/reply.js';
import { decodeReply } from '../emit/decode.js';
import { DEFAULT_SCHEMA, quoteSchema } from '../emit/schema/index.js';
import { postgresDatabase } from '../db/postgres.js';
import type { Database, Queryable } from '../db/types.js';
import { RedisError } from '../errors.js';
import { SAVEPOINT, watchCheckSql } from '../session.js';
import type { SqlParam } from '../translators/sql.js';
import type { IoredisAs, Target } from './runtime.js';
import { clientValue } from './values.js';

/**
 * One `exec()` entry as ioredis types it. At run time a Redis error reply is
 * `[error]`, one element long, as ioredis gives it.
 */
export type IoredisEntry = [error: Error | null, result: unknown];

interface Queued {
  readonly sql: string;
  readonly params: readonly SqlParam[];
  readonly shape: ReplyShape;
  readonly as: IoredisAs;
}

/** Versions of watched keys as `ioredisWatch` read them (null: absent or expired). */
export interface IoredisWatched {
  readonly versions: ReadonlyMap<string, bigint | null>;
}

/** A queue of compiled commands standing for an ioredis `multi()` or `pipeline()`. */
export class IoredisBatch {
  private readonly queued: Queued[] = [];

  constructor(
    private readonly target: Target,
    private readonly atomic: boolean,
    private readonly watched?: IoredisWatched,
  ) {}

  /**
   * Queue one compiled command (what the codemod puts in place of `.set(…)`).
   *
   *   batch.add('SELECT redis.incrby($1, $2) AS reply', ['n', '1'], { kind: 'scalar', of: 'integer' })
   */
  add(sql: string, params: readonly SqlParam[], shape: ReplyShape, as: IoredisAs = 'value'): this {
    this.queued.push({ sql, params, shape, as });
    return this;
  }

  /**
   * Run the queue: ioredis' `[error, result][]`, or null when a watched key
   * changed since `ioredisWatch` (nothing ran).
   *
   *   await r2s.ioredisMulti(pool).add(…incr…).exec()  → [[null, 1]]
   */
  async exec(): Promise<IoredisEntry[] | null> {
    const db = database(this.target);
    if (!this.atomic) {
      const out: IoredisEntry[] = [];
      for (const q of this.queued) out.push(await entry(db, q, false));
      return out;
    }
    const run = async (tx: Queryable): Promise<IoredisEntry[] | null> => {
      if (this.watched !== undefined && !(await unchanged(tx, this.watched))) return null;
      const out: IoredisEntry[] = [];
      for (const q of this.queued) out.push(await entry(tx, q, true));
      return out;
    };
    if ('transaction' in db) return db.transaction(run);
    // A single connection (pg.Client, PGlite) has no pool to take one from: the transaction runs on it.
    await db.exec('BEGIN');
    try {
      const out = await run(db);
      await db.exec('COMMIT');
      return out;
    } catch (error) {
      await db.exec('ROLLBACK');
      throw error;
    }
  }
}

/**
 * ioredis `multi()`: the queued commands run in one transaction at `exec()`.
 * `watched` comes from `ioredisWatch` (ioredis' WATCH before MULTI).
 *
 *   await r2s.ioredisMulti(pool).add(…).exec()  → [[null, 'OK']]
 */
export function ioredisMulti(target: Target, watched?: IoredisWatched): IoredisBatch {
  return new IoredisBatch(target, true, watched);
}

/**
 * ioredis `pipeline()`: the queued commands run in order at `exec()`, without a transaction.
 *
 *   await r2s.ioredisPipeline(pool).add(…).add(…).exec()  → [[null, 'OK'], [ReplyError…]]
 */
export function ioredisPipeline(target: Target): IoredisBatch {
  return new IoredisBatch(target, false);
}

/**
 * ioredis `watch(...keys)`: read the keys' versions now, for the next
 * `ioredisMulti` to check (under lock) before it runs anything.
 *
 *   const w = await r2s.ioredisWatch(pool, ['balance']); …; await r2s.ioredisMulti(pool, w).add(…).exec()  → null if balance changed
 */
export async function ioredisWatch(target: Target, keys: readonly unknown[]): Promise<IoredisWatched> {
  const names = [...new Set(keys.flat().map((k) => (Buffer.isBuffer(k) ? k.toString('utf8') : String(k))))];
  const S = quoteSchema(DEFAULT_SCHEMA);
  const rows = await database(target).query(
    `SELECT k.key, k.version FROM ${S}.keys k WHERE k.key = ANY($1::text[]) AND ${S}.is_live(k.expires_at)`,
    [names],
  );
  const found = new Map(rows.map((r) => [r['key'] as string, r['version'] as bigint]));
  return { versions: new Map(names.map((k) => [k, found.get(k) ?? null])) };
}

function database(target: Target): Queryable | Database {
  return 'kind' in target ? target : postgresDatabase(target);
}

async function unchanged(tx: Queryable, watched: IoredisWatched): Promise<boolean> {
  if (watched.versions.size === 0) return true;
  // Locks the watched keys' registry rows until COMMIT, as EXEC does in src/session.ts.
  const rows = await tx.query(watchCheckSql(quoteSchema(DEFAULT_SCHEMA)), [[...watched.versions.keys()]]);
  const now = new Map(rows.map((r) => [r['key'] as string, r['live'] === true ? (r['version'] as bigint) : null]));
  for (const [key, version] of watched.versions) if ((now.get(key) ?? null) !== version) return false;
  return true;
}

async function entry(db: Queryable, q: Queued, saved: boolean): Promise<IoredisEntry> {
  if (saved) await db.exec(`SAVEPOINT ${SAVEPOINT}`);
  let rows;
  try {
    rows = await db.query(q.sql, q.params);
  } catch (error) {
    if (!(error instanceof RedisError)) throw error;
    // The statement failed: PostgreSQL undid it, the transaction goes on from the savepoint.
    if (saved) await db.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    return [error] as unknown as IoredisEntry;
  }
  if (saved) await db.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
  try {
    // An error reply the statement returned (a script's error_reply) keeps what it wrote, as in Redis.
    const reply = decodeReply(q.shape, rows);
    return [null, clientValue(reply, 'ioredis', q.as === 'object' || q.as === 'object-buffer' ? 'object' : undefined, q.as === 'buffer' || q.as === 'object-buffer')];
  } catch (error) {
    if (!(error instanceof RedisError)) throw error;
    return [error] as unknown as IoredisEntry;
  }
}
