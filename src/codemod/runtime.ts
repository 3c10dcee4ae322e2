/**
 * What the codemod's output calls at run time: one statement compiled ahead
 * of time, its parameters, and the reply shape, turned back into the value
 * the Redis client would have returned.
 *
 * The generated code imports this module (`redis2sql/codemod-runtime`) rather
 * than a copy written into the user's project, so that the decoding stays the
 * one `exec` and the tests check (src/emit/decode.ts) and gets fixes by
 * upgrading one dependency.
 *
 *   import { ioredis as r2s } from 'redis2sql/codemod-runtime';
 *   await r2s(pool, 'SELECT … AS reply', [String(k)], { kind: 'scalar', of: 'bulk' })  → 'v' | null
 */
import type pg from 'pg';
import { RedisError } from '../errors.js';
import { decodeReply } from '../emit/decode.js';
import type { RedisReply, ReplyShape } from '../emit/reply.js';
import { postgresDatabase } from '../db/postgres.js';
import type { Queryable } from '../db/types.js';
import type { SqlParam } from '../translators/sql.js';

/** Where the statement runs: the application's pg Pool/Client, or one of our databases (tests use PGlite). */
export type Target = pg.Pool | pg.Client | (Queryable & { readonly kind: 'embedded' | 'postgres' });

/** How a reply becomes an ioredis value beyond the generic mapping (HGETALL's object). */
export type IoredisAs = 'value' | 'object';

/** The JS values ioredis 5 resolves with (default reply transformers). */
export type IoredisValue = string | number | null | IoredisValue[] | Record<string, string>;

/**
 * Run a compiled statement and return what ioredis 5 would have returned.
 * Redis error replies reject with a `RedisError` carrying Redis' message (as
 * ioredis' ReplyError does).
 *
 *   await ioredis(pool, sql, [String(k)], { kind: 'scalar', of: 'integer' })  → 1
 *   await ioredis(pool, sql, ['h'], { kind: 'array-column', of: 'bulk' }, 'object')  → { f: 'v' }
 */
export async function ioredis<T = IoredisValue>(
  target: Target,
  sql: string,
  params: readonly SqlParam[],
  shape: ReplyShape,
  as: IoredisAs = 'value',
): Promise<T> {
  const db: Queryable = 'kind' in target ? target : postgresDatabase(target);
  const rows = await db.query(sql, params);
  const value = toIoredis(decodeReply(shape, rows));
  // T is the type ioredis declared for the call the codemod replaced; the shape decides the value.
  return (as === 'object' ? pairsToObject(value) : value) as T;
}

/**
 * A Redis reply as ioredis 5 gives it: bulk → UTF-8 string, integer → number,
 * status → its text, nil → null; an error reply throws.
 *
 *   toIoredis({ type: 'integer', value: 3n })  → 3
 */
export function toIoredis(reply: RedisReply): IoredisValue {
  switch (reply.type) {
    case 'status':
      return reply.value;
    case 'error':
      throw new RedisError(reply.message);
    case 'integer':
      return Number(reply.value);
    case 'bulk':
      return reply.value === null ? null : reply.value.toString('utf8');
    case 'array':
      return reply.value === null ? null : reply.value.map(toIoredis);
  }
}

function pairsToObject(value: IoredisValue): Record<string, string> {
  // ioredis builds HGETALL's object the same way: a plain object, later fields win.
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (let i = 0; i + 1 < value.length; i += 2) out[String(value[i])] = String(value[i + 1]);
  return out;
}

/**
 * A value as ioredis sends it to Redis, as bytes: Buffers as they are,
 * null/undefined as "", everything else `String(x)`.
 *
 *   bytes(12)  → <Buffer 31 32>
 */
export function bytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(value === null || value === undefined ? '' : String(value), 'utf8');
}

/**
 * A value as ioredis sends it, as text (keys, integer arguments).
 *
 *   text(undefined)  → ''
 */
export function text(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value === null || value === undefined ? '' : String(value);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A value sent where Redis reads a 64-bit integer, checked as Redis checks it;
 * anything else fails with Redis' own error (as ioredis would reject).
 *
 *   integer(60)   → '60'
 *   integer(1.5)  → throws RedisError('ERR value is not an integer or out of range')
 */
export function integer(value: unknown): string {
  const s = text(value);
  if (/^-?(0|[1-9][0-9]*)$/.test(s) && s !== '-0') {
    const n = BigInt(s);
    if (n >= INT64_MIN && n <= INT64_MAX) return s;
  }
  throw new RedisError('ERR value is not an integer or out of range');
}

/**
 * A number sent where Redis reads a double (ZADD's scores): NaN is Redis' error.
 *
 *   double(2.5)  → 2.5
 *   double(NaN)  → throws RedisError('ERR value is not a valid float')
 */
export function double(value: unknown): number {
  const n = Number(value);
  if (Number.isNaN(n)) throw new RedisError('ERR value is not a valid float');
  return n;
}
