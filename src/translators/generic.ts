import { RedisError, UnsupportedError } from '../errors.js';
import { BULK, INTEGER, OK, STATUS, scalar, type ReplyShape } from '../emit/reply.js';
import { toInteger } from '../grammar/values.js';
import { liveKey } from './shared.js';
import { SORT, SORT_RO } from './sort.js';
import { join, param, raw, sql, type Fragment, type Raw } from './sql.js';
import {
  never,
  pending,
  type GroupTranslators,
  type TranslateContext,
  type Translation,
  type Translator,
} from './types.js';

const k = raw('k');

/** Only database 0 is modelled: one PostgreSQL schema is one Redis database. */
export const ONLY_DB_0 = 'only database 0 is modelled (one PostgreSQL schema holds one Redis database)';

/** Redis' `databases` default: indexes outside 0..15 are Redis' own error. */
const DATABASES = 16n;

/**
 * `SELECT 0`, `COPY … DB 0`: accepted; another valid index is refused, an
 * invalid one is Redis' error.
 */
export function checkDatabase(command: string, index: bigint): void {
  // Redis reads the index as a C int first (getIntFromObjectOrReply).
  if (index < -(2n ** 31n) || index >= 2n ** 31n) {
    throw new RedisError('ERR value is out of range, value must between -2147483648 and 2147483647');
  }
  if (index < 0n || index >= DATABASES) throw new RedisError('ERR DB index is out of range');
  if (index !== 0n) throw new UnsupportedError(command, ONLY_DB_0);
}

/**
 * DEL key [key …]  (UNLINK is the same: PostgreSQL frees nothing in the background)
 *   SELECT redis.del_keys($1::text[]) AS reply
 */
const DEL: Translator<'DEL' | 'UNLINK'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.del_keys(${param(cmd.args.key)}::text[]) AS reply`,
  reply: INTEGER,
});

/**
 * EXISTS key [key …]: a key named twice counts twice, as in Redis. TOUCH is
 * the same query (there is no access time to update).
 *   SELECT count(*) AS reply FROM unnest($1::text[]) AS q(key)
 *   JOIN redis.keys k ON k.key = q.key AND redis.is_live(k.expires_at)
 */
const EXISTS: Translator<'EXISTS' | 'TOUCH'> = (cmd, { S }) => ({
  sql: sql`SELECT count(*) AS reply FROM unnest(${param(cmd.args.key)}::text[]) AS q(key)
