/**
 * Sets. Reads are plain SQL over the registry joined to `sets`; the set
 * algebra (SINTER, SUNION, SDIFF, SINTERCARD and the *STORE forms) and every
 * write call the functions of emit/schema/sets.ts, which check all the keys'
 * types first, as Redis does, and lock what they write.
 *
 * Orders Redis leaves unspecified, made deterministic here:
 *  - SMEMBERS, SINTER, SUNION, SDIFF: members bytewise;
 *  - SSCAN: by the members' scan slot (`member_slot`), then bytewise;
 *  - SPOP with a count, SRANDMEMBER: random() (distinct members in random order
 *    for a count ≥ 0; independent picks, repeats possible, for a negative one).
 *
 * Cost: a single random pick (SPOP, SRANDMEMBER, HRANDFIELD without a count) is
 * a uniformly random rank, which a B-tree reaches by walking the key's index
 * entries, O(n) where Redis is O(1); a hash-slot probe would be O(log n) but
 * biased towards members after wide gaps. We chose fairness.
 */
import { RedisError } from '../errors.js';
import { BULK, INTEGER, type ReplyShape } from '../emit/reply.js';
import { checkRandomCount, memberScan } from './hash.js';
import { liveKey } from './shared.js';
import { param, raw, sql, type Fragment } from './sql.js';
import type { GroupTranslators, Translation, Translator } from './types.js';

const k = raw('k');
const ARRAY: ReplyShape = { kind: 'array-column', of: 'bulk' };

const bytes = (value: Buffer): Fragment => sql`${param(value)}::bytea`;
const byteArray = (values: readonly Buffer[]): Fragment => sql`${param([...values])}::bytea[]`;
const keyText = (key: string): Fragment => sql`${param(key)}::text`;
const keyArray = (keys: readonly string[]): Fragment => sql`${param([...keys])}::text[]`;

/** SADD key member [member …] → the number added. `SELECT redis.sadd($1::text, $2::bytea[]) AS reply` */
const SADD: Translator<'SADD'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.sadd(${keyText(cmd.args.key)}, ${byteArray(cmd.args.member)}) AS reply`,
  reply: INTEGER,
});

/** SREM key member [member …] → the number removed. `SELECT redis.srem($1::text, $2::bytea[]) AS reply` */
const SREM: Translator<'SREM'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.srem(${keyText(cmd.args.key)}, ${byteArray(cmd.args.member)}) AS reply`,
  reply: INTEGER,
});

/**
 * SCARD key: the registry keeps the member count.
 *   SELECT coalesce(max(k.size), 0) AS reply, bool_and(redis.check_type(k.type, 'set')) AS type_ok
 *   FROM redis.keys k WHERE k.key = $1 AND redis.is_live(k.expires_at)
 */
const SCARD: Translator<'SCARD'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce(max(k.size), 0) AS reply, bool_and(${S}.check_type(k.type, 'set')) AS type_ok
FROM ${S}.keys k WHERE ${liveKey(S, k, param(cmd.args.key))}`,
  reply: INTEGER,
});

/**
 * SISMEMBER key member
 *   SELECT count(s.member) AS reply, bool_and(redis.check_type(k.type, 'set')) AS type_ok
 *   FROM redis.keys k LEFT JOIN redis.sets s ON s.key = k.key AND s.member = $2::bytea WHERE …
 */
const SISMEMBER: Translator<'SISMEMBER'> = (cmd, { S }) => ({
  sql: sql`SELECT count(s.member) AS reply, bool_and(${S}.check_type(k.type, 'set')) AS type_ok
