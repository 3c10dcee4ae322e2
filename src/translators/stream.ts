/**
 * Streams. Reads (XLEN, XRANGE, XREVRANGE, XREAD) are plain SQL over the
 * registry joined to `stream_entries`; writes (XADD, XDEL, XTRIM, XSETID,
 * XGROUP) call the functions of emit/schema/streams.ts, which lock the key
 * before they read the stream's last ID. IDs are parsed here, as Redis parses
 * them, and reach SQL as decimal strings (`numeric`: they are unsigned 64-bit).
 *
 * Not translated yet (refused as pending): reading and acknowledging in
 * consumer groups (XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM) and XINFO.
 * The HELP subcommands are refused: server help text, not data.
 */
import { RedisError } from '../errors.js';
import { INTEGER, OK, scalar, type ReplyShape } from '../emit/reply.js';
import { toInteger } from '../grammar/values.js';
import { liveKey } from './shared.js';
import { param, raw, sql, type Fragment, type Raw } from './sql.js';
import { never, pending, type GroupTranslators, type Translator } from './types.js';

const k = raw('k');
const U64_MAX = 2n ** 64n - 1n;
const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const HELP = never('help text of the server, not data: ask redis-server');
const PENDING = pending('not translated yet (issue #5): reading in consumer groups and XINFO come after XADD/XRANGE/XREAD/XGROUP');

/** A stream ID; `seq` undefined: `<ms>-*` (XADD picks the sequence). */
export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint | undefined;
}

/**
 * An unsigned 64-bit integer as Redis 7.0's string2ull reads it: string2ll
 * first (a negative result is refused), then C's strtoull (leading spaces,
 * a sign, and a `-` that wraps around modulo 2^64), on the C string.
 */
function toUnsigned(text: Buffer): bigint | undefined {
  const n = toInteger(text);
  if (n !== undefined) return n < 0n ? undefined : n;
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text.toString('latin1'));
  if (m === null) return undefined;
  const magnitude = BigInt(m[2]!);
  if (magnitude > U64_MAX) return undefined;
  return m[1] === '-' ? (U64_MAX + 1n - magnitude) % (U64_MAX + 1n) : magnitude;
}

/**
 * A stream ID as Redis 7.0's streamGenericParseIDOrReply reads it: `-` and
 * `+` (unless `strict`), `<ms>` (the sequence is `missingSeq`), `<ms>-<seq>`,
 * and `<ms>-*` when `seqStar` (XADD). The text is read as a C string (up to
 * a NUL byte), and must be shorter than 128 bytes.
 *
 *   parseStreamId(Buffer.from('5'), 2n ** 64n - 1n) → { ms: 5n, seq: 18446744073709551615n }
 *   parseStreamId(Buffer.from('+'), 0n, { strict: true }) → throws RedisError(INVALID_ID)
 */
export function parseStreamId(
  given: Buffer,
  missingSeq: bigint,
  options: { readonly strict?: boolean; readonly seqStar?: boolean } = {},
): StreamId {
  if (given.length > 127) throw new RedisError(INVALID_ID);
  const nul = given.indexOf(0);
  const text = nul < 0 ? given : given.subarray(0, nul);
  const word = text.toString('latin1');
  if (word === '-' || word === '+') {
    if (options.strict === true) throw new RedisError(INVALID_ID);
    return word === '-' ? { ms: 0n, seq: 0n } : { ms: U64_MAX, seq: U64_MAX };
  }
  const dash = text.indexOf(0x2d);
  const ms = toUnsigned(dash < 0 ? text : text.subarray(0, dash));
  if (ms === undefined) throw new RedisError(INVALID_ID);
  if (dash < 0) return { ms, seq: missingSeq };
  const rest = text.subarray(dash + 1);
  if (options.seqStar === true && rest.length === 1 && rest[0] === 0x2a) return { ms, seq: undefined };
  const seq = toUnsigned(rest);
  if (seq === undefined) throw new RedisError(INVALID_ID);
  return { ms, seq };
}

