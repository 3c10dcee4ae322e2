/**
 * Strings. Reads (GET, MGET, STRLEN, GETRANGE) are plain SQL over the registry
 * joined to `strings`; writes call the functions of emit/schema/strings.ts,
 * which lock the key's registry row before reading anything.
 *
 * Parse-time errors Redis gives from the arguments alone (`ERR invalid expire
 * time in 'set' command` for EX 0, `ERR offset is out of range`, DECRBY's
 * `ERR decrement would overflow`) are thrown here; everything that depends on
 * the data or the clock is raised by the SQL.
 */
import { RedisError } from '../errors.js';
import { BULK, INTEGER, OK, STATUS, scalar } from '../emit/reply.js';
import { param, raw, sql, type Fragment, type Raw } from './sql.js';
import { bigintParam, liveKey } from './shared.js';
import type { GroupTranslators, Translator } from './types.js';

const k = raw('k');
/** LLONG_MAX / 1000: the largest EX/EXAT amount whose milliseconds fit int64. */
const MAX_SECONDS = 9223372036854775n;

const bool = (value: boolean): Raw => raw(value ? 'true' : 'false');

type ExpireUnit = 'EX' | 'PX' | 'EXAT' | 'PXAT';

const UNIT_OF = {
  seconds: 'EX',
  milliseconds: 'PX',
  'unix-time-seconds': 'EXAT',
  'unix-time-milliseconds': 'PXAT',
} as const satisfies Record<string, ExpireUnit>;

/**
 * The checks Redis' getExpireMillisecondsOrReply makes on the amount alone;
 * the one that needs the clock (now + amount past int64) is in SQL.
 */
function checkExpire(command: string, unit: ExpireUnit, amount: bigint, argIndex?: number): void {
  if (amount <= 0n || ((unit === 'EX' || unit === 'EXAT') && amount > MAX_SECONDS)) {
    throw new RedisError(`ERR invalid expire time in '${command}' command`, argIndex);
  }
}

/** `S.string_expire_at('set', 'EX', $n::bigint)`: the absolute expiry in ms (unit and name are ours). */
const expireAt = (S: Raw, command: string, unit: ExpireUnit, amount: bigint): Fragment =>
  sql`${S}.string_expire_at(${raw(`'${command}'`)}, ${raw(`'${unit}'`)}, ${bigintParam(amount)})`;

const NO_EXPIRY = raw('NULL::bigint');

interface SetOptions {
  readonly nx?: boolean;
  readonly xx?: boolean;
  readonly get?: boolean;
  readonly expiresAt?: Fragment | Raw;
  readonly keepTtl?: boolean;
}

/** `S.set_string(key, value, nx, xx, get, expires_at, keep_ttl)`: returns (written, old_value). */
const setString = (S: Raw, key: string | Raw, value: Buffer | Raw, o: SetOptions): Fragment =>
  sql`${S}.set_string(${key}::text, ${value}::bytea, ${bool(o.nx ?? false)}, ${bool(o.xx ?? false)}, ${bool(
    o.get ?? false,
  )}, ${o.expiresAt ?? NO_EXPIRY}, ${bool(o.keepTtl ?? false)})`;

/**
 * SET without NX or GET (SETEX and PSETEX too) as one plain statement: a
 * PL/pgSQL call and its nested statements cost more than the writes
 * themselves. The common case — a live string or no key — is set_string's
 * own fast path written as data-modifying CTEs: the registry upsert locks the
 * key's row (or creates it) and takes the new version and TTL, and only a
 * row it returned gets its value written, so the value is written under the
 * lock. Any other key (another type, expired, or for XX an absent one)
 * returns no row, and set_string does the general case.
 *   WITH arg AS (SELECT $1::text AS key, $2::bytea AS value),
 *   k AS (INSERT INTO redis.keys … SELECT arg.key, … FROM arg ON CONFLICT (key) DO UPDATE …
 *         WHERE cur.type = 'string' AND redis.is_live(cur.expires_at) RETURNING cur.key),
 *   s AS (INSERT INTO redis.strings (key, value) SELECT k.key, arg.value FROM k, arg ON CONFLICT (key) DO UPDATE …)
 *   SELECT CASE WHEN EXISTS (SELECT FROM k) OR (SELECT written FROM arg, redis.set_string(arg.key, …)) THEN 'OK' END AS reply
 * (CASE and OR evaluate left to right and the uncorrelated subqueries only
 * when reached, so set_string runs only when the upsert returned no row.)
 */
