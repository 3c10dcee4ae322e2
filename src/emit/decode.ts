import type { DbValue, Row } from '../db/types.js';
import { formatDouble } from './doubles.js';
import type { RedisReply, ReplyShape, ScalarKind } from './reply.js';

const DEFAULT_COLUMN = 'reply';
const NIL_BULK: RedisReply = Object.freeze({ type: 'bulk', value: null });
const NIL_ARRAY: RedisReply = Object.freeze({ type: 'array', value: null });
const EMPTY_ARRAY: RedisReply = Object.freeze({ type: 'array', value: Object.freeze([]) });

/**
 * Turn the rows of a compiled statement into the Redis reply its shape
 * describes. The rows are normalised (`src/db`): bytea as Buffer, int8 as
 * bigint, float8 as number.
 *
 *   decodeReply({ kind: 'scalar', of: 'bulk' }, [{ reply: Buffer.from('v') }])  → { type: 'bulk', value: <Buffer 76> }
 *   decodeReply({ kind: 'scalar', of: 'bulk' }, [])                             → { type: 'bulk', value: null }
 *   decodeReply({ kind: 'rows', row: { kind: 'tuple', items: [BULK, DOUBLE] }, flat: true },
 *               [{ m: …, s: 1.5 }])                                             → array ["a", "1.5"]
 *
 * A column the shape names but the row lacks, or a value of the wrong SQL
 * type, is a bug in a translator and throws a plain Error.
 */
export function decodeReply(shape: ReplyShape, rows: readonly Row[]): RedisReply {
  switch (shape.kind) {
    case 'constant':
      return { type: 'status', value: shape.status };
    case 'scalar': {
      const row = rows[0];
      const nil = shape.nil === 'array' ? NIL_ARRAY : NIL_BULK;
      if (row === undefined) return nil;
      const value = column(row, shape.column);
      return value === null ? nil : scalarReply(shape.of, value);
    }
    case 'array-column': {
      const row = rows[0];
      const nil = shape.nil === 'array' ? NIL_ARRAY : EMPTY_ARRAY;
      if (row === undefined) return nil;
      const value = column(row, shape.column);
      if (value === null) return nil;
      if (!Array.isArray(value)) throw new Error(`decode: column ${shape.column ?? DEFAULT_COLUMN} is not an array`);
      return { type: 'array', value: (value as readonly DbValue[]).map((v) => (v === null ? NIL_BULK : scalarReply(shape.of, v))) };
    }
    case 'rows': {
      if (rows.length === 0) return shape.nilWhenEmpty === true ? NIL_ARRAY : EMPTY_ARRAY;
      const items: RedisReply[] = [];
      for (const row of rows) {
        const item = decodeReply(shape.row, [row]);
        if (shape.flat === true && item.type === 'array') items.push(...(item.value ?? []));
        else items.push(item);
      }
      return { type: 'array', value: items };
    }
    case 'tuple': {
      if (rows.length === 0 && shape.nilWhenNoRow === true) return NIL_ARRAY;
      const first = rows.slice(0, 1);
      return { type: 'array', value: shape.items.map((item) => decodeReply(item, first)) };
    }
    case 'zip': {
      const row = rows[0];
      if (row === undefined) return EMPTY_ARRAY;
      const arrays = shape.columns.map(({ column: name }) => {
        const value = column(row, name);
        if (value !== null && !Array.isArray(value)) throw new Error(`decode: column ${name} is not an array`);
        return (value ?? []) as readonly DbValue[];
      });
      const length = arrays[0]?.length ?? 0;
      const items: RedisReply[] = [];
      for (let i = 0; i < length; i++) {
        const element = shape.columns.map(({ of }, c) => {
          const v = arrays[c]![i] ?? null;
          return v === null ? NIL_BULK : scalarReply(of, v);
        });
        if (shape.flat === true || element.length === 1) items.push(...element);
        else items.push({ type: 'array', value: element });
      }
      return { type: 'array', value: items };
    }
    case 'groups': {
      if (rows.length === 0) return NIL_ARRAY;
      const groups: RedisReply[] = [];
      let start = 0;
      for (let i = 1; i <= rows.length; i++) {
        if (i < rows.length && String(column(rows[i]!, shape.by)) === String(column(rows[start]!, shape.by))) continue;
        const group = rows.slice(start, i);
        groups.push({
          type: 'array',
          value: [decodeReply(shape.head, group), { type: 'array', value: group.map((r) => decodeReply(shape.row, [r])) }],
        });
        start = i;
      }
      return { type: 'array', value: groups };
    }
    case 'json': {
      const row = rows[0];
      if (row === undefined) return NIL_BULK;
      const value = column(row, shape.column);
      return value === null ? NIL_BULK : jsonReply(typeof value === 'string' ? (JSON.parse(value) as unknown) : value);
    }
    case 'lua': {
      const row = rows[0];
      if (row === undefined) return NIL_BULK;
      const value = column(row, shape.column);
      return value === null ? NIL_BULK : luaReply(typeof value === 'string' ? (JSON.parse(value) as unknown) : value);
    }
    default:
      return unreachable(shape);
  }
}