FROM ${S}.keys k LEFT JOIN ${S}.sets s ON s.key = k.key AND s.member = ${bytes(cmd.args.member)}
WHERE ${liveKey(S, k, param(cmd.args.key))}`,
  reply: INTEGER,
});

/**
 * SMISMEMBER key member [member …] → 1 or 0 per member, in order.
 *   SELECT ARRAY(SELECT (s.member IS NOT NULL)::int FROM unnest($2::bytea[]) WITH ORDINALITY AS m(member, i)
 *                LEFT JOIN redis.sets s ON s.key = k.key AND s.member = m.member ORDER BY m.i) AS reply, …
 *   FROM (VALUES (1)) AS one LEFT JOIN redis.keys k ON k.key = $1 AND redis.is_live(k.expires_at)
 */
const SMISMEMBER: Translator<'SMISMEMBER'> = (cmd, { S }) => ({
  sql: sql`SELECT ARRAY(SELECT (s.member IS NOT NULL)::int FROM unnest(${byteArray(cmd.args.member)}) WITH ORDINALITY AS m(member, i)
              LEFT JOIN ${S}.sets s ON s.key = k.key AND s.member = m.member ORDER BY m.i) AS reply,
  ${S}.check_type(k.type, 'set') AS type_ok
FROM (VALUES (1)) AS one LEFT JOIN ${S}.keys k ON ${liveKey(S, k, param(cmd.args.key))}`,
  reply: { kind: 'array-column', of: 'integer' },
});

/**
 * SMEMBERS key → the members, bytewise.
 *   SELECT ARRAY(SELECT s.member FROM redis.sets s WHERE s.key = k.key ORDER BY s.member) AS reply,
 *          redis.check_type(k.type, 'set') AS type_ok
 *   FROM redis.keys k WHERE k.key = $1 AND redis.is_live(k.expires_at)
 */
const SMEMBERS: Translator<'SMEMBERS'> = (cmd, { S }) => ({
  sql: sql`SELECT ARRAY(SELECT s.member FROM ${S}.sets s WHERE s.key = k.key ORDER BY s.member) AS reply,
  ${S}.check_type(k.type, 'set') AS type_ok
FROM ${S}.keys k WHERE ${liveKey(S, k, param(cmd.args.key))}`,
  reply: ARRAY,
});

/** The members an algebra function returns, bytewise: `SELECT ARRAY(SELECT m FROM redis.sunion_members($1::text[]) AS m ORDER BY m) AS reply` */
const algebra = (members: Fragment): Translation => ({
  sql: sql`SELECT ARRAY(SELECT m FROM ${members} AS m ORDER BY m) AS reply`,
  reply: ARRAY,
});

/** SINTER key [key …] */
const SINTER: Translator<'SINTER'> = (cmd, { S }) =>
  algebra(sql`${S}.sinter_members(${keyArray(cmd.args.key)}, 0)`);

/** SUNION key [key …] */
const SUNION: Translator<'SUNION'> = (cmd, { S }) => algebra(sql`${S}.sunion_members(${keyArray(cmd.args.key)})`);

/** SDIFF key [key …] */
const SDIFF: Translator<'SDIFF'> = (cmd, { S }) => algebra(sql`${S}.sdiff_members(${keyArray(cmd.args.key)})`);

/**
 * SINTERCARD numkeys key [key …] [LIMIT limit] (LIMIT 0: no limit)
 *   SELECT count(*) AS reply FROM redis.sinter_members($1::text[], $2::bigint)
 */
const SINTERCARD: Translator<'SINTERCARD'> = (cmd, { S }) => {
  const limit = cmd.args.limit ?? 0n;
  return {
    sql: sql`SELECT count(*) AS reply FROM ${S}.sinter_members(${keyArray(cmd.args.key)}, ${param(limit)}::bigint)`,
    reply: INTEGER,
  };
};

/** The *STORE forms: `SELECT redis.sstore('inter', $1::text, $2::text[]) AS reply` */
const store =
  (op: 'inter' | 'union' | 'diff'): Translator<'SINTERSTORE' | 'SUNIONSTORE' | 'SDIFFSTORE'> =>
  (cmd, { S }) => ({
    sql: sql`SELECT ${S}.sstore(${raw(`'${op}'`)}, ${keyText(cmd.args.destination)}, ${keyArray(cmd.args.key)}) AS reply`,
    reply: INTEGER,
  });

/** SMOVE source destination member → 1 or 0. `SELECT redis.smove($1::text, $2::text, $3::bytea) AS reply` */
const SMOVE: Translator<'SMOVE'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.smove(${keyText(cmd.args.source)}, ${keyText(cmd.args.destination)}, ${bytes(cmd.args.member)}) AS reply`,
  reply: INTEGER,
});