JOIN ${S}.keys k ON ${liveKey(S, k, sql`q.key`)}`,
  reply: INTEGER,
});

interface ExpireArgs {
  readonly key: string;
  readonly nx?: true | undefined;
  readonly xx?: true | undefined;
  readonly gt?: true | undefined;
  readonly lt?: true | undefined;
}

/**
 * EXPIRE key seconds [NX|XX|GT|LT] and its siblings:
 *   SELECT redis.expire_key($1, $2::bigint, true, false, false, false, false, $3) AS reply
 * (`$2` in ms; relative for EXPIRE/PEXPIRE: the function adds the clock).
 */
function expire(
  name: 'EXPIRE' | 'PEXPIRE' | 'EXPIREAT' | 'PEXPIREAT',
  args: ExpireArgs,
  bytes: Buffer,
  { S }: TranslateContext,
): Translation {
  const { nx, xx, gt, lt } = args;
  if (nx && (xx || gt || lt)) {
    throw new RedisError('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if (gt && lt) throw new RedisError('ERR GT and LT options at the same time are not compatible');
  // Only now, after the flags, does Redis read the amount.
  const amount = toInteger(bytes);
  if (amount === undefined) throw new RedisError('ERR value is not an integer or out of range', 2);
  const command = name.toLowerCase();
  const seconds = name === 'EXPIRE' || name === 'EXPIREAT';
  // The amount reaches SQL as given; expire_ms converts seconds to ms and
  // refuses an overflow there, so that a run-time amount is checked too.
  const ms = seconds ? sql`${S}.expire_ms(${param(amount)}::bigint, 1000, ${command})` : sql`${param(amount)}::bigint`;
  const relative = name === 'EXPIRE' || name === 'PEXPIRE';
  const flag = (on: boolean | undefined): Raw => raw(on === true ? 'true' : 'false');
  return {
    sql: sql`SELECT ${S}.expire_key(${param(args.key)}, ${ms}, ${flag(relative)}, ${flag(nx)}, ${flag(xx)}, ${flag(gt)}, ${flag(lt)}, ${command}) AS reply`,
    reply: INTEGER,
  };
}

const EXPIRE: Translator<'EXPIRE'> = (cmd, ctx) => expire(cmd.name, cmd.args, cmd.args.seconds, ctx);
const PEXPIRE: Translator<'PEXPIRE'> = (cmd, ctx) => expire(cmd.name, cmd.args, cmd.args.milliseconds, ctx);
const EXPIREAT: Translator<'EXPIREAT'> = (cmd, ctx) =>
  expire(cmd.name, cmd.args, cmd.args['unix-time-seconds'], ctx);
const PEXPIREAT: Translator<'PEXPIREAT'> = (cmd, ctx) =>
  expire(cmd.name, cmd.args, cmd.args['unix-time-milliseconds'], ctx);

/**
 * TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 when the key does not exist, -1 when
 * it has no TTL. TTL and EXPIRETIME round to the nearest second, as Redis
 * does (in numeric: Redis gives 9223372036854776 for the largest PEXPIREAT).
 *   SELECT coalesce((SELECT CASE WHEN k.expires_at IS NULL THEN -1
 *     ELSE div(k.expires_at - redis.now_ms() + 500::numeric, 1000)::bigint END
 *     FROM redis.keys k WHERE k.key = $1 AND redis.is_live(k.expires_at)), -2) AS reply
 */
function ttl(value: (S: Raw) => Fragment): Translator<'TTL' | 'PTTL' | 'EXPIRETIME' | 'PEXPIRETIME'> {
  return (cmd, { S }) => ({
    sql: sql`SELECT coalesce((SELECT CASE WHEN k.expires_at IS NULL THEN -1 ELSE ${value(S)} END
  FROM ${S}.keys k WHERE ${liveKey(S, k, param(cmd.args.key))}), -2) AS reply`,
    reply: INTEGER,
  });
}

/**
 * KEYS pattern: the glob becomes a regular expression over the key's bytes
 * in hex, once per statement (see glob_regex in emit/schema/generic.ts). A
 * pattern with a literal start (`user:*`) reads only that range of the
 * registry's index; one without (`*:id`) reads every key, as Redis does.
 *   SELECT array_agg(found.key ORDER BY found.key) AS reply FROM (
 *     SELECT k.key FROM redis.keys k
 *     WHERE (SELECT redis.text_successor(redis.glob_prefix($1::bytea))) IS NOT NULL
 *       AND k.key >= (SELECT redis.glob_prefix($1::bytea))
 *       AND k.key < (SELECT redis.text_successor(redis.glob_prefix($1::bytea)))
 *       AND redis.is_live(k.expires_at)
 *       AND encode(convert_to(k.key, 'UTF8'), 'hex') ~ (SELECT redis.glob_regex($1::bytea))
 *     UNION ALL
 *     SELECT k.key FROM redis.keys k
 *     WHERE (SELECT redis.text_successor(redis.glob_prefix($1::bytea))) IS NULL AND …) AS found
 */
const KEYS: Translator<'KEYS'> = (cmd, { S }) => {
  const pattern = param(cmd.args.pattern);
  const prefix = sql`${S}.glob_prefix(${pattern}::bytea)`;
  const upper = sql`(SELECT ${S}.text_successor(${prefix}))`;
  const matching = sql`${S}.is_live(k.expires_at) AND ${keyMatches(S, pattern)}`;
  return {
    sql: sql`SELECT array_agg(found.key ORDER BY found.key) AS reply FROM (
  SELECT k.key FROM ${S}.keys k
  WHERE ${upper} IS NOT NULL AND k.key >= (SELECT ${prefix}) AND k.key < ${upper} AND ${matching}
  UNION ALL
  SELECT k.key FROM ${S}.keys k
  WHERE ${upper} IS NULL AND ${matching}
) AS found`,
    reply: { kind: 'array-column', of: 'bulk' },
  };
};

const keyMatches = (S: Raw, pattern: unknown): Fragment =>
  sql`encode(convert_to(k.key, 'UTF8'), 'hex') ~ (SELECT ${S}.glob_regex(${pattern}::bytea))`;

/**
 * RANDOMKEY: the first live key at or after a random point of the SCAN order
 * (wrapping around), so it costs an index probe, not a sort of the keyspace.
 * Like Redis' bucket sampling it is not exactly uniform.
 *   SELECT coalesce((SELECT k.key … WHERE redis.scan_slot(k.key) >= r.slot … LIMIT 1),
 *                   (SELECT k.key … ORDER BY redis.scan_slot(k.key) LIMIT 1)) AS reply
 *   FROM (SELECT floor(random() * 9007199254740992)::bigint AS slot) AS r
 */
const RANDOMKEY: Translator<'RANDOMKEY'> = (_cmd, { S }) => ({
  sql: sql`SELECT coalesce(
  (SELECT k.key FROM ${S}.keys k WHERE ${S}.scan_slot(k.key) >= r.slot AND ${S}.is_live(k.expires_at)
   ORDER BY ${S}.scan_slot(k.key) LIMIT 1),
  (SELECT k.key FROM ${S}.keys k WHERE ${S}.is_live(k.expires_at) ORDER BY ${S}.scan_slot(k.key) LIMIT 1)) AS reply