const setPlain = (S: Raw, key: string, value: Buffer, o: SetOptions): Fragment => {
  const expiresAt = o.expiresAt ?? NO_EXPIRY;
  const keep = o.keepTtl === true;
  const registry = o.xx
    ? sql`UPDATE ${S}.keys cur
  SET ${keep ? raw('version') : sql`expires_at = ${expiresAt}, version`} = nextval('${S}.versions')
  FROM arg WHERE cur.key = arg.key AND cur.type = 'string' AND ${S}.is_live(cur.expires_at)
  RETURNING cur.key`
    : sql`INSERT INTO ${S}.keys AS cur (key, type, expires_at, version)
  SELECT arg.key, 'string', ${keep ? NO_EXPIRY : expiresAt}, nextval('${S}.versions') FROM arg
  ON CONFLICT (key) DO UPDATE SET ${keep ? raw('') : raw('expires_at = excluded.expires_at, ')}version = excluded.version
  WHERE cur.type = 'string' AND ${S}.is_live(cur.expires_at)
  RETURNING cur.key`;
  return sql`WITH arg AS (SELECT ${key}::text AS key, ${value}::bytea AS value), k AS (
  ${registry}
), s AS (
  INSERT INTO ${S}.strings AS cur (key, value) SELECT k.key, arg.value FROM k, arg
  ON CONFLICT (key) DO UPDATE SET value = excluded.value
)
SELECT CASE WHEN EXISTS (SELECT FROM k)
  OR (SELECT written FROM arg, ${setString(S, raw('arg.key'), raw('arg.value'), o)}) THEN 'OK' END AS reply`;
};

/**
 * A string read that always yields one row (GETRANGE and STRLEN answer for a
 * missing key too): the arguments as a one-row `arg`, the key joined to it.
 */
const oneStringRow = (S: Raw, args: Fragment): Fragment =>
  sql`(SELECT ${args}) AS arg
LEFT JOIN ${S}.keys k ON ${liveKey(S, k, raw('arg.key'))}
LEFT JOIN ${S}.strings s ON s.key = k.key`;

// ------------------------------------------------------------------ reads

/**
 * GET key
 *   SELECT s.value AS reply, redis.check_type(k.type, 'string') AS type_ok
 *   FROM redis.keys k LEFT JOIN redis.strings s ON s.key = k.key
 *   WHERE k.key = $1 AND redis.is_live(k.expires_at)
 */
const GET: Translator<'GET'> = (cmd, { S }) => {
  const key = param(cmd.args.key);
  return {
    sql: sql`SELECT s.value AS reply, ${S}.check_type(k.type, 'string') AS type_ok
FROM ${S}.keys k LEFT JOIN ${S}.strings s ON s.key = k.key
WHERE ${liveKey(S, k, key)}`,
    reply: BULK,
  };
};

/**
 * MGET key [key …]: one array parameter; a missing key or one of another type is nil.
 *   SELECT array_agg(s.value ORDER BY a.i) AS reply
 *   FROM unnest($1::text[]) WITH ORDINALITY AS a(key, i) LEFT JOIN redis.keys k ON … LEFT JOIN redis.strings s …
 */
const MGET: Translator<'MGET'> = (cmd, { S }) => ({
  sql: sql`SELECT array_agg(s.value ORDER BY a.i) AS reply
FROM unnest(${cmd.args.key}::text[]) WITH ORDINALITY AS a(key, i)
LEFT JOIN ${S}.keys k ON ${liveKey(S, k, raw('a.key'))}
LEFT JOIN ${S}.strings s ON s.key = k.key`,
  reply: { kind: 'array-column', of: 'bulk' },
});

