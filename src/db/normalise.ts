import { DatabaseError, RedisError } from '../errors.js';
import { REDIS_ERROR_SQLSTATE } from '../emit/reply.js';
import type { DbValue } from './types.js';

/** PostgreSQL type OIDs whose JS form we choose rather than take the driver's default. */
export const OID = {
  bytea: 17,
  byteaArray: 1001,
  int8: 20,
  numeric: 1700,
  int8Array: 1016,
  numericArray: 1231,
  json: 114,
  jsonb: 3802,
} as const;

/**
 * Turn what a driver returned into a `DbValue`: a Uint8Array (PGlite's bytea)
 * becomes a Buffer sharing its memory, arrays are walked; the rest already has
 * the right type because the drivers' int8/numeric parsers are set per client.
 *
 *   normaliseValue(new Uint8Array([1]))  → <Buffer 01>
 */
export function normaliseValue(value: unknown): DbValue {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(normaliseValue);
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return value;
    default:
      // A type we never select (json, timestamps as Date…): keep its text form
      // rather than leak a driver object into replies.
      return String(value);
  }
}

export function normaliseRow(row: Readonly<Record<string, unknown>>): Record<string, DbValue> {
  const out: Record<string, DbValue> = {};
  for (const [name, value] of Object.entries(row)) out[name] = normaliseValue(value);
  return out;
}

interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly detail?: unknown;
  readonly hint?: unknown;
  readonly where?: unknown;
}

/**
 * Map a driver's error to ours: RD000 is a Redis error reply raised by our SQL
 * (its message is Redis' text); anything else is a bug or a setup problem and
 * says so with its SQLSTATE.
 *
 *   toError({ code: 'RD000', message: 'WRONGTYPE …' })  → RedisError('WRONGTYPE …')
 *   toError({ code: '42P01', message: 'relation "redis.keys" does not exist' })
 *     → DatabaseError('relation "redis.keys" does not exist (SQLSTATE 42P01)')
 */
export function toError(error: unknown): Error {
  if (error instanceof RedisError || error instanceof DatabaseError) return error;
  if (typeof error !== 'object' || error === null) return new DatabaseError(String(error));
  const e = error as DriverError;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code === REDIS_ERROR_SQLSTATE) return new RedisError(message);
  if (code === undefined) return new DatabaseError(message || String(error));
  // Node's network errors carry codes too (ECONNREFUSED): only five-character codes are SQLSTATEs.
  if (!/^[0-9A-Z]{5}$/.test(code)) return new DatabaseError(`${message || code} (${code})`, code);
  const extra = [e.detail, e.hint].filter((x): x is string => typeof x === 'string' && x !== '');
  return new DatabaseError(`${[message, ...extra].join('; ')} (SQLSTATE ${code})`, code);
}

/**
 * A PostgreSQL channel name as a quoted identifier for LISTEN / UNLISTEN (the
 * name is ours, derived from the schema, never Redis data).
 *
 *   quoteChannel('redis2sql.redis') → "redis2sql.redis"
 */
export function quoteChannel(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}
