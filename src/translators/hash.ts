/**
 * Hashes. Reads are plain SQL over the registry joined to `hashes`; writes
 * call the functions of emit/schema/hashes.ts, which lock the key's registry
 * row before reading a field.
 *
 * Orders Redis leaves unspecified, made deterministic here:
 *  - HGETALL, HKEYS, HVALS: by field, bytewise (HVALS in its fields' order);
 *  - HSCAN: by the fields' scan slot (`member_slot`, a hash of the field), then
 *    bytewise; the cursor is the next slot to visit, 0 when done;
 *  - HRANDFIELD: random() (a count ≥ 0 gives distinct fields in random order).
 */
import { RedisError } from '../errors.js';
import { BULK, INTEGER, OK, scalar, type ReplyShape } from '../emit/reply.js';
import { toInteger } from '../grammar/values.js';
import { liveKey } from './shared.js';
import { param, raw, sql, type Fragment, type Raw } from './sql.js';
import type { GroupTranslators, Translator } from './types.js';

const k = raw('k');
const ARRAY: ReplyShape = { kind: 'array-column', of: 'bulk' };
const LONG_MAX = 2n ** 63n - 1n;

const bytes = (value: Buffer): Fragment => sql`${param(value)}::bytea`;
const byteArray = (values: readonly Buffer[]): Fragment => sql`${param([...values])}::bytea[]`;
const keyText = (key: string): Fragment => sql`${param(key)}::text`;

/** member_slot runs from 1 to 2^53; a cursor past it is the end. */
const SLOT_END = 2n ** 53n + 1n;

/**
 * HSCAN / SSCAN: COUNT elements from the cursor's slot on (with every other
 * element of the last slot; all of them for a collection Redis would keep in
 * its compact encoding), then MATCH filters them, so a batch can be empty
 * while the cursor is not 0, as in Redis. Redis reads the cursor first, then
 * looks the key up, then reads COUNT: a missing key is an empty scan whatever
 * COUNT says, so COUNT's error is raised by SQL, only for an existing key.
 *
 *   HSCAN h 0 MATCH f* COUNT 10 →
 *   SELECT coalesce(<first slot after the page>, 0)::text AS cursor,
 *          ARRAY(<field, value of the page's slots that match, by slot>) AS reply,
 *          redis.scan_check(k.type, 'hash', $4::text) AS type_ok
 *   FROM (VALUES (1)) AS one LEFT JOIN redis.keys k ON k.key = $1 AND redis.is_live(k.expires_at)
 *   LEFT JOIN LATERAL (SELECT max(slot) AS last FROM (<COUNT slots from $2>) AS p) AS page ON true
 */
export function memberScan(
  S: Raw,
  scan: {
    readonly type: 'hash' | 'set';
    readonly key: string;
    /** As the parser read it (strtoul's leniency: `-1` is 2^64-1). */
    readonly cursor: bigint;
    readonly pattern: Buffer | undefined;
    /** Every COUNT given, in order (the grammar checked each as Redis reads them): the last one counts. */
    readonly count: readonly bigint[];
  },
): { sql: Fragment; reply: ReplyShape } {
  const cursor = scan.cursor;
  const from = param(cursor > SLOT_END ? SLOT_END : cursor);
  // A bad COUNT is the grammar's deferred error now (raised after the key lookup); none reaches here.
  const countError: string | null = null;
  const count = param(scan.count[scan.count.length - 1] ?? 10n);
  const [table, column, items] =
    scan.type === 'hash'
      ? [sql`${S}.hashes`, raw('field'), sql`(VALUES (1, e.field), (2, e.value)) AS v(o, x)`]
      : [sql`${S}.sets`, raw('member'), sql`(VALUES (1, e.member)) AS v(o, x)`];
  // MATCH * alone filters nothing (Redis skips it), not even the empty element.
  const pattern = scan.pattern;
  const match =
    pattern === undefined || pattern.equals(Buffer.from('*'))
      ? sql``
      : sql` AND encode(e.${column}, 'hex') ~ (SELECT ${S}.glob_regex(${bytes(pattern)}))`;
  const slot = sql`${S}.member_slot(e.${column})`;
  // Redis ignores COUNT for a small collection in its compact encoding (a listpack hash:
  // at most 128 fields and values of at most 64 bytes; an intset: at most 512 integers)
  // and returns it whole; so do we, judging by the contents (Redis also remembers history).
  const compact =
    scan.type === 'hash'
      ? sql`k.size <= 128 AND NOT EXISTS (SELECT FROM ${table} e WHERE e.key = k.key
              AND (octet_length(e.field) > 64 OR octet_length(e.value) > 64))`
      : sql`k.size <= 512 AND NOT EXISTS (SELECT FROM ${table} e WHERE e.key = k.key
              AND ${S}.string_int64(e.member) IS NULL)`;
  return {
    sql: sql`SELECT coalesce((SELECT ${slot} FROM ${table} e WHERE e.key = k.key AND ${slot} > page.last
                 ORDER BY 1 LIMIT 1), 0)::text AS cursor,
  ARRAY(SELECT v.x FROM ${table} e, LATERAL ${items}
        WHERE e.key = k.key AND ${slot} BETWEEN ${from}::bigint AND page.last${match}
        ORDER BY ${slot}, e.${column}, v.o) AS reply,
  ${S}.scan_check(k.type, ${raw(`'${scan.type}'`)}, ${param(countError)}::text) AS type_ok
FROM (VALUES (1)) AS one
LEFT JOIN ${S}.keys k ON ${liveKey(S, k, param(scan.key))}
LEFT JOIN LATERAL (SELECT max(p.slot) AS last
  FROM (SELECT ${slot} AS slot FROM ${table} e WHERE e.key = k.key AND ${slot} >= ${from}::bigint
        ORDER BY 1 LIMIT CASE WHEN ${compact} THEN NULL ELSE ${count}::bigint END) AS p) AS page ON true`,
    reply: { kind: 'tuple', items: [scalar('bulk', 'cursor'), ARRAY] },
  };
}

