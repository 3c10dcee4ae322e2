/**
 * Streams. Reads (XLEN, XRANGE, XREVRANGE, XREAD) are plain SQL over the
 * registry joined to `stream_entries`; writes (XADD, XDEL, XTRIM, XSETID,
 * XGROUP) call the functions of emit/schema/streams.ts, which lock the key
 * before they read the stream's last ID. IDs are parsed here, as Redis parses
 * them, and reach SQL as decimal strings (`numeric`: they are unsigned 64-bit).
 *
 * Reading in consumer groups (XREADGROUP, XACK, XCLAIM, XAUTOCLAIM) and
 * XPENDING / XINFO call functions that lock (writes) or read the stream and
 * build their nested replies as jsonb (the `lua` reply shape). XPENDING,
 * XCLAIM, XAUTOCLAIM and XINFO STREAM read their options from the argv as
 * Redis' own parsers do (IDs until the first word that is not one, errors
 * worded per command); an error Redis gives only once it has found the key
 * and group is passed to SQL, which raises it at that point.
 * The HELP subcommands are refused: server help text, not data.
 */
import { RedisError } from '../errors.js';
import { INTEGER, OK, scalar, type ReplyShape } from '../emit/reply.js';
import { toInteger } from '../grammar/values.js';
import { INVALID_ID, intervalId, parseStreamId, type StreamId } from '../grammar/stream-id.js';
import { liveKey } from './shared.js';
import { param, raw, sql, type Fragment, type Raw } from './sql.js';
import { never, type GroupTranslators, type Translator } from './types.js';

const k = raw('k');
const U64_MAX = 2n ** 64n - 1n;
const HELP = never('help text of the server, not data: ask redis-server');

export { parseStreamId, type StreamId } from '../grammar/stream-id.js';

const numeric = (n: bigint | undefined): Fragment => sql`${param(n === undefined ? null : n.toString())}::numeric`;
const keyText = (key: string): Fragment => sql`${param(key)}::text`;

interface TrimArgs {
  readonly strategy: { readonly kind: 'maxlen' | 'minid' };
  readonly operator?: { readonly kind: 'equal' | 'approximately' } | undefined;
  readonly threshold: Buffer;
}

/** Redis' default LIMIT for "~": 100 × stream-node-max-entries (100). */
const APPROX_LIMIT = 10000n;

/**
 * MAXLEN/MINID threshold and LIMIT (the parser has checked them and their
 * combination, in Redis' order); the SQL arguments of stream_trim.
 */
function trimArguments(trim: TrimArgs | undefined, count: bigint | undefined): Fragment {
  if (trim === undefined) return sql`NULL::text, false, NULL::bigint, NULL::numeric, NULL::numeric, NULL::bigint`;
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
  const limit = count ?? (approx ? APPROX_LIMIT : 0n);
  return sql`${raw(`'${trim.strategy.kind}'`)}, ${raw(approx ? 'true' : 'false')}, ${param(maxlen ?? null)}::bigint, ${numeric(min?.ms)}, ${numeric(min?.seq)}, ${param(limit)}::bigint`;
}

/**
 * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold] [LIMIT count] *|id field value […]
 *   SELECT redis.xadd($1::text, false, $2::numeric, $3::numeric, $4::bytea[],
 *                     'maxlen', false, $5::bigint, NULL::numeric, NULL::numeric, $6::bigint) AS reply
 */
const XADD: Translator<'XADD'> = (cmd, { S }) => {
  const parts = trimArguments(cmd.args.trim, cmd.args.count);
  const id =
    cmd.args.id_or_auto.kind === 'auto_id'
      ? undefined
      : parseStreamId(cmd.args.id_or_auto.value, 0n, { strict: true, seqStar: true });
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
  const parts = trimArguments(cmd.args.trim, cmd.args.count);
  return { sql: sql`SELECT ${S}.xtrim(${keyText(cmd.args.key)}, ${parts}) AS reply`, reply: INTEGER };
};