/** STRLEN key → `SELECT coalesce(octet_length(s.value), 0) AS reply …` (0 for a missing key). */
const STRLEN: Translator<'STRLEN'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce(octet_length(s.value), 0) AS reply, ${S}.check_type(k.type, 'string') AS type_ok
FROM ${oneStringRow(S, sql`${cmd.args.key}::text AS key`)}`,
  reply: INTEGER,
});

/**
 * GETRANGE key start end (and its old name SUBSTR) with Redis 7.0's index
 * rules (`GETRANGE k 0 -100` is the first byte); a missing key is "".
 *   SELECT redis.string_range(s.value, arg.start, arg.stop) AS reply, …
 *   FROM (SELECT $1::text AS key, $2::bigint AS start, $3::bigint AS stop) AS arg LEFT JOIN redis.keys k …
 */
const getrange = (S: Raw, key: string, start: bigint, end: bigint): Fragment =>
  sql`SELECT ${S}.string_range(s.value, arg.start, arg.stop) AS reply, ${S}.check_type(k.type, 'string') AS type_ok
FROM ${oneStringRow(S, sql`${key}::text AS key, ${bigintParam(start)} AS start, ${bigintParam(end)} AS stop`)}`;

const GETRANGE: Translator<'GETRANGE'> = (cmd, { S }) => ({
  sql: getrange(S, cmd.args.key, cmd.args.start, cmd.args.end),
  reply: BULK,
});

const SUBSTR: Translator<'SUBSTR'> = (cmd, { S }) => ({
  sql: getrange(S, cmd.args.key, cmd.args.start, cmd.args.end),
  reply: BULK,
});

// ------------------------------------------------------------------ writes

/**
 * SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts-ms|KEEPTTL]
 * Without NX or GET: one statement (setPlain above). With them:
 *   SELECT CASE WHEN written THEN 'OK' END AS reply
 *   FROM redis.set_string($1::text, $2::bytea, true, false, false, redis.string_expire_at('set', 'EX', $3::bigint), false)
 * With GET the reply is the old value (`SELECT old_value AS reply FROM …`).
 */
const SET: Translator<'SET'> = (cmd, { S }) => {
  const { key, value, condition, get, expiration } = cmd.args;
  let expiresAt: Fragment | undefined;
  if (expiration !== undefined && expiration.kind !== 'keepttl') {
    const unit = UNIT_OF[expiration.kind];
    checkExpire('set', unit, expiration.value);
    expiresAt = expireAt(S, 'set', unit, expiration.value);
  }
  const options: SetOptions = {
    nx: condition?.kind === 'nx',
    xx: condition?.kind === 'xx',
    get: get === true,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    keepTtl: expiration?.kind === 'keepttl',
  };
  if (!options.nx && !options.get) return { sql: setPlain(S, key, value, options), reply: STATUS };
  const call = setString(S, key, value, options);
  return get === true
    ? { sql: sql`SELECT old_value AS reply FROM ${call}`, reply: BULK }
    : { sql: sql`SELECT CASE WHEN written THEN 'OK' END AS reply FROM ${call}`, reply: STATUS };
};

/** SETNX key value → 1 when set, 0 when the key exists (any type). */
const SETNX: Translator<'SETNX'> = (cmd, { S }) => ({
  sql: sql`SELECT written::integer AS reply FROM ${setString(S, cmd.args.key, cmd.args.value, { nx: true })}`,
  reply: INTEGER,
});

/** SETEX key seconds value = SET key value EX seconds (its own error text). */
const SETEX: Translator<'SETEX'> = (cmd, { S }) => {
  checkExpire('setex', 'EX', cmd.args.seconds, 2);
  const expiresAt = expireAt(S, 'setex', 'EX', cmd.args.seconds);
  return {
    sql: setPlain(S, cmd.args.key, cmd.args.value, { expiresAt }),
    reply: OK,
  };
};

/** PSETEX key milliseconds value = SET key value PX milliseconds. */
const PSETEX: Translator<'PSETEX'> = (cmd, { S }) => {
  checkExpire('psetex', 'PX', cmd.args.milliseconds, 2);
  const expiresAt = expireAt(S, 'psetex', 'PX', cmd.args.milliseconds);
  return {
    sql: setPlain(S, cmd.args.key, cmd.args.value, { expiresAt }),
    reply: OK,
  };
};

/** GETSET key value = SET key value GET: the old string (WRONGTYPE otherwise), the TTL cleared. */
const GETSET: Translator<'GETSET'> = (cmd, { S }) => ({
  sql: sql`SELECT old_value AS reply FROM ${setString(S, cmd.args.key, cmd.args.value, { get: true })}`,
  reply: BULK,
});

/** MSET key value [key value …] → `SELECT redis.mset($1::text[], $2::bytea[])`; always OK. */
const MSET: Translator<'MSET'> = (cmd, { S }) => {
  const pairs = cmd.args.key_value;
  return {
    sql: sql`SELECT ${S}.mset(${pairs.map((p) => p.key)}::text[], ${pairs.map((p) => p.value)}::bytea[]) AS done`,
    reply: OK,
  };
};

/** MSETNX key value [key value …] → 1 when every key was absent and all were set, else 0 and nothing set. */
const MSETNX: Translator<'MSETNX'> = (cmd, { S }) => {
  const pairs = cmd.args.key_value;
  return {
    sql: sql`SELECT ${S}.msetnx(${pairs.map((p) => p.key)}::text[], ${pairs.map((p) => p.value)}::bytea[]) AS reply`,
    reply: INTEGER,
  };
};

/** GETDEL key → the value, the key deleted. */
const GETDEL: Translator<'GETDEL'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.getdel(${cmd.args.key}::text) AS reply`,
  reply: BULK,
});