/**
 * Redis reads a random-pick count as a long in -LONG_MAX..LONG_MAX (HRANDFIELD,
 * SRANDMEMBER), before it looks at the key.
 */
export function checkRandomCount(count: bigint): void {
  if (count < -LONG_MAX) {
    throw new RedisError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807', 2);
  }
}

/** HDEL key field [field …] → the number removed. `SELECT redis.hdel($1::text, $2::bytea[]) AS reply` */
const HDEL: Translator<'HDEL'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.hdel(${keyText(cmd.args.key)}, ${byteArray(cmd.args.field)}) AS reply`,
  reply: INTEGER,
});

/**
 * HEXISTS key field
 *   SELECT count(h.field) AS reply, bool_and(redis.check_type(k.type, 'hash')) AS type_ok
 *   FROM redis.keys k LEFT JOIN redis.hashes h ON h.key = k.key AND h.field = $2::bytea
 *   WHERE k.key = $1 AND redis.is_live(k.expires_at)
 */
const HEXISTS: Translator<'HEXISTS'> = (cmd, { S }) => ({
  sql: sql`SELECT count(h.field) AS reply, bool_and(${S}.check_type(k.type, 'hash')) AS type_ok
FROM ${S}.keys k LEFT JOIN ${S}.hashes h ON h.key = k.key AND h.field = ${bytes(cmd.args.field)}
WHERE ${liveKey(S, k, param(cmd.args.key))}`,
  reply: INTEGER,
});

/**
 * HGET key field
 *   SELECT h.value AS reply, redis.check_type(k.type, 'hash') AS type_ok
 *   FROM redis.keys k LEFT JOIN redis.hashes h ON h.key = k.key AND h.field = $2::bytea
 *   WHERE k.key = $1 AND redis.is_live(k.expires_at)
 */
const HGET: Translator<'HGET'> = (cmd, { S }) => ({
  sql: sql`SELECT h.value AS reply, ${S}.check_type(k.type, 'hash') AS type_ok
FROM ${S}.keys k LEFT JOIN ${S}.hashes h ON h.key = k.key AND h.field = ${bytes(cmd.args.field)}
WHERE ${liveKey(S, k, param(cmd.args.key))}`,
  reply: BULK,
});

/** One array of the hash's rows, by field: `what` picks the elements of each row. */
const wholeHash = (S: Raw, key: string, what: Fragment): Fragment =>
  sql`SELECT ARRAY(SELECT v.x FROM ${S}.hashes h, LATERAL ${what}
              WHERE h.key = k.key ORDER BY h.field, v.o) AS reply,
  ${S}.check_type(k.type, 'hash') AS type_ok
