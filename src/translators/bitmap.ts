/**
 * Bitmaps: bit-level commands on string values (the `strings` table's bytes).
 * Reads (GETBIT, BITCOUNT, BITPOS) are plain SQL over the registry joined to
 * `strings`, with the pure helpers of emit/schema/bitmaps.ts; writes (SETBIT,
 * BITOP, BITFIELD) call its functions, which lock the key's registry row first.
 *
 * Redis' bit n is the (7 - n % 8)-th least significant bit of byte n / 8:
 * PostgreSQL's get_bit numbers the same bit `n # 7`.
 */
import { RedisError } from '../errors.js';
import { bitopOperation } from '../grammar/commands/bitmap.js';
import { toInteger } from '../grammar/values.js';
import { INTEGER } from '../emit/reply.js';
import { raw, sql, type Fragment, type Raw } from './sql.js';
import { bigintParam, liveKey } from './shared.js';
import type { GroupTranslators, Translation, Translator } from './types.js';

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
const isBit = (unit: { readonly kind: 'byte' | 'bit' } | undefined): Raw =>
  raw(unit?.kind === 'bit' ? 'true' : 'false');

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

// ---------------------------------------------------------------- BITFIELD

const TYPE_ERROR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const OFFSET_ERROR = 'ERR bit offset is not an integer or out of range';

/** A word as C's strcasecmp sees it: up to its first NUL byte, compared without case. */
const cWordIs = (word: Buffer, name: string): boolean => {
  const nul = word.indexOf(0);
  return (nul < 0 ? word : word.subarray(0, nul)).toString('latin1').toLowerCase() === name;
};

interface FieldOp {
  readonly op: 'get' | 'set' | 'incrby';
  readonly signed: boolean;
  readonly bits: number;
  readonly offset: bigint;
  readonly value: bigint;
  readonly overflow: 'wrap' | 'sat' | 'fail';
}

/** Redis' getBitfieldTypeFromArgument: `i1`…`i64`, `u1`…`u63` (the letter in lower case). */
function fieldType(word: Buffer, argIndex: number): { signed: boolean; bits: number } {
  const signed = word[0] === 0x69;
  if (!signed && word[0] !== 0x75) throw new RedisError(TYPE_ERROR, argIndex);
  const nul = word.indexOf(0, 1);
  const bits = toInteger(word.subarray(1, nul < 0 ? word.length : nul));
  if (bits === undefined || bits < 1n || bits > (signed ? 64n : 63n)) throw new RedisError(TYPE_ERROR, argIndex);
  return { signed, bits: Number(bits) };
}

/** Redis' getBitOffsetFromArgument: `#n` is n fields of this type (an int64 product, as C computes it). */
function fieldOffset(word: Buffer, bits: number, argIndex: number): bigint {
  const hash = word[0] === 0x23;
  let offset = toInteger(hash ? word.subarray(1) : word);
  if (offset === undefined) throw new RedisError(OFFSET_ERROR, argIndex);
  if (hash) offset = BigInt.asIntN(64, offset * BigInt(bits));
  if (offset < 0n || offset >> 3n >= 536870912n) throw new RedisError(OFFSET_ERROR, argIndex);
  return offset;
}

/**
 * Redis' bitfieldGeneric loop over the subcommands, with its errors in its
 * order; for BITFIELD_RO any write is refused once every word is read.
 */
function fieldOps(words: readonly Buffer[], readonly: boolean): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: FieldOp['overflow'] = 'wrap';
  for (let j = 0; j < words.length; j++) {
    const argIndex = j + 2;
    const rest = words.length - j - 1;
    const word = words[j]!;
    let op: FieldOp['op'];
    if (cWordIs(word, 'get') && rest >= 2) op = 'get';
    else if (cWordIs(word, 'set') && rest >= 3) op = 'set';
    else if (cWordIs(word, 'incrby') && rest >= 3) op = 'incrby';
    else if (cWordIs(word, 'overflow') && rest >= 1) {
      const type = words[++j]!;
      if (cWordIs(type, 'wrap')) overflow = 'wrap';
      else if (cWordIs(type, 'sat')) overflow = 'sat';
      else if (cWordIs(type, 'fail')) overflow = 'fail';
      else throw new RedisError('ERR Invalid OVERFLOW type specified', argIndex + 1);
      continue;
    } else throw new RedisError('ERR syntax error', argIndex);
    const { signed, bits } = fieldType(words[j + 1]!, argIndex + 1);
    const offset = fieldOffset(words[j + 2]!, bits, argIndex + 2);
    let value = 0n;
    if (op !== 'get') {
      const v = toInteger(words[j + 3]!);
      if (v === undefined) throw new RedisError('ERR value is not an integer or out of range', argIndex + 3);
      value = v;
    }
    ops.push({ op, signed, bits, offset, value, overflow });
    j += op === 'get' ? 2 : 3;
  }
  if (readonly && ops.some((o) => o.op !== 'get')) {
    throw new RedisError('ERR BITFIELD_RO only supports the GET subcommand');
  }
  return ops;
}

/**
 * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] …
 * → one integer per GET, SET (the old value) and INCRBY (the new one), nil
 * where OVERFLOW FAIL refused the write. The subcommands go to SQL as
 * parallel arrays, one element per GET, SET or INCRBY.
 *   SELECT redis.bitfield($1::text, $2::text[], $3::boolean[], $4::integer[], $5::bigint[], $6::bigint[], $7::text[]) AS reply
 */
const bitfield = (S: Raw, key: string, ops: readonly FieldOp[]): Translation => ({
  sql: sql`SELECT ${S}.bitfield(${key}::text, ${ops.map((o) => o.op)}::text[], ${ops.map((o) => o.signed)}::boolean[], ${ops.map(
    (o) => o.bits,
  )}::integer[], ${ops.map((o) => String(o.offset))}::bigint[], ${ops.map((o) => String(o.value))}::bigint[], ${ops.map(
    (o) => o.overflow,
  )}::text[]) AS reply`,
  reply: { kind: 'array-column', of: 'integer' },
});

const BITFIELD: Translator<'BITFIELD'> = (cmd, { S }) => bitfield(S, cmd.args.key, fieldOps(cmd.args.operation, false));

/** BITFIELD_RO key [GET type offset …]: BITFIELD's GETs only. */
const BITFIELD_RO: Translator<'BITFIELD_RO'> = (cmd, { S }) =>
  bitfield(S, cmd.args.key, fieldOps(cmd.args.operation, true));

export const BITMAP_TRANSLATORS = {
  BITCOUNT,
  BITFIELD,
  BITFIELD_RO,
  BITOP,
  BITPOS,
  GETBIT,
  SETBIT,
} as const satisfies GroupTranslators<'bitmap'>;