/**
 * GETEX key [EX s|PX ms|EXAT ts|PXAT ts-ms|PERSIST] → the value, the TTL changed.
 * Unlike SET, Redis converts and checks the amount only after finding a
 * string (a missing key answers nil even for `EX abc` or `EX 0`), so the
 * amount goes to SQL as the bytes given and every check is made there.
 *   SELECT redis.getex($1::text, 'EX', $2::bytea, false) AS reply
 */
const GETEX: Translator<'GETEX'> = (cmd, { S }) => {
  const { key, expiration } = cmd.args;
  const timed = expiration !== undefined && expiration.kind !== 'persist';
  const unit = timed ? raw(`'${UNIT_OF[expiration.kind]}'`) : raw('NULL');
  const amount = timed ? sql`${expiration.value}::bytea` : raw('NULL::bytea');
  return {
    sql: sql`SELECT ${S}.getex(${key}::text, ${unit}, ${amount}, ${bool(expiration?.kind === 'persist')}) AS reply`,
    reply: BULK,
  };
};

/**
 * INCR, DECR, INCRBY, DECRBY in one plain statement: a live string (the
 * common case) gets its version bumped — which locks its registry row — and
 * its value updated from the row itself (an UPDATE re-reads a row changed
 * since its snapshot, so no increment is lost), by string_incr, an inlined
 * expression that fails with Redis' error on a non-integer or an overflow.
 * An absent, expired or other-type key updates nothing, and the incrby
 * function does the rest (creates it, or refuses it).
 *   WITH arg AS (SELECT $1::text AS key, $2::bigint AS delta),
 *   k AS (UPDATE redis.keys cur SET version = nextval('redis.versions') FROM arg
 *         WHERE cur.key = arg.key AND cur.type = 'string' AND redis.is_live(cur.expires_at) RETURNING cur.key),
 *   s AS (UPDATE redis.strings cur SET value = convert_to(redis.string_incr(cur.value, arg.delta)::text, 'UTF8')
 *         FROM k, arg WHERE cur.key = k.key RETURNING cur.value)
 *   SELECT coalesce((SELECT convert_from(s.value, 'UTF8')::bigint FROM s), (SELECT redis.incrby(arg.key, arg.delta) FROM arg)) AS reply
 */
const incrby = (S: Raw, key: string, delta: Fragment): Fragment =>
  sql`WITH arg AS (SELECT ${key}::text AS key, ${delta} AS delta), k AS (
  UPDATE ${S}.keys cur SET version = nextval('${S}.versions')
  FROM arg WHERE cur.key = arg.key AND cur.type = 'string' AND ${S}.is_live(cur.expires_at)
  RETURNING cur.key
), s AS (
  UPDATE ${S}.strings cur SET value = convert_to(${S}.string_incr(cur.value, arg.delta)::text, 'UTF8')
  FROM k, arg WHERE cur.key = k.key
  RETURNING cur.value
)
SELECT coalesce((SELECT convert_from(s.value, 'UTF8')::bigint FROM s),
  (SELECT ${S}.incrby(arg.key, arg.delta) FROM arg)) AS reply`;