FROM ${S}.keys k
WHERE ${liveKey(S, k, param(key))}`;

/**
 * HGETALL key → field, value, field, value… by field.
 *   SELECT ARRAY(SELECT v.x FROM redis.hashes h, LATERAL (VALUES (1, h.field), (2, h.value)) AS v(o, x)
 *                WHERE h.key = k.key ORDER BY h.field, v.o) AS reply, redis.check_type(k.type, 'hash') AS type_ok
 *   FROM redis.keys k WHERE k.key = $1 AND redis.is_live(k.expires_at)
 */
const HGETALL: Translator<'HGETALL'> = (cmd, { S }) => ({
  sql: wholeHash(S, cmd.args.key, sql`(VALUES (1, h.field), (2, h.value)) AS v(o, x)`),
  reply: ARRAY,
});

/** HKEYS key → the fields, bytewise. */
const HKEYS: Translator<'HKEYS'> = (cmd, { S }) => ({
  sql: wholeHash(S, cmd.args.key, sql`(VALUES (1, h.field)) AS v(o, x)`),
  reply: ARRAY,
});

/** HVALS key → the values, in their fields' bytewise order. */
const HVALS: Translator<'HVALS'> = (cmd, { S }) => ({
  sql: wholeHash(S, cmd.args.key, sql`(VALUES (1, h.value)) AS v(o, x)`),
  reply: ARRAY,
});

/**
 * HINCRBY key field increment
 *   SELECT redis.hincrby($1::text, $2::bytea, $3::bigint) AS reply
 */
const HINCRBY: Translator<'HINCRBY'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.hincrby(${keyText(cmd.args.key)}, ${bytes(cmd.args.field)}, ${param(cmd.args.increment)}::bigint) AS reply`,
  reply: INTEGER,
});

/**
 * HINCRBYFLOAT key field increment: INCRBYFLOAT's long double arithmetic; the
 * increment goes in as the bytes given (Redis reads it with strtold).
 *   SELECT redis.hincrbyfloat($1::text, $2::bytea, $3::bytea) AS reply
 */
const HINCRBYFLOAT: Translator<'HINCRBYFLOAT'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.hincrbyfloat(${keyText(cmd.args.key)}, ${bytes(cmd.args.field)}, ${bytes(cmd.args.increment)}) AS reply`,
  reply: scalar('decimal'),
});

/**
 * HLEN key: the registry keeps the field count.
 *   SELECT coalesce(max(k.size), 0) AS reply, bool_and(redis.check_type(k.type, 'hash')) AS type_ok
 *   FROM redis.keys k WHERE k.key = $1 AND redis.is_live(k.expires_at)
 */
const HLEN: Translator<'HLEN'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce(max(k.size), 0) AS reply, bool_and(${S}.check_type(k.type, 'hash')) AS type_ok
FROM ${S}.keys k WHERE ${liveKey(S, k, param(cmd.args.key))}`,
  reply: INTEGER,
});

/**
 * HMGET key field [field …] → one value or nil per field, in order.
 *   SELECT ARRAY(SELECT h.value FROM unnest($2::bytea[]) WITH ORDINALITY AS f(field, i)
 *                LEFT JOIN redis.hashes h ON h.key = k.key AND h.field = f.field ORDER BY f.i) AS reply, …
 *   FROM (VALUES (1)) AS one LEFT JOIN redis.keys k ON k.key = $1 AND redis.is_live(k.expires_at)
 */
const HMGET: Translator<'HMGET'> = (cmd, { S }) => ({
  sql: sql`SELECT ARRAY(SELECT h.value FROM unnest(${byteArray(cmd.args.field)}) WITH ORDINALITY AS f(field, i)
              LEFT JOIN ${S}.hashes h ON h.key = k.key AND h.field = f.field ORDER BY f.i) AS reply,
  ${S}.check_type(k.type, 'hash') AS type_ok
FROM (VALUES (1)) AS one LEFT JOIN ${S}.keys k ON ${liveKey(S, k, param(cmd.args.key))}`,
  reply: ARRAY,
});

/** HSET/HMSET's pairs as two arrays; the function keeps the last value of a repeated field. */
const setFields = (
  S: Raw,
  key: string,
  pairs: readonly { readonly field: Buffer; readonly value: Buffer }[],
  nx: boolean,
): Fragment =>
  sql`SELECT ${S}.hset(${keyText(key)}, ${byteArray(pairs.map((p) => p.field))}, ${byteArray(
    pairs.map((p) => p.value),
  )}, ${raw(String(nx))}) AS reply`;

/** HSET key field value [field value …] → the number of new fields. `SELECT redis.hset($1::text, $2::bytea[], $3::bytea[], false) AS reply` */
const HSET: Translator<'HSET'> = (cmd, { S }) => ({
  sql: setFields(S, cmd.args.key, cmd.args.field_value, false),
  reply: INTEGER,
});

/** HMSET: HSET replying +OK. */
const HMSET: Translator<'HMSET'> = (cmd, { S }) => ({
  sql: setFields(S, cmd.args.key, cmd.args.field_value, false),
  reply: OK,
});

/** HSETNX key field value → 1 if set, 0 if the field existed. `SELECT redis.hset($1::text, $2::bytea[], $3::bytea[], true) AS reply` */
const HSETNX: Translator<'HSETNX'> = (cmd, { S }) => ({
  sql: setFields(S, cmd.args.key, [{ field: cmd.args.field, value: cmd.args.value }], true),
  reply: INTEGER,
});

