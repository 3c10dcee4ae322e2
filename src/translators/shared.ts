import { RedisError } from '../errors.js';
import { param, sql, type Fragment, type Raw } from './sql.js';

/**
 * SQL pieces every group uses. Reads find a live key with `liveKey`; writes go
 * through the schema's `open_key` / `close_key` functions (see emit/schema/core.ts).
 */

/** `k.key = $n AND S.is_live(k.expires_at)` for a registry alias `k`. */
export const liveKey = (S: Raw, alias: Raw, key: unknown): Fragment =>
  sql`${alias}.key = ${key} AND ${S}.is_live(${alias}.expires_at)`;

/** An int64 argument as a `$n::bigint` parameter (bigints travel as decimal text). */
export const bigintParam = (value: bigint): Fragment => sql`${param(value)}::bigint`;

/**
 * What blocking commands (BLPOP, BZPOPMIN, BLMOVE…) do here: what Redis does
 * with them inside MULTI — no wait, nil when there is nothing to pop.
 */
export const blockingWarning = (name: string): string =>
  `${name} does not wait here: like ${name} inside MULTI, it answers at once (nil when there is nothing to pop)`;

/**
 * A blocking command's timeout, checked as Redis 7.0 checks it once it is a
 * float: in milliseconds as a long long, where a value too large wraps
 * negative (`BLPOP k 1e308`, `+inf`: ERR timeout is negative).
 */
export function checkTimeout(timeout: number, argIndex: number): void {
  if (timeout < 0 || timeout * 1000 >= 2 ** 63) throw new RedisError('ERR timeout is negative', argIndex);
}

/** LMPOP / ZMPOP (and their blocking forms) COUNT. */
export function checkMpopCount(count: bigint | undefined, argIndex: number): void {
  if (count !== undefined && count <= 0n) throw new RedisError('ERR count should be greater than 0', argIndex);
}