/**
 * An interval end of XRANGE/XREVRANGE: an ID, or `(` and a strict ID
 * (exclusive, turned into the next or previous ID as Redis does).
 */
function intervalId(given: Buffer, lower: boolean): { ms: bigint; seq: bigint } {
  const exclusive = given.length > 1 && given[0] === 0x28;
  const id = exclusive
    ? parseStreamId(given.subarray(1), lower ? 0n : U64_MAX, { strict: true })
    : parseStreamId(given, lower ? 0n : U64_MAX);
  let { ms } = id;
  let seq = id.seq ?? 0n;
  if (!exclusive) return { ms, seq };
  if (lower) {
    if (seq < U64_MAX) seq += 1n;
    else if (ms < U64_MAX) [ms, seq] = [ms + 1n, 0n];
    else throw new RedisError('ERR invalid start ID for the interval');
  } else if (seq > 0n) seq -= 1n;
  else if (ms > 0n) [ms, seq] = [ms - 1n, U64_MAX];
  else throw new RedisError('ERR invalid end ID for the interval');
  return { ms, seq };
}

const numeric = (n: bigint | undefined): Fragment => sql`${param(n === undefined ? null : n.toString())}::numeric`;
const keyText = (key: string): Fragment => sql`${param(key)}::text`;

interface TrimArgs {
  readonly strategy: { readonly kind: 'maxlen' | 'minid' };
  readonly operator?: { readonly kind: 'equal' | 'approximately' } | undefined;
  readonly threshold: Buffer;
  readonly count?: bigint | undefined;
}

/** Redis' default LIMIT for "~": 100 × stream-node-max-entries (100). */
const APPROX_LIMIT = 10000n;

/** MAXLEN/MINID threshold and LIMIT, checked in Redis' order; the SQL arguments of stream_trim. */
function trimArguments(trim: TrimArgs | undefined): { parts: Fragment; limitWithoutApprox: boolean } {
  if (trim === undefined) {
    return {
      parts: sql`NULL::text, false, NULL::bigint, NULL::numeric, NULL::numeric, NULL::bigint`,
      limitWithoutApprox: false,
    };
  }
  const approx = trim.operator?.kind === 'approximately';
  let maxlen: bigint | undefined;
  let min: StreamId | undefined;
  if (trim.strategy.kind === 'maxlen') {
    maxlen = toInteger(trim.threshold);
    if (maxlen === undefined) throw new RedisError('ERR value is not an integer or out of range');
    if (maxlen < 0n) throw new RedisError('ERR The MAXLEN argument must be >= 0.');
  } else {
    min = parseStreamId(trim.threshold, 0n, { strict: true });
  }
  if (trim.count !== undefined && trim.count < 0n) throw new RedisError('ERR The LIMIT argument must be >= 0.');
  const limit = trim.count ?? (approx ? APPROX_LIMIT : 0n);
  return {
    parts: sql`${raw(`'${trim.strategy.kind}'`)}, ${raw(approx ? 'true' : 'false')}, ${param(maxlen ?? null)}::bigint, ${numeric(min?.ms)}, ${numeric(min?.seq)}, ${param(limit)}::bigint`,
    limitWithoutApprox: trim.count !== undefined && !approx,
  };
}

const LIMIT_WITHOUT_APPROX = 'ERR syntax error, LIMIT cannot be used without the special ~ option';

/**
 * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value […]
 *   SELECT redis.xadd($1::text, false, $2::numeric, $3::numeric, $4::bytea[],
 *                     'maxlen', false, $5::bigint, NULL::numeric, NULL::numeric, $6::bigint) AS reply
 */