/**
 * HSTRLEN key field (0 for a missing field or key)
 *   SELECT coalesce(max(octet_length(h.value)), 0) AS reply, bool_and(redis.check_type(k.type, 'hash')) AS type_ok
 *   FROM redis.keys k LEFT JOIN redis.hashes h ON h.key = k.key AND h.field = $2::bytea WHERE …
 */
const HSTRLEN: Translator<'HSTRLEN'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce(max(octet_length(h.value)), 0) AS reply, bool_and(${S}.check_type(k.type, 'hash')) AS type_ok
FROM ${S}.keys k LEFT JOIN ${S}.hashes h ON h.key = k.key AND h.field = ${bytes(cmd.args.field)}
WHERE ${liveKey(S, k, param(cmd.args.key))}`,
  reply: INTEGER,
});

/**
 * HRANDFIELD key [count [WITHVALUES]]
 *  - no count: one field at a random rank of the field index, nil when absent;
 *  - count ≥ 0: min(count, HLEN) distinct fields in random order;
 *  - count < 0: |count| independent picks (repeats possible); none when the
 *    key is not a hash, so that a huge count on a string is WRONGTYPE at once.
 *   HRANDFIELD h -5 WITHVALUES →
 *   SELECT ARRAY(SELECT v.x FROM (SELECT array_agg(h.field ORDER BY h.field) AS f, array_agg(h.value …) AS v …) AS m,
 *                LATERAL (SELECT g, 1 + floor(random() * cardinality(m.f))::int AS i
 *                         FROM generate_series(1, CASE WHEN k.type = 'hash' THEN $2::bigint ELSE 0 END) AS g) AS r,
 *                LATERAL (VALUES (1, m.f[r.i]), (2, m.v[r.i])) AS v(o, x) ORDER BY r.g, v.o) AS reply, …
 */
const HRANDFIELD: Translator<'HRANDFIELD'> = (cmd, { S }) => {
  const key = param(cmd.args.key);
  const typeOk = sql`${S}.check_type(k.type, 'hash') AS type_ok`;
  const options = cmd.args.options;
  if (options === undefined) {
    return {
      sql: sql`SELECT (SELECT h.field FROM ${S}.hashes h WHERE h.key = k.key
         ORDER BY h.field OFFSET floor(random() * k.size)::bigint LIMIT 1) AS reply,
  ${typeOk}
FROM ${S}.keys k WHERE ${liveKey(S, k, key)}`,
      reply: BULK,
    };
  }
  const { count } = options;
  const withValues = options.withvalues === true;
  checkRandomCount(count);
  if (withValues && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) {
    throw new RedisError('ERR value is out of range', 2);
  }
  let picks: Fragment;
  if (count >= 0n) {
    const items = withValues ? sql`(VALUES (1, p.field), (2, p.value))` : sql`(VALUES (1, p.field))`;
    picks = sql`SELECT v.x FROM (SELECT h.field, h.value, random() AS r FROM ${S}.hashes h WHERE h.key = k.key
                      ORDER BY r LIMIT ${param(count)}::bigint) AS p,
              LATERAL ${items} AS v(o, x) ORDER BY p.r, v.o`;
  } else {
    const items = withValues ? sql`(VALUES (1, m.f[r.i]), (2, m.v[r.i]))` : sql`(VALUES (1, m.f[r.i]))`;
    picks = sql`SELECT v.x FROM (SELECT array_agg(h.field ORDER BY h.field) AS f, array_agg(h.value ORDER BY h.field) AS v
                      FROM ${S}.hashes h WHERE h.key = k.key) AS m,
              LATERAL (SELECT g, 1 + floor(random() * cardinality(m.f))::int AS i
                       FROM generate_series(1, CASE WHEN k.type = 'hash' THEN ${param(-count)}::bigint ELSE 0 END) AS g) AS r,
              LATERAL ${items} AS v(o, x) ORDER BY r.g, v.o`;
  }
  return {
    sql: sql`SELECT ARRAY(${picks}) AS reply,
  ${typeOk}
FROM ${S}.keys k WHERE ${liveKey(S, k, key)}`,
    reply: ARRAY,
  };
};

/** HSCAN key cursor [MATCH pattern] [COUNT count]: see `memberScan`. */
const HSCAN: Translator<'HSCAN'> = (cmd, { S }) =>
  memberScan(S, { type: 'hash', key: cmd.args.key, cursor: cmd.args.cursor, pattern: cmd.args.pattern, count: cmd.args.count });

export const HASH_TRANSLATORS = {
  HDEL,
  HEXISTS,
  HGET,
  HGETALL,
  HINCRBY,
  HINCRBYFLOAT,
  HKEYS,
  HLEN,
  HMGET,
  HMSET,
  HRANDFIELD,
  HSCAN,
  HSET,
  HSETNX,
  HSTRLEN,
  HVALS,
} as const satisfies GroupTranslators<'hash'>;
