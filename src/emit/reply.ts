/**
 * Redis replies (RESP2, as Redis 7.0 gives them to a client that did not ask
 * for RESP3) and the shapes that say how a compiled statement's rows become one.
 *
 * Every compiled statement names its result columns; a shape reads them. The
 * default column is `reply`. A shape never looks at the command: the same rows
 * always decode to the same reply, which is what lets Lua, MULTI and the
 * codemod reuse it.
 */

export type RedisReply =
  | { readonly type: 'status'; readonly value: string }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'integer'; readonly value: bigint }
  | { readonly type: 'bulk'; readonly value: Buffer | null }
  | { readonly type: 'array'; readonly value: readonly RedisReply[] | null };

/** How one SQL value becomes one Redis value. */
export type ScalarKind =
  /** text → +status; NULL → nil bulk (SET … NX that did not set). */
  | 'status'
  /** int8/int4/bool/numeric → :integer; NULL → nil bulk. */
  | 'integer'
  /** bytea or text → $bulk; NULL → nil bulk. */
  | 'bulk'
  /** float8 → $bulk formatted as Redis 7.0 prints doubles (`%.17g`); NULL → nil. */
  | 'double'
  /** text holding a decimal already formatted by SQL (INCRBYFLOAT) → $bulk. */
  | 'decimal';

export type ReplyShape =
  /** A fixed status, whatever the rows (`+OK`, `+PONG`). */
  | { readonly kind: 'constant'; readonly status: string }
  /** One value from the first row; no row → nil (`nil` says which nil). */
  | { readonly kind: 'scalar'; readonly of: ScalarKind; readonly column?: string; readonly nil?: 'bulk' | 'array' }
  /** A SQL array in the first row's column → a Redis array; NULL or no row → `nil` (default: empty array). */
  | {
      readonly kind: 'array-column';
      readonly of: ScalarKind;
      readonly column?: string;
      readonly nil?: 'array' | 'empty';
    }
  /** Each row → one element decoded by `row`; `flat` splices each row's elements in instead. */
  | {
      readonly kind: 'rows';
      readonly row: ReplyShape;
      readonly flat?: boolean;
      /** No rows → nil array instead of an empty one (LPOP key count on a missing key). */
      readonly nilWhenEmpty?: boolean;
    }
  /** A fixed-length array whose items all read the first row (SCAN: cursor then keys). */
  | { readonly kind: 'tuple'; readonly items: readonly ReplyShape[]; readonly nilWhenNoRow?: boolean }
  /**
   * Parallel SQL arrays in the first row's columns (members, scores), zipped
   * element by element: `flat` gives [m1, s1, m2, s2…] (WITHSCORES), otherwise
   * one column gives [m1, m2…] and several give [[m1, s1], [m2, s2]…] (ZMPOP).
   * A NULL array (array_agg of nothing) or no row is an empty array.
   */
  | {
      readonly kind: 'zip';
      readonly columns: readonly { readonly column: string; readonly of: ScalarKind }[];
      readonly flat?: boolean;
    }
  /**
   * JSON text (or a json/jsonb value) in the first row's column, decoded by its
   * structure: array → array, integer → :integer, string → bulk (its UTF-8
   * bytes), null → nil bulk; NULL or no row → nil bulk. For nested replies made
   * of integers and text only (LCS … IDX): never for binary data.
   */
  | { readonly kind: 'json'; readonly column?: string }
  /**
   * A Lua script's reply: jsonb in the first row's column, one object per
   * Redis value — {"i": "12"} integer (decimal text), {"b": hex} bulk,
   * {"s": hex} status, {"e": hex} error, {"a": […]} array, {"a": null} nil
   * array — and null for a nil bulk. Bytes are lower-case hex, so binary
   * values survive. NULL or no row → nil bulk. Also the reply of the stream
   * functions that build nested replies in PL/pgSQL (XREADGROUP, XPENDING,
   * XCLAIM, XINFO…), where Lua never makes a nil array.
   */
  | { readonly kind: 'lua'; readonly column?: string }
  /**
   * Rows split into groups where the integer column `by` changes (the
   * statement orders them so): each group → [`head` decoded from the group's
   * first row, [each row of the group decoded by `row`]]. No rows → nil
   * array (XREAD: [[key, [entry…]]…], or nil when no stream has anything).
   */
  | { readonly kind: 'groups'; readonly by: string; readonly head: ReplyShape; readonly row: ReplyShape };

/** SQLSTATE of errors raised by our SQL: the message is Redis' reply text. */
export const REDIS_ERROR_SQLSTATE = 'RD000';

export const constant = (status: string): ReplyShape => ({ kind: 'constant', status });
export const OK: ReplyShape = constant('OK');
export const scalar = (of: ScalarKind, column?: string): ReplyShape =>
  column === undefined ? { kind: 'scalar', of } : { kind: 'scalar', of, column };
export const INTEGER = scalar('integer');
export const BULK = scalar('bulk');
export const DOUBLE = scalar('double');
export const STATUS = scalar('status');