/** A parsed value of the `lua` shape (see reply.ts) as a Redis reply. */
function luaReply(value: unknown): RedisReply {
  if (value === null) return NIL_BULK;
  const v = value as { i?: string; b?: string; s?: string; e?: string; a?: unknown[] };
  if (typeof v.i === 'string') return { type: 'integer', value: BigInt(v.i) };
  if (typeof v.b === 'string') return { type: 'bulk', value: Buffer.from(v.b, 'hex') };
  if (typeof v.s === 'string') return { type: 'status', value: Buffer.from(v.s, 'hex').toString('utf8') };
  if (typeof v.e === 'string') return { type: 'error', message: Buffer.from(v.e, 'hex').toString('utf8') };
  if (Array.isArray(v.a)) return { type: 'array', value: v.a.map(luaReply) };
  if ('a' in v && v.a === null) return NIL_ARRAY;
  throw new Error(`decode: not a lua reply: ${JSON.stringify(value)}`);
}

/** A parsed JSON value of the `json` shape as a Redis reply. */
function jsonReply(value: unknown): RedisReply {
  if (value === null) return NIL_BULK;
  if (Array.isArray(value)) return { type: 'array', value: value.map(jsonReply) };
  if (typeof value === 'number' && Number.isInteger(value)) return { type: 'integer', value: BigInt(value) };
  if (typeof value === 'string') return { type: 'bulk', value: Buffer.from(value, 'utf8') };
  throw new Error(`decode: JSON ${JSON.stringify(value)} has no Redis reply`);
}

function unreachable(shape: never): never {
  throw new Error(`decode: unknown reply shape ${JSON.stringify(shape)}`);
}

function column(row: Row, name: string = DEFAULT_COLUMN): DbValue {
  if (!Object.hasOwn(row, name)) {
    throw new Error(`decode: the statement returned no column "${name}" (columns: ${Object.keys(row).join(', ')})`);
  }
  return row[name] ?? null;
}

/** One non-NULL SQL value as the Redis value of kind `of`. */
function scalarReply(of: ScalarKind, value: Exclude<DbValue, null>): RedisReply {
  switch (of) {
    case 'status':
      return { type: 'status', value: Buffer.isBuffer(value) ? value.toString('utf8') : String(value) };
    case 'integer':
      return { type: 'integer', value: toBigInt(value) };
    case 'bulk':
    case 'decimal':
      return { type: 'bulk', value: toBytes(value) };
    case 'double':
      return { type: 'bulk', value: Buffer.from(formatDouble(toNumber(value)), 'latin1') };
    default:
      return unreachableKind(of);
  }
}

function unreachableKind(of: never): never {
  throw new Error(`decode: unknown scalar kind ${String(of)}`);
}

function toBigInt(value: Exclude<DbValue, null>): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  // numeric arrives as exact text.
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`decode: ${describe(value)} is not an integer`);
}

function toNumber(value: Exclude<DbValue, null>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    // float8 text as PostgreSQL spells it, should a translator select it as text.
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    const n = Number(value);
    if (value.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new Error(`decode: ${describe(value)} is not a double`);
}

function toBytes(value: Exclude<DbValue, null>): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (typeof value === 'bigint' || typeof value === 'number') return Buffer.from(String(value), 'latin1');
  throw new Error(`decode: ${describe(value)} is not a string`);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : `${typeof value} ${String(value)}`;
}