/**
 * IDs read in order up to the first invalid one, whose error is handed to SQL:
 * Redis answers for a missing key (or group) before it reads them.
 */
function strictIds(given: readonly Buffer[]): { parsed: { ms: bigint; seq: bigint }[]; error: string | null } {
  const parsed: { ms: bigint; seq: bigint }[] = [];
  for (const g of given) {
    const id = strictId(g);
    if (id === undefined) return { parsed, error: INVALID_ID };
    parsed.push(id);
  }
  return { parsed, error: null };
}

/**
 * XDEL key id [id …] → the number deleted; a missing key answers 0 before the IDs are read.
 *   SELECT redis.xdel($1::text, $2::numeric[], $3::numeric[], $4::text) AS reply
 */
const XDEL: Translator<'XDEL'> = (cmd, { S }) => {
  const { parsed, error } = strictIds(cmd.args.id);
  return {
    sql: sql`SELECT ${S}.xdel(${keyText(cmd.args.key)}, ${ids(parsed)}, ${param(error)}::text) AS reply`,
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
 *   JOIN redis.keys k … JOIN LATERAL (<entries after the ID> LIMIT <$4 above 0, else none>) e ON true
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
  // COUNT 0 or less reads them all, as no COUNT does: checked in SQL, so that the statement is one for every count.
  const count = cmd.args.count ?? null;
  const keyArray = param([...keys]);
  return {
    sql: sql`SELECT * FROM (
  SELECT given.i AS stream, given.key, e.ms, e.seq, e.ms::text || '-' || e.seq::text AS id, e.field_values
  FROM unnest(${keyArray}::text[], ${param(ms)}::numeric[], ${param(seq)}::numeric[]) WITH ORDINALITY AS given(key, ms, seq, i)
  JOIN ${S}.keys k ON k.key = given.key AND ${S}.is_live(k.expires_at) AND k.type = 'stream'
  JOIN ${S}.streams st ON st.key = k.key
  JOIN LATERAL (SELECT e.ms, e.seq, e.field_values FROM ${S}.stream_entries e
    WHERE e.key = k.key AND (e.ms, e.seq) > (coalesce(given.ms, st.last_ms), coalesce(given.seq, st.last_seq))
    ORDER BY e.ms, e.seq LIMIT nullif(greatest(${param(count)}::bigint, 0), 0)) AS e ON true
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

/**
 * Redis reads XGROUP's options (a repeat is allowed), checks the key and the
 * group, and only then counts the words (CREATE 5 to 8, SETID 5 or 7, the
 * name counted): too many is its usage error, met where the ID is read.
 */
function usageOrId(
  argv: readonly Buffer[],
  fits: boolean,
  id: { readonly kind: 'new_id' } | { readonly kind: 'id'; readonly value: Buffer },
  strict: boolean,
): Fragment {
  if (fits) return groupId(id, strict);
  const typed = cString(argv[1]!.subarray(0, 128));
  const usage = `ERR unknown subcommand or wrong number of arguments for '${typed}'. Try XGROUP HELP.`;
  return sql`NULL::numeric, NULL::numeric, ${param(usage)}::text`;
}

/** XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] → OK (or BUSYGROUP). */
const XGROUP_CREATE: Translator<'XGROUP CREATE'> = (cmd, { S }) => {
  const read = entriesRead(cmd.args.entries_read);
  const id = usageOrId(cmd.argv, cmd.argv.length <= 8, cmd.args.id, true);
  return {
    sql: sql`SELECT ${S}.xgroup_create(${keyText(cmd.args.key)}, ${bytes(cmd.args.groupname)}, ${id},
  ${raw(cmd.args.mkstream === true ? 'true' : 'false')}, ${param(read)}::bigint) AS reply`,
    reply: OK,
  };
};

/** XGROUP SETID key group id|$ [ENTRIESREAD n] → OK. */
const XGROUP_SETID: Translator<'XGROUP SETID'> = (cmd, { S }) => {
  const read = entriesRead(cmd.args.entries_read);
  const id = usageOrId(cmd.argv, cmd.argv.length === 5 || cmd.argv.length === 7, cmd.args.id, false);
  return {
    sql: sql`SELECT ${S}.xgroup_setid(${keyText(cmd.args.key)}, ${bytes(cmd.args.groupname)}, ${param(noGroup(cmd.args.groupname, cmd.args.key))}::text,
  ${id}, ${param(read)}::bigint) AS reply`,
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

/** A name as Redis prints it with `%s`: a C string, up to its first NUL byte. */
function cString(b: Buffer | string): string {
  const bytes = Buffer.isBuffer(b) ? b : Buffer.from(b);
  const nul = bytes.indexOf(0);
  return (nul < 0 ? bytes : bytes.subarray(0, nul)).toString();
}

/** The NOGROUP text of XPENDING, XCLAIM and XAUTOCLAIM. */
const noKeyOrGroup = (key: string, group: Buffer): string =>
  `NOGROUP No such key '${cString(key)}' or consumer group '${cString(group)}'`;

const U64 = (n: bigint): string => n.toString();
const ids = (list: readonly { ms: bigint; seq: bigint }[]): Fragment =>
  sql`${param(list.map((i) => U64(i.ms)))}::numeric[], ${param(list.map((i) => U64(i.seq)))}::numeric[]`;

/** A strict ID (`<ms>[-<seq>]`), or undefined where Redis' strict parser fails. */
function strictId(given: Buffer): { ms: bigint; seq: bigint } | undefined {
  try {
    const id = parseStreamId(given, 0n, { strict: true });
    return { ms: id.ms, seq: id.seq ?? 0n };
  } catch (e) {
    if (e instanceof RedisError) return undefined;
    throw e;
  }
}

/** Every stream function below answers a nested reply built as jsonb. */
const TREE: ReplyShape = { kind: 'lua' };
const bool = (b: boolean): Raw => raw(b ? 'true' : 'false');

/**
 * XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key … id …: `>`
 * reads entries the group never delivered (moving its last ID, adding them to
 * the consumer's pending list unless NOACK); an explicit ID re-reads the
 * consumer's own pending entries after it. `18446744073709551615-18446744073709551615`
 * is what `>` stands for inside Redis, so it means `>` too. BLOCK does not wait.
 *   SELECT redis.xreadgroup($1::bytea, $2::bytea, $3::text[], $4::numeric[], $5::numeric[],
 *                           $6::text[], $7::integer, $8::text, nullif(greatest($9::bigint, 0), 0), false) AS reply
 */
const XREADGROUP: Translator<'XREADGROUP'> = (cmd, { S }) => {
  const block = cmd.args.milliseconds;
  if (block !== undefined && block < 0n) throw new RedisError('ERR timeout is negative');
  const { group, consumer } = cmd.args.group_consumer;
  const keys = cmd.args.streams.key;
  const ms: (string | null)[] = [];
  const seq: (string | null)[] = [];
  let bad = 0;
  let error: string | null = null;
  cmd.args.streams.id.forEach((given, i) => {
    if (bad > 0) return;
    const text = given.toString('latin1');
    if (text === '$') {
      error =
        'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.';
      bad = i + 1;
      return;
    }
    const id = text === '>' ? { ms: U64_MAX, seq: U64_MAX } : strictId(given);
    if (id === undefined) {
      error = INVALID_ID;
      bad = i + 1;
      return;
    }
    if (id.ms === U64_MAX && id.seq === U64_MAX) {
      ms.push(null);
      seq.push(null);
      return;
    }
    // The history after the ID: the next ID on, inclusive.
    const next = id.seq < U64_MAX ? { ms: id.ms, seq: id.seq + 1n } : { ms: id.ms + 1n, seq: 0n };
    ms.push(U64(next.ms));
    seq.push(U64(next.seq));
  });
  // COUNT 0 or less reads them all, as no COUNT does: checked in SQL, so that the statement is one for every count.
  const count = cmd.args.count ?? null;
  const nogroup = keys.map(
    (key) => `NOGROUP No such key '${cString(key)}' or consumer group '${cString(group)}' in XREADGROUP with GROUP option`,
  );
  return {
    sql: sql`SELECT ${S}.xreadgroup(${bytes(group)}, ${bytes(consumer)}, ${param([...keys])}::text[], ${param(ms)}::numeric[], ${param(seq)}::numeric[],
  ${param(nogroup)}::text[], ${param(bad)}::integer, ${param(error)}::text, nullif(greatest(${param(count)}::bigint, 0), 0), ${bool(cmd.args.noack === true)}) AS reply`,
    reply: TREE,
    warnings:
      block === undefined
        ? []
        : [
            'XREADGROUP BLOCK does not wait here: like XREADGROUP BLOCK inside MULTI, it answers at once (nil when there is nothing to read)',
          ],
  };
};

/** XACK key group id [id …] → the number acknowledged. `SELECT redis.xack($1::text, $2::bytea, $3::numeric[], $4::numeric[], $5::text) AS reply` */
const XACK: Translator<'XACK'> = (cmd, { S }) => {
  const { parsed, error } = strictIds(cmd.args.id);
  return {
    sql: sql`SELECT ${S}.xack(${keyText(cmd.args.key)}, ${bytes(cmd.args.group)}, ${ids(parsed)}, ${param(error)}::text) AS reply`,
    reply: INTEGER,
  };
};

const integerOr = (given: Buffer | undefined, message: string): bigint => {
  const n = given === undefined ? undefined : toInteger(given);
  if (n === undefined) throw new RedisError(message);
  return n;
};

const NOT_AN_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const upper = (b: Buffer | undefined): string => (b === undefined ? '' : b.toString('latin1').toUpperCase());

/**
 * XPENDING key group [[IDLE min-idle] start end count [consumer]], read as
 * Redis reads it (the count before the IDs; every word checked before the key).
 *   SELECT redis.xpending($1::text, $2::bytea, $3::text, true, $4::bigint,
 *                         $5::numeric, $6::numeric, $7::numeric, $8::numeric, greatest($9::bigint, 0), $10::bytea) AS reply
 */
const XPENDING: Translator<'XPENDING'> = (cmd, { S }) => {
  const argv = cmd.argv;
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) throw new RedisError(SYNTAX);
  let minIdle = 0n;
  let start = { ms: 0n, seq: 0n };
  let end = { ms: 0n, seq: 0n };
  let count = 0n;
  let consumer: Buffer | null = null;
  if (argc >= 6) {
    let at = 3;
    if (upper(argv[3]) === 'IDLE') {
      minIdle = integerOr(argv[4], NOT_AN_INTEGER);
      if (argc < 8) throw new RedisError(SYNTAX);
      at += 2;
    }
    // A negative count lists nothing, as 0 does: said in SQL, so that one statement serves every count.
    count = integerOr(argv[at + 2], NOT_AN_INTEGER);
    start = intervalId(argv[at]!, true);
    end = intervalId(argv[at + 1]!, false);
    consumer = argv[at + 3] ?? null;
  }
  return {
    sql: sql`SELECT ${S}.xpending(${keyText(cmd.args.key)}, ${bytes(cmd.args.group)}, ${param(noKeyOrGroup(cmd.args.key, cmd.args.group))}::text, ${bool(argc >= 6)}, ${param(minIdle)}::bigint,
  ${numeric(start.ms)}, ${numeric(start.seq)}, ${numeric(end.ms)}, ${numeric(end.seq)}, greatest(${param(count)}::bigint, 0), ${param(consumer)}::bytea) AS reply`,
    reply: TREE,
  };
};

/**
 * XCLAIM key group consumer min-idle-time id … [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]:
 * IDs up to the first word that is not one, then options in any order (the
 * later of IDLE and TIME wins). Errors wait for the key and group checks.
 *   SELECT redis.xclaim($1::text, $2::bytea, $3::bytea, $4::text, $5::text, greatest($6::bigint, 0), $7::numeric[], $8::numeric[],
 *                       $9::bigint, $10::bigint, $11::bigint, false, false, $12::numeric, $13::numeric) AS reply
 */
const XCLAIM: Translator<'XCLAIM'> = (cmd, { S }) => {
  const argv = cmd.argv;
  let error: string | null = null;
  let minIdle = 0n;
  const claimed: { ms: bigint; seq: bigint }[] = [];
  let idle: bigint | null = null;
  let time: bigint | null = null;
  let retry: bigint | null = null;
  let force = false;
  let justid = false;
  let lastId = { ms: 0n, seq: 0n };
  const option = (): void => {
    const given = toInteger(argv[4]!);
    if (given === undefined) throw new RedisError('ERR Invalid min-idle-time argument for XCLAIM');
    // A negative min-idle-time is 0: said in SQL (greatest), so that one statement serves every value.
    minIdle = given;
    let j = 5;
    for (; j < argv.length; j++) {
      const id = strictId(argv[j]!);
      if (id === undefined) break;
      claimed.push(id);
    }
    for (; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      const word = upper(argv[j]);
      if (word === 'FORCE') force = true;
      else if (word === 'JUSTID') justid = true;
      else if (word === 'IDLE' && more > 0) {
        idle = integerOr(argv[++j], 'ERR Invalid IDLE option argument for XCLAIM');
        time = null;
      } else if (word === 'TIME' && more > 0) {
        time = integerOr(argv[++j], 'ERR Invalid TIME option argument for XCLAIM');
        idle = null;
      } else if (word === 'RETRYCOUNT' && more > 0) {
        retry = integerOr(argv[++j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      } else if (word === 'LASTID' && more > 0) {
        const id = strictId(argv[++j]!);
        if (id === undefined) throw new RedisError(INVALID_ID);
        lastId = id;
      } else throw new RedisError(`ERR Unrecognized XCLAIM option '${cString(argv[j]!)}'`);
    }
  };
  try {
    option();
  } catch (e) {
    if (!(e instanceof RedisError)) throw e;
    error = e.message;
  }
  return {
    sql: sql`SELECT ${S}.xclaim(${keyText(cmd.args.key)}, ${bytes(cmd.args.group)}, ${bytes(cmd.args.consumer)}, ${param(noKeyOrGroup(cmd.args.key, cmd.args.group))}::text, ${param(error)}::text,
  greatest(${param(minIdle)}::bigint, 0), ${ids(claimed)}, ${param(idle)}::bigint, ${param(time)}::bigint, ${param(retry)}::bigint,
  ${bool(force)}, ${bool(justid)}, ${numeric(lastId.ms)}, ${numeric(lastId.seq)}) AS reply`,
    reply: TREE,
  };
};

/** Redis' largest XAUTOCLAIM COUNT: LONG_MAX / 16 (it allocates 16 bytes per ID). */
const AUTOCLAIM_MAX_COUNT = (2n ** 63n - 1n) / 16n;

/**
 * XAUTOCLAIM key group consumer min-idle-time start [COUNT n] [JUSTID] → [cursor, [claimed…], [deleted IDs…]]
 *   SELECT redis.xautoclaim($1::text, $2::bytea, $3::bytea, $4::text, greatest($5::bigint, 0), $6::numeric, $7::numeric, $8::bigint, false) AS reply
 */
const XAUTOCLAIM: Translator<'XAUTOCLAIM'> = (cmd, { S }) => {
  const argv = cmd.argv;
  // A negative min-idle-time is 0: said in SQL (greatest), so that one statement serves every value.
  const minIdle = integerOr(argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  const start = intervalId(argv[5]!, true);
  let count = 100n;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const word = upper(argv[j]);
    if (word === 'COUNT' && more > 0) {
      const n = toInteger(argv[++j]!);
      if (n === undefined || n < 1n || n > AUTOCLAIM_MAX_COUNT) throw new RedisError('ERR COUNT must be > 0');
      count = n;
    } else if (word === 'JUSTID') justid = true;
    else throw new RedisError(SYNTAX);
  }
  return {
    sql: sql`SELECT ${S}.xautoclaim(${keyText(cmd.args.key)}, ${bytes(cmd.args.group)}, ${bytes(cmd.args.consumer)}, ${param(noKeyOrGroup(cmd.args.key, cmd.args.group))}::text,
  greatest(${param(minIdle)}::bigint, 0), ${numeric(start.ms)}, ${numeric(start.seq)}, ${param(count)}::bigint, ${bool(justid)}) AS reply`,
    reply: TREE,
  };
};

/**
 * XINFO STREAM key [FULL [COUNT n]] (COUNT 10 by default, 0 for everything).
 * Redis checks the words after it has found the stream.
 *   SELECT redis.xinfo_stream($1::text, $2::text, true, $3::bigint) AS reply
 */
const XINFO_STREAM: Translator<'XINFO STREAM'> = (cmd, { S }) => {
  const argv = cmd.argv;
  const usage = `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1] ?? 'STREAM')}'. Try XINFO HELP.`;
  let error: string | null = null;
  let full = false;
  let count = 10n;
  if (argv.length > 3) {
    if (upper(argv[3]) !== 'FULL' || (argv.length !== 4 && argv.length !== 6)) error = usage;
    else if (argv.length === 6) {
      const n = upper(argv[4]) === 'COUNT' ? toInteger(argv[5]!) : undefined;
      if (upper(argv[4]) !== 'COUNT') error = usage;
      else if (n === undefined) error = NOT_AN_INTEGER;
      else count = n < 0n ? 0n : n;
    }
    full = error === null;
  }
  return {
    sql: sql`SELECT ${S}.xinfo_stream(${keyText(cmd.args.key)}, ${param(error)}::text, ${bool(full)}, ${param(count)}::bigint) AS reply`,
    reply: TREE,
  };
};

