import { sql, type Fragment, type Raw } from './sql.js';

/**
 * SQL pieces every group uses. Reads find a live key with `liveKey`; writes go
 * through the schema's `open_key` / `close_key` functions (see emit/schema/core.ts).
 */

/** `k.key = $n AND S.is_live(k.expires_at)` for a registry alias `k`. */
export const liveKey = (S: Raw, alias: Raw, key: unknown): Fragment =>
  sql`${alias}.key = ${key} AND ${S}.is_live(${alias}.expires_at)`;