const INCR: Translator<'INCR'> = (cmd, { S }) => ({ sql: incrby(S, cmd.args.key, bigintParam(1n)), reply: INTEGER });
const DECR: Translator<'DECR'> = (cmd, { S }) => ({ sql: incrby(S, cmd.args.key, bigintParam(-1n)), reply: INTEGER });
const INCRBY: Translator<'INCRBY'> = (cmd, { S }) => ({
  sql: incrby(S, cmd.args.key, bigintParam(cmd.args.increment)),
  reply: INTEGER,
});
// The decrement reaches SQL as given: S.decrement negates it and refuses the
// one whose negation does not fit int64, a run-time decrement included.
const DECRBY: Translator<'DECRBY'> = (cmd, { S }) => ({
  sql: incrby(S, cmd.args.key, sql`${S}.decrement(${bigintParam(cmd.args.decrement)})`),
  reply: INTEGER,
});

/**
 * INCRBYFLOAT key increment: long double arithmetic, printed as Redis prints
 * it (`0.1` then `0.2` gives `0.3`). The increment goes in as the bytes the
 * user gave: Redis reads it with strtold only after the type check.
 *   SELECT redis.incrbyfloat($1::text, $2::bytea) AS reply
 */
const INCRBYFLOAT: Translator<'INCRBYFLOAT'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.incrbyfloat(${cmd.args.key}::text, ${cmd.args.increment}::bytea) AS reply`,
  reply: scalar('decimal'),
});

/** APPEND key value → the new length. */
const APPEND: Translator<'APPEND'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.append(${cmd.args.key}::text, ${cmd.args.value}::bytea) AS reply`,
  reply: INTEGER,
});

/** SETRANGE key offset value → the new length; pads with NUL bytes. */
const SETRANGE: Translator<'SETRANGE'> = (cmd, { S }) => {
  if (cmd.args.offset < 0n) throw new RedisError('ERR offset is out of range', 2);
  return {
    sql: sql`SELECT ${S}.setrange(${cmd.args.key}::text, ${bigintParam(cmd.args.offset)}, ${cmd.args.value}::bytea) AS reply`,
    reply: INTEGER,
  };
};

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: Redis' dynamic
 * programme over the bytes, in PL/pgSQL (O(len1 × len2), as in Redis).
 *   SELECT lcs AS reply FROM redis.lcs($1::text, $2::text, false, false, NULL::bytea, false)
 * LEN selects `len`, IDX the JSON text of Redis' map (`["matches", […], "len", n]`).
 */
const LCS: Translator<'LCS'> = (cmd, { S }) => {
  const { key1, key2, len, idx, withmatchlen } = cmd.args;
  const minMatchLen = cmd.args['min-match-len'];
  const call = sql`${S}.lcs(${key1}::text, ${key2}::text, ${bool(len === true)}, ${bool(idx === true)}, ${
    minMatchLen === undefined ? raw('NULL::bytea') : sql`${Buffer.from(String(minMatchLen))}::bytea`
  }, ${bool(withmatchlen === true)})`;
  if (idx === true) return { sql: sql`SELECT idx AS reply FROM ${call}`, reply: { kind: 'json' } };
  if (len === true) return { sql: sql`SELECT len AS reply FROM ${call}`, reply: INTEGER };
  return { sql: sql`SELECT lcs AS reply FROM ${call}`, reply: BULK };
};

export const STRING_TRANSLATORS = {
  APPEND,
  DECR,
  DECRBY,
  GET,
  GETDEL,
  GETEX,
  GETRANGE,
  GETSET,
  INCR,
  INCRBY,
  INCRBYFLOAT,
  LCS,
  MGET,
  MSET,
  MSETNX,
  PSETEX,
  SET,
  SETEX,
  SETNX,
  SETRANGE,
  STRLEN,
  SUBSTR,
} as const satisfies GroupTranslators<'string'>;