FROM (SELECT floor(random() * 9007199254740992)::bigint AS slot) AS r`,
  reply: BULK,
});

/** Slots run from 1 to 2^53 (scan_slot); a cursor past them is the end. */
const SLOT_END = 9007199254740993n;
const TYPE_NAMES = new Set(['string', 'list', 'set', 'zset', 'hash', 'stream']);

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor is the
 * scan slot of the next key to return (0: done). COUNT live keys are taken
 * from there, with any other key of the last slot; MATCH and TYPE then filter
 * them, so a batch can be empty while the cursor is not 0, as in Redis.
 *   WITH page AS (SELECT redis.scan_slot(k.key) AS slot FROM redis.keys k
 *                 WHERE redis.scan_slot(k.key) >= $1::bigint AND redis.is_live(k.expires_at)
 *                 ORDER BY 1 LIMIT <$2::bigint, ERR syntax error below 1>), …
 *   SELECT <next slot or 0>::text AS cursor, ARRAY(<keys of the page's slots>) AS keys
 */
const SCAN: Translator<'SCAN'> = (cmd, { S }) => {
  // COUNT below 1 is Redis' syntax error, raised by the SQL, so that one statement serves every count.
  const count = param(cmd.args.count ?? 10n);
  // Redis reads the cursor as unsigned: a negative one is past every slot.
  const cursor = cmd.args.cursor < 0n || cmd.args.cursor > SLOT_END ? SLOT_END : cmd.args.cursor;
  const from = param(cursor);
  const filters: Fragment[] = [];
  if (cmd.args.pattern !== undefined) filters.push(sql`
          AND ${keyMatches(S, param(cmd.args.pattern))}`);
  if (cmd.args.type !== undefined) {
    // Redis compares type names case-insensitively; an unknown name matches nothing.
    const name = cmd.args.type.toString('latin1').toLowerCase();
    filters.push(sql`
          AND k.type = ${TYPE_NAMES.has(name) ? name : ''}`);
  }
  const live = sql`${S}.is_live(k.expires_at)`;
  return {
    sql: sql`WITH page AS (
  SELECT ${S}.scan_slot(k.key) AS slot FROM ${S}.keys k
  WHERE ${S}.scan_slot(k.key) >= ${from}::bigint AND ${live}
  ORDER BY 1 LIMIT CASE WHEN ${count}::bigint < 1 THEN ${S}.fail(${'ERR syntax error'}, NULL::bigint) ELSE ${count}::bigint END
), last AS (SELECT max(slot) AS slot FROM page)
SELECT coalesce((SELECT ${S}.scan_slot(k.key) FROM ${S}.keys k
                 WHERE ${S}.scan_slot(k.key) > last.slot AND ${live} ORDER BY 1 LIMIT 1), 0)::text AS cursor,
  ARRAY(SELECT k.key FROM ${S}.keys k
        WHERE ${S}.scan_slot(k.key) BETWEEN ${from}::bigint AND last.slot AND ${live}${join(filters, '')}
        ORDER BY ${S}.scan_slot(k.key), k.key) AS keys