const XADD: Translator<'XADD'> = (cmd, { S }) => {
  const { parts, limitWithoutApprox } = trimArguments(cmd.args.trim);
  const id =
    cmd.args.id_or_auto.kind === 'auto_id'
      ? undefined
      : parseStreamId(cmd.args.id_or_auto.value, 0n, { strict: true, seqStar: true });
  if (limitWithoutApprox) throw new RedisError(LIMIT_WITHOUT_APPROX);
  const fieldValues = cmd.args.field_value.flatMap((fv) => [fv.field, fv.value]);
  // A NULL ms is "*", a NULL seq "<ms>-*": both need the stream's last ID, read under the key's lock.
  return {
    sql: sql`SELECT ${S}.xadd(${keyText(cmd.args.key)}, ${raw(cmd.args.nomkstream === true ? 'true' : 'false')}, ${numeric(id?.ms)}, ${numeric(id?.seq)}, ${param(fieldValues)}::bytea[],
  ${parts}) AS reply`,
    reply: scalar('bulk'),
  };
};

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] → the number of entries removed. */
const XTRIM: Translator<'XTRIM'> = (cmd, { S }) => {
  const { parts, limitWithoutApprox } = trimArguments(cmd.args.trim);
  if (limitWithoutApprox) throw new RedisError(LIMIT_WITHOUT_APPROX);
  return { sql: sql`SELECT ${S}.xtrim(${keyText(cmd.args.key)}, ${parts}) AS reply`, reply: INTEGER };
};

/** XDEL key id [id …] → the number deleted. `SELECT redis.xdel($1::text, $2::numeric[], $3::numeric[]) AS reply` */
const XDEL: Translator<'XDEL'> = (cmd, { S }) => {
  const ids = cmd.args.id.map((b) => parseStreamId(b, 0n, { strict: true }));
  return {
    sql: sql`SELECT ${S}.xdel(${keyText(cmd.args.key)}, ${param(ids.map((i) => i.ms.toString()))}::numeric[], ${param(ids.map((i) => (i.seq ?? 0n).toString()))}::numeric[]) AS reply`,
    reply: INTEGER,
  };
};

/**
 * XLEN key
 *   SELECT k.size AS reply, redis.expect_type(k.type, 'stream') AS type_ok
 *   FROM redis.keys k WHERE k.key = $1 AND redis.is_live(k.expires_at)
 * (no row: a missing key, 0)
 */
const XLEN: Translator<'XLEN'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce(k.size, 0) AS reply, ${S}.expect_type(k.type, 'stream') AS type_ok
FROM (VALUES (1)) AS one LEFT JOIN ${S}.keys k ON ${liveKey(S, k, param(cmd.args.key))}`,
  reply: INTEGER,
});

/** One entry of XRANGE's reply: [id, [field, value, …]]. */
const ENTRY: ReplyShape = {
  kind: 'tuple',
  items: [scalar('bulk', 'id'), { kind: 'array-column', of: 'bulk', column: 'field_values' }],
};

/**
 * XRANGE / XREVRANGE: the entries between two IDs (both inclusive by then),
 * one row each. The type check is a second branch that yields no row for a
 * stream (and raises WRONGTYPE otherwise), in a select list as always.
 *   SELECT e.ms, e.seq, e.ms || '-' || e.seq AS id, e.field_values FROM redis.keys k
 *     JOIN redis.stream_entries e ON e.key = k.key AND (e.ms, e.seq) BETWEEN ($2, $3) AND ($4, $5)
 *   WHERE k.key = $1 AND … ORDER BY e.ms, e.seq LIMIT $6
 *   UNION ALL <WRONGTYPE check> ORDER BY 1, 2
 */
function range(S: Raw, key: string, lowArg: Buffer, highArg: Buffer, count: bigint | undefined, reverse: boolean) {
  const low = intervalId(lowArg, true);
  const high = intervalId(highArg, false);
  const live = liveKey(S, k, param(key));
  if (count !== undefined && count <= 0n) {
    // Redis answers a nil array for COUNT ≤ 0 once it has found the stream; an empty one without it.
    return {
      sql: sql`SELECT CASE WHEN k.key IS NULL THEN '{}'::bytea[] END AS reply, ${S}.expect_type(k.type, 'stream') AS type_ok