/** XINFO GROUPS key → each group's name, consumers, pending, last-delivered-id, entries-read and lag. */
const XINFO_GROUPS: Translator<'XINFO GROUPS'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.xinfo_groups(${keyText(cmd.args.key)}) AS reply`,
  reply: TREE,
});

/** XINFO CONSUMERS key group → each consumer's name, pending count and idle time. */
const XINFO_CONSUMERS: Translator<'XINFO CONSUMERS'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.xinfo_consumers(${keyText(cmd.args.key)}, ${bytes(cmd.args.groupname)}, ${param(noGroup(cmd.args.groupname, cmd.args.key))}::text) AS reply`,
  reply: TREE,
});

export const STREAM_TRANSLATORS = {
  XACK,
  XADD,
  XAUTOCLAIM,
  XCLAIM,
  XDEL,
  'XGROUP CREATE': XGROUP_CREATE,
  'XGROUP CREATECONSUMER': XGROUP_CREATECONSUMER,
  'XGROUP DELCONSUMER': XGROUP_DELCONSUMER,
  'XGROUP DESTROY': XGROUP_DESTROY,
  'XGROUP HELP': HELP,
  'XGROUP SETID': XGROUP_SETID,
  'XINFO CONSUMERS': XINFO_CONSUMERS,
  'XINFO GROUPS': XINFO_GROUPS,
  'XINFO HELP': HELP,
  'XINFO STREAM': XINFO_STREAM,
  XLEN,
  XPENDING,
  XRANGE,
  XREAD,
  XREADGROUP,
  XREVRANGE,
  XSETID,
  XTRIM,
} as const satisfies GroupTranslators<'stream'>;