FROM last`,
    reply: {
      kind: 'tuple',
      items: [scalar('bulk', 'cursor'), { kind: 'array-column', of: 'bulk', column: 'keys' }],
    },
  };
};

/**
 * TYPE key
 *   SELECT coalesce((SELECT k.type FROM redis.keys k WHERE k.key = $1 AND redis.is_live(k.expires_at)), 'none') AS reply
 */
const TYPE: Translator<'TYPE'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce((SELECT k.type FROM ${S}.keys k WHERE ${liveKey(S, k, param(cmd.args.key))}), 'none') AS reply`,
  reply: STATUS,
});

/**
 * PERSIST key
 *   SELECT redis.persist_key($1) AS reply
 */
const PERSIST: Translator<'PERSIST'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.persist_key(${param(cmd.args.key)}) AS reply`,
  reply: INTEGER,
});

/**
 * RENAME key newkey (`+OK`; `ERR no such key`) and RENAMENX (1 or 0)
 *   SELECT redis.rename_key($1, $2, false) AS reply
 */
function rename(nx: boolean, reply: ReplyShape): Translator<'RENAME' | 'RENAMENX'> {
  return (cmd, { S }) => ({
    sql: sql`SELECT ${S}.rename_key(${param(cmd.args.key)}, ${param(cmd.args.newkey)}, ${raw(String(nx))}) AS reply`,
    reply,
  });
}

/**
 * COPY source destination [DB 0] [REPLACE]: DB 0 is this database; another
 * database is refused (only database 0 is modelled).
 *   SELECT redis.copy_key($1, $2, false) AS reply
 */
const COPY: Translator<'COPY'> = (cmd, { S }) => {
  const db = cmd.args['destination-db'];
  if (db !== undefined) checkDatabase('COPY', db);
  return {
    sql: sql`SELECT ${S}.copy_key(${param(cmd.args.source)}, ${param(cmd.args.destination)}, ${raw(String(cmd.args.replace === true))}) AS reply`,
    reply: INTEGER,
  };
};

export const GENERIC_TRANSLATORS = {
  COPY,
  DEL,
  DUMP: never("DUMP returns Redis' RDB serialization of a value, which PostgreSQL rows do not reproduce"),
  EXISTS,
  EXPIRE,
  EXPIREAT,
  EXPIRETIME: ttl(() => sql`div(k.expires_at + 500::numeric, 1000)::bigint`),
  KEYS,
  MIGRATE: never('MIGRATE moves keys to another Redis server; there is none behind PostgreSQL'),
  MOVE: never(`MOVE moves a key to another database: ${ONLY_DB_0}`),
  'OBJECT ENCODING': never("object encodings (listpack, hashtable, …) are Redis' memory layouts; rows have none"),
  'OBJECT FREQ': never('PostgreSQL keeps no LFU access counter per key'),
  'OBJECT HELP': never('the OBJECT subcommands it describes are not translated'),
  'OBJECT IDLETIME': never('PostgreSQL keeps no last-access time per key'),
  'OBJECT REFCOUNT': never("reference counts of Redis' shared objects have no equivalent in rows"),
  PERSIST,
  PEXPIRE,
  PEXPIREAT,
  PEXPIRETIME: ttl(() => sql`k.expires_at`),
  PTTL: ttl((S) => sql`k.expires_at - ${S}.now_ms()`),
  RANDOMKEY,
  RENAME: rename(false, OK),
  RENAMENX: rename(true, INTEGER),
  RESTORE: never("RESTORE reads Redis' RDB serialization (from DUMP), which is not reproduced"),
  SCAN,
  SORT,
  SORT_RO,
  TOUCH: EXISTS,
  TTL: ttl((S) => sql`div(k.expires_at - ${S}.now_ms() + 500::numeric, 1000)::bigint`),
  TYPE,
  UNLINK: DEL,
  WAIT: never(
    'WAIT counts replicas acknowledging writes; PostgreSQL durability is set by synchronous_commit and synchronous_standby_names',
  ),
} as const satisfies GroupTranslators<'generic'>;