FROM (VALUES (1)) AS one LEFT JOIN ${S}.keys k ON ${live}`,
      reply: { kind: 'array-column', of: 'bulk', nil: 'array' } as const,
    };
  }
  const order = raw(reverse ? 'DESC' : 'ASC');
  return {
    sql: sql`SELECT * FROM (
  (SELECT e.ms, e.seq, e.ms::text || '-' || e.seq::text AS id, e.field_values
   FROM ${S}.keys k JOIN ${S}.stream_entries e ON e.key = k.key
     AND (e.ms, e.seq) >= (${numeric(low.ms)}, ${numeric(low.seq)}) AND (e.ms, e.seq) <= (${numeric(high.ms)}, ${numeric(high.seq)})
   WHERE ${live}
   ORDER BY e.ms ${order}, e.seq ${order} LIMIT ${param(count ?? null)}::bigint)
  UNION ALL
  SELECT NULL, NULL, NULL, NULL FROM (SELECT ${S}.expect_type(k.type, 'stream') AS type_ok
    FROM ${S}.keys k WHERE ${live} OFFSET 0) AS checked WHERE NOT checked.type_ok
) AS entries ORDER BY ms ${order}, seq ${order}`,
    reply: { kind: 'rows', row: ENTRY } as const,
  };
}

/** XRANGE key start end [COUNT count] */
const XRANGE: Translator<'XRANGE'> = (cmd, { S }) =>
  range(S, cmd.args.key, cmd.args.start, cmd.args.end, cmd.args.count, false);

/** XREVRANGE key end start [COUNT count] */
const XREVRANGE: Translator<'XREVRANGE'> = (cmd, { S }) =>
  range(S, cmd.args.key, cmd.args.start, cmd.args.end, cmd.args.count, true);

/**
 * XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
 *   SELECT redis.xsetid($1::text, $2::numeric, $3::numeric, $4::bigint, $5::numeric, $6::numeric) AS reply
 */
const XSETID: Translator<'XSETID'> = (cmd, { S }) => {
  const id = parseStreamId(cmd.args['last-id'], 0n, { strict: true });
  const added = cmd.args.entries_added;
  if (added !== undefined && added < 0n) throw new RedisError('ERR entries_added must be positive');
  const deletedArg = cmd.args.max_deleted_entry_id;
  const deleted = deletedArg === undefined ? undefined : parseStreamId(deletedArg, 0n, { strict: true });
  const cmp = (a: StreamId, b: StreamId): number =>
    a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.seq === b.seq ? 0 : (a.seq ?? 0n) < (b.seq ?? 0n) ? -1 : 1;
  if (deleted !== undefined && cmp(id, deleted) < 0) {
    throw new RedisError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
  }
  return {
    sql: sql`SELECT ${S}.xsetid(${keyText(cmd.args.key)}, ${numeric(id.ms)}, ${numeric(id.seq)}, ${param(added ?? null)}::bigint, ${numeric(deleted?.ms)}, ${numeric(deleted?.seq)}) AS reply`,
    reply: OK,
  };
};

/**
 * XREAD [COUNT count] [BLOCK ms] STREAMS key … id …: for each stream in turn,
 * its entries after the ID (`$`: its last ID, so none), COUNT at most each
 * (≤ 0: all); streams with nothing are left out, nil when none has anything.
 * An ID this cannot read is raised by SQL at its turn, after the types of the
 * streams before it, as Redis checks them. BLOCK does not wait (see the warning).
 *   SELECT given.i AS stream, given.key, e.ms, e.seq, e.ms || '-' || e.seq AS id, e.field_values
 *   FROM unnest($1::text[], $2::numeric[], $3::numeric[]) WITH ORDINALITY AS given(key, ms, seq, i)
 *   JOIN redis.keys k … JOIN LATERAL (<entries after the ID> LIMIT $4) e ON true
 *   UNION ALL <xread_check> ORDER BY stream, ms, seq
 */
const XREAD: Translator<'XREAD'> = (cmd, { S }) => {
  const block = cmd.args.milliseconds;
  if (block !== undefined && block < 0n) throw new RedisError('ERR timeout is negative');
  const keys = cmd.args.streams.key;
  const ms: (string | null)[] = [];
  const seq: (string | null)[] = [];
  let bad = 0;
  let error: string | null = null;
  cmd.args.streams.id.forEach((given, i) => {
    if (bad > 0) return;
    const text = given.toString('latin1');
    if (text === '$') {
      ms.push(null);
      seq.push(null);
      return;
    }
    if (text === '>') {
      error = 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.';
    } else {
      try {
        const id = parseStreamId(given, 0n, { strict: true });
        ms.push(id.ms.toString());
        seq.push((id.seq ?? 0n).toString());
        return;
      } catch (e) {
        if (!(e instanceof RedisError)) throw e;
        error = e.message;
      }
    }
    bad = i + 1;
  });
  const count = cmd.args.count !== undefined && cmd.args.count > 0n ? cmd.args.count : null;
  const keyArray = param([...keys]);
  return {
    sql: sql`SELECT * FROM (
  SELECT given.i AS stream, given.key, e.ms, e.seq, e.ms::text || '-' || e.seq::text AS id, e.field_values
  FROM unnest(${keyArray}::text[], ${param(ms)}::numeric[], ${param(seq)}::numeric[]) WITH ORDINALITY AS given(key, ms, seq, i)
  JOIN ${S}.keys k ON k.key = given.key AND ${S}.is_live(k.expires_at) AND k.type = 'stream'
  JOIN ${S}.streams st ON st.key = k.key
  JOIN LATERAL (SELECT e.ms, e.seq, e.field_values FROM ${S}.stream_entries e
    WHERE e.key = k.key AND (e.ms, e.seq) > (coalesce(given.ms, st.last_ms), coalesce(given.seq, st.last_seq))
    ORDER BY e.ms, e.seq LIMIT ${param(count)}::bigint) AS e ON true
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, NULL
  FROM (SELECT ${S}.xread_check(${keyArray}::text[], ${param(bad)}::integer, ${param(error)}::text) AS ok OFFSET 0) AS checked
  WHERE NOT checked.ok
) AS entries ORDER BY stream, ms, seq`,
    reply: { kind: 'groups', by: 'stream', head: scalar('bulk', 'key'), row: ENTRY },
    warnings:
      block === undefined
        ? []
        : ['XREAD BLOCK does not wait here: like XREAD BLOCK inside MULTI, it answers at once (nil when there is nothing to read)'],
  };
};

/** Redis' NOGROUP text: the group name is printed as a C string (up to a NUL byte). */
function noGroup(group: Buffer, key: string): string {
  const nul = group.indexOf(0);
  return `NOGROUP No such consumer group '${(nul < 0 ? group : group.subarray(0, nul)).toString()}' for key name '${key}'`;
}

/** ENTRIESREAD of XGROUP CREATE/SETID: -1 (unknown) when absent. */
function entriesRead(n: bigint | undefined): bigint {
  if (n !== undefined && n < 0n && n !== -1n) throw new RedisError('ERR value for ENTRIESREAD must be positive or -1');
  return n ?? -1n;
}

/** A group's ID argument (`$`: NULL), or the error Redis gives for it once it has checked the key. */
function groupId(id: { readonly kind: 'new_id' } | { readonly kind: 'id'; readonly value: Buffer }, strict: boolean): Fragment {
  if (id.kind === 'new_id') return sql`NULL::numeric, NULL::numeric, NULL::text`;
  try {
    const parsed = parseStreamId(id.value, 0n, { strict });
    return sql`${numeric(parsed.ms)}, ${numeric(parsed.seq)}, NULL::text`;
  } catch (e) {
    if (!(e instanceof RedisError)) throw e;
    return sql`NULL::numeric, NULL::numeric, ${param(e.message)}::text`;
  }
}

const bytes = (b: Buffer): Fragment => sql`${param(b)}::bytea`;

/** XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] → OK (or BUSYGROUP). */
const XGROUP_CREATE: Translator<'XGROUP CREATE'> = (cmd, { S }) => {
  const read = entriesRead(cmd.args.entries_read);
  return {
    sql: sql`SELECT ${S}.xgroup_create(${keyText(cmd.args.key)}, ${bytes(cmd.args.groupname)}, ${groupId(cmd.args.id, true)},
  ${raw(cmd.args.mkstream === true ? 'true' : 'false')}, ${param(read)}::bigint) AS reply`,
    reply: OK,
  };
};

/** XGROUP SETID key group id|$ [ENTRIESREAD n] → OK. */
const XGROUP_SETID: Translator<'XGROUP SETID'> = (cmd, { S }) => {
  const read = entriesRead(cmd.args.entries_read);
  return {
    sql: sql`SELECT ${S}.xgroup_setid(${keyText(cmd.args.key)}, ${bytes(cmd.args.groupname)}, ${param(noGroup(cmd.args.groupname, cmd.args.key))}::text,
  ${groupId(cmd.args.id, false)}, ${param(read)}::bigint) AS reply`,
    reply: OK,
  };
};

/** XGROUP DESTROY key group → 1 or 0. */
const XGROUP_DESTROY: Translator<'XGROUP DESTROY'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.xgroup_destroy(${keyText(cmd.args.key)}, ${bytes(cmd.args.groupname)}) AS reply`,
  reply: INTEGER,
});