/**
 * SPOP key [count]: the function picks, removes and returns them.
 *   SPOP s     → SELECT (redis.spop($1::text, NULL))[1] AS reply
 *   SPOP s 3   → SELECT redis.spop($1::text, $2::bigint) AS reply
 */
const SPOP: Translator<'SPOP'> = (cmd, { S }) => {
  const key = keyText(cmd.args.key);
  if (cmd.args.count === undefined) {
    return { sql: sql`SELECT (${S}.spop(${key}, NULL))[1] AS reply`, reply: BULK };
  }
  if (cmd.args.count < 0n) throw new RedisError('ERR value is out of range, must be positive', 2);
  return { sql: sql`SELECT ${S}.spop(${key}, ${param(cmd.args.count)}::bigint) AS reply`, reply: ARRAY };
};

/**
 * SRANDMEMBER key [count]
 *  - no count: the member at a random rank of the member index, nil when absent;
 *  - count ≥ 0: min(count, SCARD) distinct members in random order;
 *  - count < 0: |count| independent picks (repeats possible).
 *   SRANDMEMBER s -5 →
 *   SELECT ARRAY(SELECT m.a[1 + floor(random() * cardinality(m.a))::int]
 *                FROM (SELECT array_agg(s.member ORDER BY s.member) AS a …) AS m, generate_series(1, $2::bigint)) AS reply, …
 */
const SRANDMEMBER: Translator<'SRANDMEMBER'> = (cmd, { S }) => {
  const key = param(cmd.args.key);
  const from = (reply: Fragment): Fragment => sql`SELECT ${reply} AS reply, ${S}.check_type(k.type, 'set') AS type_ok
FROM ${S}.keys k WHERE ${liveKey(S, k, key)}`;
  const count = cmd.args.count;
  if (count === undefined) {
    return {
      sql: from(sql`(SELECT s.member FROM ${S}.sets s WHERE s.key = k.key
         ORDER BY s.member OFFSET floor(random() * k.size)::bigint LIMIT 1)`),
      reply: BULK,
    };
  }
  checkRandomCount(count);
  const picks =
    count >= 0n
      ? sql`SELECT s.member FROM ${S}.sets s WHERE s.key = k.key ORDER BY random() LIMIT ${param(count)}::bigint`
      : sql`SELECT m.a[1 + floor(random() * cardinality(m.a))::int]
        FROM (SELECT array_agg(s.member ORDER BY s.member) AS a FROM ${S}.sets s WHERE s.key = k.key) AS m,
             generate_series(1, CASE WHEN k.type = 'set' THEN ${param(-count)}::bigint ELSE 0 END) AS g`;
  return { sql: from(sql`ARRAY(${picks})`), reply: ARRAY };
};

/** SSCAN key cursor [MATCH pattern] [COUNT count]: see `memberScan` (translators/hash.ts). */
const SSCAN: Translator<'SSCAN'> = (cmd, { S }) =>
  memberScan(S, { type: 'set', key: cmd.args.key, cursor: cmd.args.cursor, pattern: cmd.args.pattern, count: cmd.args.count });

export const SET_TRANSLATORS = {
  SADD,
  SCARD,
  SDIFF,
  SDIFFSTORE: store('diff'),
  SINTER,
  SINTERCARD,
  SINTERSTORE: store('inter'),
  SISMEMBER,
  SMEMBERS,
  SMISMEMBER,
  SMOVE,
  SPOP,
  SRANDMEMBER,
  SREM,
  SSCAN,
  SUNION,
  SUNIONSTORE: store('union'),
} as const satisfies GroupTranslators<'set'>;

