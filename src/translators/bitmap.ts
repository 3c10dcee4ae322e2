/**
 * Bitmaps: bit-level commands on string values (the `strings` table's bytes).
 * Reads (GETBIT, BITCOUNT, BITPOS) are plain SQL over the registry joined to
 * `strings`, with the pure helpers of emit/schema/bitmaps.ts; writes (SETBIT,
 * BITOP) call its functions, which lock the key's registry row first.
 *
 * Redis' bit n is the (7 - n % 8)-th least significant bit of byte n / 8:
 * PostgreSQL's get_bit numbers the same bit `n # 7`.
 */
import { RedisError } from '../errors.js';
import { bitopOperation } from '../grammar/commands/bitmap.js';
import { INTEGER } from '../emit/reply.js';
import { raw, sql, type Fragment, type Raw } from './sql.js';
import { bigintParam, liveKey } from './shared.js';
import type { GroupTranslators, Translator } from './types.js';

const k = raw('k');
const NULL_BIGINT = raw('NULL::bigint');

/**
 * A string read that always yields one row (a missing key answers too): the
 * arguments as a one-row `arg`, the key joined to it.
 */
const oneStringRow = (S: Raw, args: Fragment): Fragment =>
  sql`(SELECT ${args}) AS arg
LEFT JOIN ${S}.keys k ON ${liveKey(S, k, raw('arg.key'))}
LEFT JOIN ${S}.strings s ON s.key = k.key`;

/** `BYTE|BIT` as the helpers take it. */
const isBit = (unit: { readonly kind: 'byte' | 'bit' } | undefined): Raw => raw(unit?.kind === 'bit' ? 'true' : 'false');

/**
 * GETBIT key offset → the bit, 0 past the end or for a missing key.
 *   SELECT coalesce(CASE WHEN arg.pos < 8 * octet_length(s.value)::bigint THEN get_bit(s.value, arg.pos # 7) END, 0) AS reply, …
 *   FROM (SELECT $1::text AS key, $2::bigint AS pos) AS arg LEFT JOIN redis.keys k … LEFT JOIN redis.strings s …
 */
const GETBIT: Translator<'GETBIT'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce(CASE WHEN arg.pos < 8 * octet_length(s.value)::bigint THEN get_bit(s.value, arg.pos # 7) END, 0) AS reply,
  ${S}.check_type(k.type, 'string') AS type_ok
FROM ${oneStringRow(S, sql`${cmd.args.key}::text AS key, ${bigintParam(cmd.args.offset)} AS pos`)}`,
  reply: INTEGER,
});

/**
 * SETBIT key offset value → the bit's old value; the string grows with NUL bytes.
 *   SELECT redis.setbit($1::text, $2::bigint, $3::integer) AS reply
 */
const SETBIT: Translator<'SETBIT'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.setbit(${cmd.args.key}::text, ${bigintParam(cmd.args.offset)}, ${bigintParam(
    cmd.args.value,
  )}::integer) AS reply`,
  reply: INTEGER,
});

/**
 * BITCOUNT key [start end [BYTE|BIT]] → the bits set in the range (the whole string without one).
 *   SELECT redis.bit_count_range(s.value, arg.start, arg.stop, false) AS reply, …
 *   FROM (SELECT $1::text AS key, $2::bigint AS start, $3::bigint AS stop) AS arg LEFT JOIN redis.keys k …
 */
const BITCOUNT: Translator<'BITCOUNT'> = (cmd, { S }) => {
  const { key, index } = cmd.args;
  const start = index === undefined ? NULL_BIGINT : bigintParam(index.start);
  const end = index === undefined ? NULL_BIGINT : bigintParam(index.end);
  return {
    sql: sql`SELECT ${S}.bit_count_range(s.value, arg.start, arg.stop, ${isBit(index?.index_unit)}) AS reply,
  ${S}.check_type(k.type, 'string') AS type_ok
FROM ${oneStringRow(S, sql`${key}::text AS key, ${start} AS start, ${end} AS stop`)}`,
    reply: INTEGER,
  };
};

/**
 * BITPOS key bit [start [end [BYTE|BIT]]] → the first such bit's position, or -1.
 *   SELECT redis.bit_position(s.value, arg.bit, arg.start, arg.stop, false) AS reply, …
 *   FROM (SELECT $1::text AS key, $2::integer AS bit, $3::bigint AS start, NULL::bigint AS stop) AS arg LEFT JOIN …
 */
const BITPOS: Translator<'BITPOS'> = (cmd, { S }) => {
  const { key, bit, index } = cmd.args;
  const start = index === undefined ? NULL_BIGINT : bigintParam(index.start);
  const end = index?.end_index === undefined ? NULL_BIGINT : bigintParam(index.end_index.end);
  return {
    sql: sql`SELECT ${S}.bit_position(s.value, arg.bit, arg.start, arg.stop, ${isBit(index?.end_index?.index_unit)}) AS reply,
  ${S}.check_type(k.type, 'string') AS type_ok
FROM ${oneStringRow(S, sql`${key}::text AS key, ${bigintParam(bit)}::integer AS bit, ${start} AS start, ${end} AS stop`)}`,
    reply: INTEGER,
  };
};

/**
 * BITOP AND|OR|XOR|NOT destkey key [key …] → the result's length; an empty
 * result deletes destkey.
 *   SELECT redis.bitop('AND', $1::text, $2::text[]) AS reply
 */
const BITOP: Translator<'BITOP'> = (cmd, { S }) => {
  const op = bitopOperation(cmd.args.operation);
  if (op === undefined) throw new RedisError('ERR syntax error', 1);
  if (op === 'NOT' && cmd.args.key.length !== 1) {
    throw new RedisError('ERR BITOP NOT must be called with a single source key.');
  }
  return {
    sql: sql`SELECT ${S}.bitop(${raw(`'${op}'`)}, ${cmd.args.destkey}::text, ${cmd.args.key}::text[]) AS reply`,
    reply: INTEGER,
  };
};

export const BITMAP_TRANSLATORS = {
  BITCOUNT,
  BITOP,
  BITPOS,
  GETBIT,
  SETBIT,
} as const satisfies GroupTranslators<'bitmap'>;