/** XGROUP CREATECONSUMER key group consumer → 1 when created. */
const XGROUP_CREATECONSUMER: Translator<'XGROUP CREATECONSUMER'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.xgroup_createconsumer(${keyText(cmd.args.key)}, ${bytes(cmd.args.groupname)}, ${param(noGroup(cmd.args.groupname, cmd.args.key))}::text, ${bytes(cmd.args.consumername)}) AS reply`,
  reply: INTEGER,
});

/** XGROUP DELCONSUMER key group consumer → the number of entries it had pending. */
const XGROUP_DELCONSUMER: Translator<'XGROUP DELCONSUMER'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.xgroup_delconsumer(${keyText(cmd.args.key)}, ${bytes(cmd.args.groupname)}, ${param(noGroup(cmd.args.groupname, cmd.args.key))}::text, ${bytes(cmd.args.consumername)}) AS reply`,
  reply: INTEGER,
});

export const STREAM_TRANSLATORS = {
  XACK: PENDING,
  XADD,
  XAUTOCLAIM: PENDING,
  XCLAIM: PENDING,
  XDEL,
  'XGROUP CREATE': XGROUP_CREATE,
  'XGROUP CREATECONSUMER': XGROUP_CREATECONSUMER,
  'XGROUP DELCONSUMER': XGROUP_DELCONSUMER,
  'XGROUP DESTROY': XGROUP_DESTROY,
  'XGROUP HELP': HELP,
  'XGROUP SETID': XGROUP_SETID,
  'XINFO CONSUMERS': PENDING,
  'XINFO GROUPS': PENDING,
  'XINFO HELP': HELP,
  'XINFO STREAM': PENDING,
  XLEN,
  XPENDING: PENDING,
  XRANGE,
  XREAD,
  XREADGROUP: PENDING,
  XREVRANGE,
  XSETID,
  XTRIM,
} as const satisfies GroupTranslators<'stream'>;
