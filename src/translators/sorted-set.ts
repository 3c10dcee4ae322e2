/**
 * Sorted sets, ordered by (score, member bytes) as Redis orders them: the
 * `zsets_by_score` index serves ranges by rank, score and lex directly.
 * Reads are plain SQL; writes call the functions of emit/schema/zsets.ts.
 *
 * Range replies aggregate the selected members and scores into two parallel
 * arrays in one row (the `zip` reply shape), so that a key of another type
 * still yields the row that raises WRONGTYPE.
 *
 * ZRANK / ZREVRANK count the members before the given one: O(rank) in the
 * index, where Redis' skiplist spans make it O(log n).
 * ZSCAN returns every member in one reply, with cursor 0, as Redis itself does
 * for small sorted sets: COUNT is only a hint in Redis, and one reply is the
 * only cursor that can promise "every member present for the whole scan".
 */
import { RedisError, RedisSyntaxError } from '../errors.js';
import { DOUBLE, INTEGER, type ReplyShape } from '../emit/reply.js';
import { toDouble } from '../grammar/values.js';
import { param, raw, sql, type Fragment, type Raw } from './sql.js';
import { bigintParam, blockingWarning, checkMpopCount, checkTimeout, liveKey } from './shared.js';
import type { GroupTranslators, Translation, Translator } from './types.js';

const k = raw('k');
const doubleParam = (value: number): Fragment => sql`${param(value)}::float8`;

// ----------------------------------------------------------------- bounds

interface ScoreBound {
  readonly value: number;
  readonly exclusive: boolean;
}

/**
 * Redis' zslParseRange: `(` for exclusive, then what C's strtod accepts
 * (spaces before, nothing after) of a C string: a NUL byte ends the bound
 * (`"1\x00x"` is 1, `"\x00"` is 0). An empty bound is 0 (strtod stops at
 * once, on the end); blanks alone are not a float (strtod converts nothing
 * and leaves its end pointer on the first blank).
 */
function scoreBound(bytes: Buffer, argIndex: number): ScoreBound {
  const exclusive = bytes[0] === 0x28; /* ( */
  const nul = bytes.indexOf(0);
  const given = bytes.subarray(exclusive ? 1 : 0, nul < 0 ? bytes.length : nul).toString('latin1');
  const text = given.replace(/^[ \t\n\v\f\r]+/, '');
  const value = given === '' ? 0 : (toDouble(text) ?? overflowingDecimal(text));
  if (value === undefined) throw new RedisError('ERR min or max is not a float', argIndex);
  return { value, exclusive };
}

/** strtod accepts decimals that overflow (±inf) or underflow (0) where getDoubleFromObject does not. */
function overflowingDecimal(text: string): number | undefined {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : undefined;
}

/** `-`, `+`, `[member` or `(member`; undefined value = unbounded. */
interface LexBound {
  readonly value: Buffer | undefined;
  readonly exclusive: boolean;
  readonly infinite?: '-' | '+';
}

function lexBound(bytes: Buffer, argIndex: number): LexBound {
  const first = bytes[0];
  if (bytes.length === 1 && (first === 0x2d || first === 0x2b)) {
    return { value: undefined, exclusive: false, infinite: first === 0x2d ? '-' : '+' };
  }
  if (first === 0x5b /* [ */ || first === 0x28 /* ( */) return { value: bytes.subarray(1), exclusive: first === 0x28 };
  throw new RedisError('ERR min or max not valid string range item', argIndex);
}

/** `z.score >= min AND z.score <= max` with exclusivity as parameters, so the index range stays sargable. */
function scoreRange(min: ScoreBound, max: ScoreBound): Fragment {
  const lo = doubleParam(min.value);
  const hi = doubleParam(max.value);
  return sql`z.score >= ${lo} AND z.score <= ${hi} AND NOT (${min.exclusive} AND z.score = ${lo}) AND NOT (${max.exclusive} AND z.score = ${hi})`;
}

/** Members between two lex bounds (scores are all equal in a lex-ordered set, as Redis requires). */
function lexRange(min: LexBound, max: LexBound): Fragment {
  const side = (b: LexBound, op: '>' | '<'): Fragment => {
    if (b.infinite === '-') return op === '>' ? sql`true` : sql`false`;
    if (b.infinite === '+') return op === '<' ? sql`true` : sql`false`;
    const v = sql`${param(b.value!)}::bytea`;
    return op === '>'
      ? sql`(z.member > ${v} OR (NOT ${b.exclusive} AND z.member = ${v}))`
      : sql`(z.member < ${v} OR (NOT ${b.exclusive} AND z.member = ${v}))`;
  };
  return sql`${side(min, '>')} AND ${side(max, '<')}`;
}

// ------------------------------------------------------------------ ranges

/** What a range selects, before LIMIT: by rank (with Redis' index rules), by score or by lex. */
type Selection =
  | { readonly by: 'rank'; readonly start: bigint; readonly stop: bigint }
  | { readonly by: 'score'; readonly where: Fragment }
  | { readonly by: 'lex'; readonly where: Fragment };

interface RangeQuery {
  readonly key: string;
  readonly selection: Selection;
  readonly rev: boolean;
  readonly limit?: { readonly offset: bigint; readonly count: bigint } | undefined;
}

/**
 * `SELECT z.member, z.score FROM zsets z WHERE … ORDER BY … OFFSET … LIMIT …`
 * for a registry row `k` in scope.
 */
function rangeSelect(q: RangeQuery, S: Raw): Fragment {
  const order = q.rev ? sql`z.score DESC, z.member DESC` : sql`z.score, z.member`;
  const { selection } = q;
  if (selection.by === 'rank') {
    const start = bigintParam(selection.start);
    const stop = bigintParam(selection.stop);
    // Redis: negative indexes count from the end; start clamps to 0, stop to size - 1.
    return sql`SELECT z.member, z.score FROM ${S}.zsets z
    WHERE z.key = k.key
    ORDER BY ${order}
    OFFSET greatest(CASE WHEN ${start} < 0 THEN k.size + ${start} ELSE least(${start}, k.size) END, 0)
    LIMIT greatest(least(CASE WHEN ${stop} < 0 THEN k.size + ${stop} ELSE least(${stop}, k.size - 1) END, k.size - 1)
                   - greatest(CASE WHEN ${start} < 0 THEN k.size + ${start} ELSE least(${start}, k.size) END, 0) + 1, 0)`;
  }
  const limit = q.limit;
  // LIMIT: a negative offset selects nothing, a negative count everything after the offset.
  const window =
    limit === undefined
      ? sql``
      : sql`
    OFFSET greatest(${bigintParam(limit.offset)}, 0)
    LIMIT CASE WHEN ${bigintParam(limit.offset)} < 0 THEN 0 WHEN ${bigintParam(limit.count)} < 0 THEN NULL ELSE ${bigintParam(limit.count)} END`;
  return sql`SELECT z.member, z.score FROM ${S}.zsets z
    WHERE z.key = k.key AND ${selection.where}
    ORDER BY ${order}${window}`;
}

/** One row with the selected members and scores as parallel arrays (in range order). */
function rangeRow(q: RangeQuery, S: Raw): Fragment {
  return sql`SELECT ${S}.check_type(k.type, 'zset') AS type_ok, r.members, r.scores
FROM ${S}.keys k
CROSS JOIN LATERAL (
  SELECT array_agg(z.member ORDER BY z.ord) AS members, array_agg(z.score ORDER BY z.ord) AS scores
  FROM (SELECT s.member, s.score, row_number() OVER () AS ord FROM (
    ${rangeSelect(q, S)}) s) z
) r
WHERE ${liveKey(S, k, q.key)}`;
}

const MEMBERS: ReplyShape = { kind: 'zip', columns: [{ column: 'members', of: 'bulk' }] };
const WITH_SCORES: ReplyShape = {
  kind: 'zip',
  columns: [
    { column: 'members', of: 'bulk' },
    { column: 'scores', of: 'double' },
  ],
  flat: true,
};

const rangeReply = (q: RangeQuery, withScores: boolean, S: Raw): Translation => ({
  sql: rangeRow(q, S),
  reply: withScores ? WITH_SCORES : MEMBERS,
});

/** ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES], and ZRANGESTORE's selection. */
function zrangeQuery(
  key: string,
  start: Buffer,
  stop: Buffer,
  sortby: 'byscore' | 'bylex' | undefined,
  rev: boolean,
  limit: { offset: bigint; count: bigint } | undefined,
  withScores: boolean,
  firstIndex: number,
): RangeQuery {
  if (sortby === 'bylex' && withScores) {
    throw new RedisSyntaxError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  }
  // Redis only refuses a LIMIT by rank whose count is not -1 (and then ignores its offset).
  if (limit !== undefined && limit.count !== -1n && sortby === undefined) {
    throw new RedisSyntaxError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  // With REV, BYSCORE and BYLEX take the bounds as max then min.
  const [lo, hi, loIndex, hiIndex] = rev && sortby !== undefined ? [stop, start, firstIndex + 1, firstIndex] : [start, stop, firstIndex, firstIndex + 1];
  let selection: Selection;
  if (sortby === 'byscore') {
    selection = { by: 'score', where: scoreRange(scoreBound(lo, loIndex), scoreBound(hi, hiIndex)) };
  } else if (sortby === 'bylex') {
    selection = { by: 'lex', where: lexRange(lexBound(lo, loIndex), lexBound(hi, hiIndex)) };
  } else {
    selection = { by: 'rank', start: rankIndex(start, firstIndex), stop: rankIndex(stop, firstIndex + 1) };
  }
  return { key, selection, rev, limit };
}

function rankIndex(bytes: Buffer, argIndex: number): bigint {
  const text = bytes.toString('latin1');
  if (!/^-?\d+$/.test(text) || (text.length > 1 && /^-?0/.test(text) && text !== '0')) {
    throw new RedisError('ERR value is not an integer or out of range', argIndex);
  }
  const value = BigInt(text);
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) throw new RedisError('ERR value is not an integer or out of range', argIndex);
  return value;
}

const limitOf = (l: { readonly offset: bigint; readonly count: bigint } | undefined) =>
  l === undefined ? undefined : { offset: l.offset, count: l.count };

const ZRANGE: Translator<'ZRANGE'> = (cmd, { S }) => {
  const a = cmd.args;
  const q = zrangeQuery(a.key, a.start, a.stop, a.sortby?.kind, a.rev === true, limitOf(a.offset_count), a.withscores === true, 2);
  return rangeReply(q, a.withscores === true, S);
};

const ZRANGESTORE: Translator<'ZRANGESTORE'> = (cmd, { S }) => {
  const a = cmd.args;
  const q = zrangeQuery(a.src, a.min, a.max, a.sortby?.kind, a.rev === true, limitOf(a.offset_count), false, 3);
  return { sql: storeFrom(a.dst, rangeRow(q, S), S), reply: INTEGER };
};

const ZREVRANGE: Translator<'ZREVRANGE'> = (cmd, { S }) =>
  rangeReply(
    { key: cmd.args.key, selection: { by: 'rank', start: cmd.args.start, stop: cmd.args.stop }, rev: true },
    cmd.args.withscores === true,
    S,
  );

const byScore =
  (rev: boolean): Translator<'ZRANGEBYSCORE' | 'ZREVRANGEBYSCORE'> =>
  (cmd, { S }) => {
    const [minIndex, maxIndex] = rev ? [3, 2] : [2, 3];
    const where = scoreRange(scoreBound(cmd.args.min, minIndex), scoreBound(cmd.args.max, maxIndex));
    return rangeReply(
      { key: cmd.args.key, selection: { by: 'score', where }, rev, limit: limitOf(cmd.args.offset_count) },
      cmd.args.withscores === true,
      S,
    );
  };

const byLex =
  (rev: boolean): Translator<'ZRANGEBYLEX' | 'ZREVRANGEBYLEX'> =>
  (cmd, { S }) => {
    const [minIndex, maxIndex] = rev ? [3, 2] : [2, 3];
    const where = lexRange(lexBound(cmd.args.min, minIndex), lexBound(cmd.args.max, maxIndex));
    return rangeReply({ key: cmd.args.key, selection: { by: 'lex', where }, rev, limit: limitOf(cmd.args.offset_count) }, false, S);
  };

/** `SELECT redis.zstore(dst, members, scores)` over a range or set-operation row. */
function storeFrom(destination: string, source: Fragment, S: Raw): Fragment {
  // type_ok is selected, or PostgreSQL would drop the sources' WRONGTYPE check as an unused column.
  return sql`SELECT src.type_ok, ${S}.zstore(${destination}, coalesce(src.members, '{}'), coalesce(src.scores, '{}')) AS reply
FROM (SELECT 1) one LEFT JOIN (${source}) src ON true`;
}

// -------------------------------------------------------- counts & scores

const ZCARD: Translator<'ZCARD'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce(max(k.size) FILTER (WHERE ${S}.check_type(k.type, 'zset')), 0) AS reply
FROM ${S}.keys k
WHERE ${liveKey(S, k, cmd.args.key)}`,
  reply: INTEGER,
});

const countIn = (key: string, where: Fragment, S: Raw): Translation => ({
  sql: sql`SELECT coalesce(max(c.n) FILTER (WHERE ${S}.check_type(k.type, 'zset')), 0) AS reply
FROM ${S}.keys k
CROSS JOIN LATERAL (SELECT count(*) AS n FROM ${S}.zsets z WHERE z.key = k.key AND ${where}) c
WHERE ${liveKey(S, k, key)}`,
  reply: INTEGER,
});

const ZCOUNT: Translator<'ZCOUNT'> = (cmd, { S }) =>
  countIn(cmd.args.key, scoreRange(scoreBound(cmd.args.min, 2), scoreBound(cmd.args.max, 3)), S);

const ZLEXCOUNT: Translator<'ZLEXCOUNT'> = (cmd, { S }) =>
  countIn(cmd.args.key, lexRange(lexBound(cmd.args.min, 2), lexBound(cmd.args.max, 3)), S);

const ZSCORE: Translator<'ZSCORE'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.check_type(k.type, 'zset') AS type_ok,
  (SELECT z.score FROM ${S}.zsets z WHERE z.key = k.key AND z.member = ${cmd.args.member}::bytea) AS reply
FROM ${S}.keys k
WHERE ${liveKey(S, k, cmd.args.key)}`,
  reply: DOUBLE,
});

/** ZMSCORE: one score or nil per member, nils for a missing key. */
const ZMSCORE: Translator<'ZMSCORE'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.check_type(k.type, 'zset') AS type_ok,
  ARRAY(SELECT z.score FROM unnest(${cmd.args.member}::bytea[]) WITH ORDINALITY AS u(member, i)
        LEFT JOIN ${S}.zsets z ON z.key = k.key AND z.member = u.member
        ORDER BY u.i) AS reply
FROM (SELECT 1) one
LEFT JOIN ${S}.keys k ON ${liveKey(S, k, cmd.args.key)}`,
  reply: { kind: 'array-column', of: 'double' },
});

/** ZRANK / ZREVRANK: how many members sort before (after) it; nil when it is not there. */
const rank =
  (rev: boolean): Translator<'ZRANK' | 'ZREVRANK'> =>
  (cmd, { S }) => ({
    sql: sql`SELECT ${S}.check_type(k.type, 'zset') AS type_ok,
  CASE WHEN m.member IS NOT NULL THEN
    (SELECT count(*) FROM ${S}.zsets z
     WHERE z.key = k.key AND ${rev ? sql`(z.score, z.member) > (m.score, m.member)` : sql`(z.score, z.member) < (m.score, m.member)`})
  END AS reply
FROM ${S}.keys k
LEFT JOIN ${S}.zsets m ON m.key = k.key AND m.member = ${cmd.args.member}::bytea
WHERE ${liveKey(S, k, cmd.args.key)}`,
    reply: INTEGER,
  });

// ----------------------------------------------------------------- writes

const ZADD: Translator<'ZADD'> = (cmd, { S }) => {
  const a = cmd.args;
  const nx = a.nx === true;
  const xx = a.xx === true;
  const gt = a.gt === true;
  const lt = a.lt === true;
  if (nx && xx) throw new RedisError('ERR XX and NX options at the same time are not compatible');
  if ((nx && (gt || lt)) || (gt && lt)) {
    throw new RedisError('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (a.increment === true && a.score_member.length !== 1) {
    throw new RedisError('ERR INCR option supports a single increment-element pair');
  }
  // Only now does Redis read the scores.
  const first = cmd.argv.length - 2 * a.score_member.length;
  const pairs = a.score_member.map((p, i) => {
    const score = toDouble(p.score);
    if (score === undefined) throw new RedisError('ERR value is not a valid float', first + 2 * i);
    return { score, member: p.member };
  });
  if (a.increment === true) {
    const [pair] = pairs;
    return {
      sql: sql`SELECT ${S}.zincrby(${a.key}, ${doubleParam(pair!.score)}, ${pair!.member}::bytea, ${nx}, ${xx}, ${gt}, ${lt}) AS reply`,
      reply: DOUBLE,
    };
  }
  return {
    sql: sql`SELECT ${S}.zadd(${a.key}, ${pairs.map((p) => p.score)}::float8[], ${pairs.map((p) => p.member)}::bytea[],
  ${nx}, ${xx}, ${gt}, ${lt}, ${a.change === true}) AS reply`,
    reply: INTEGER,
  };
};

const ZINCRBY: Translator<'ZINCRBY'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.zincrby(${cmd.args.key}, ${doubleParam(cmd.args.increment)}, ${cmd.args.member}::bytea, false, false, false, false) AS reply`,
  reply: DOUBLE,
});

const ZREM: Translator<'ZREM'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.zrem(${cmd.args.key}, ${cmd.args.member}::bytea[]) AS reply`,
  reply: INTEGER,
});

/** ZREMRANGEBY*: the functions read the range under the key's lock, then remove it. */
const ZREMRANGEBYRANK: Translator<'ZREMRANGEBYRANK'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.zremrange_rank(${cmd.args.key}, ${bigintParam(cmd.args.start)}, ${bigintParam(cmd.args.stop)}) AS reply`,
  reply: INTEGER,
});

const ZREMRANGEBYSCORE: Translator<'ZREMRANGEBYSCORE'> = (cmd, { S }) => {
  const min = scoreBound(cmd.args.min, 2);
  const max = scoreBound(cmd.args.max, 3);
  return {
    sql: sql`SELECT ${S}.zremrange_score(${cmd.args.key}, ${doubleParam(min.value)}, ${min.exclusive}, ${doubleParam(max.value)}, ${max.exclusive}) AS reply`,
    reply: INTEGER,
  };
};

const lexKind = (b: LexBound): string => b.infinite ?? (b.exclusive ? '(' : '[');

const ZREMRANGEBYLEX: Translator<'ZREMRANGEBYLEX'> = (cmd, { S }) => {
  const min = lexBound(cmd.args.min, 2);
  const max = lexBound(cmd.args.max, 3);
  return {
    sql: sql`SELECT ${S}.zremrange_lex(${cmd.args.key}, ${min.value ?? null}::bytea, ${lexKind(min)}, ${max.value ?? null}::bytea, ${lexKind(max)}) AS reply`,
    reply: INTEGER,
  };
};

// -------------------------------------------------------------------- pops



/** ZPOPMIN / ZPOPMAX key [count]: `[member, score, …]`, empty for a missing key. */
const pop =
  (max: boolean): Translator<'ZPOPMIN' | 'ZPOPMAX'> =>
  (cmd, { S }) => {
    const { count } = cmd.args;
    if (count !== undefined && count < 0n) throw new RedisError('ERR value is out of range, must be positive', 2);
    return {
      sql: sql`SELECT array_agg(p.member ORDER BY p.ord) AS members, array_agg(p.score ORDER BY p.ord) AS scores
FROM ${S}.zpop(${cmd.args.key}, ${max}, ${bigintParam(count ?? 1n)}) WITH ORDINALITY AS p(member, score, ord)`,
      reply: WITH_SCORES,
    };
  };

/** `[key, [[member, score], …]]` from the first non-empty sorted set, or nil. */
const MPOP_REPLY: ReplyShape = {
  kind: 'tuple',
  items: [
    { kind: 'scalar', of: 'bulk', column: 'key' },
    {
      kind: 'zip',
      columns: [
        { column: 'members', of: 'bulk' },
        { column: 'scores', of: 'double' },
      ],
    },
  ],
  nilWhenNoRow: true,
};

const mpop = (keyNames: readonly string[], max: boolean, count: bigint, S: Raw): Fragment =>
  sql`SELECT min(p.key) AS key, array_agg(p.member ORDER BY p.ord) AS members, array_agg(p.score ORDER BY p.ord) AS scores
FROM ${S}.zmpop(${keyNames}::text[], ${max}, ${bigintParam(count)}) WITH ORDINALITY AS p(key, member, score, ord)
HAVING count(*) > 0`;


const ZMPOP: Translator<'ZMPOP'> = (cmd, { S }) => {
  checkMpopCount(cmd.args.count, cmd.argv.length - 1);
  return { sql: mpop(cmd.args.key, cmd.args.where.kind === 'max', cmd.args.count ?? 1n, S), reply: MPOP_REPLY };
};

const BZMPOP: Translator<'BZMPOP'> = (cmd, { S }) => {
  checkTimeout(cmd.args.timeout, 1);
  checkMpopCount(cmd.args.count, cmd.argv.length - 1);
  return {
    sql: mpop(cmd.args.key, cmd.args.where.kind === 'max', cmd.args.count ?? 1n, S),
    reply: MPOP_REPLY,
    warnings: [blockingWarning('BZMPOP')],
  };
};

/** BZPOPMIN / BZPOPMAX key… timeout → `[key, member, score]`, or nil. */
const bpop =
  (name: 'BZPOPMIN' | 'BZPOPMAX', max: boolean): Translator<'BZPOPMIN' | 'BZPOPMAX'> =>
  (cmd, { S }) => {
    checkTimeout(cmd.args.timeout, cmd.argv.length - 1);
    return {
      sql: sql`SELECT p.key, p.member, p.score FROM ${S}.zmpop(${cmd.args.key}::text[], ${max}, 1) p`,
      reply: {
        kind: 'tuple',
        items: [
          { kind: 'scalar', of: 'bulk', column: 'key' },
          { kind: 'scalar', of: 'bulk', column: 'member' },
          { kind: 'scalar', of: 'double', column: 'score' },
        ],
        nilWhenNoRow: true,
      },
      warnings: [blockingWarning(name)],
    };
  };

// ------------------------------------------------------------ random, scan

const LONG_MIN = -(2n ** 63n);

/**
 * ZRANDMEMBER key [count [WITHSCORES]]: a positive count picks distinct
 * members, a negative one |count| independent picks (repeats allowed).
 */
const ZRANDMEMBER: Translator<'ZRANDMEMBER'> = (cmd, { S }) => {
  const options = cmd.args.options;
  if (options === undefined) {
    return {
      sql: sql`SELECT ${S}.check_type(k.type, 'zset') AS type_ok,
  (SELECT z.member FROM ${S}.zsets z WHERE z.key = k.key
   ORDER BY z.score, z.member OFFSET floor(random() * k.size)::bigint LIMIT 1) AS reply
FROM ${S}.keys k
WHERE ${liveKey(S, k, cmd.args.key)}`,
      reply: { kind: 'scalar', of: 'bulk' },
    };
  }
  const { count, withscores } = options;
  if (count === LONG_MIN) {
    throw new RedisError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807', 2);
  }
  // WITHSCORES doubles the reply: Redis refuses a count whose double would overflow, before the key lookup.
  if (withscores === true && (count < LONG_MIN / 2n + 1n || count > -(LONG_MIN / 2n) - 1n)) {
    throw new RedisError('ERR value is out of range', 2);
  }
  const picks =
    count >= 0n
      ? sql`SELECT z.member, z.score FROM ${S}.zsets z WHERE z.key = k.key ORDER BY random() LIMIT ${bigintParam(count)}`
      : sql`SELECT z.member, z.score FROM generate_series(1, CASE WHEN k.type = 'zset' THEN ${bigintParam(-count)} ELSE 0 END) AS g(i)
        CROSS JOIN LATERAL (SELECT member, score FROM ${S}.zsets WHERE key = k.key
                            ORDER BY score, member OFFSET floor(random() * k.size)::bigint + 0 * g.i LIMIT 1) z`;
  return {
    sql: sql`SELECT ${S}.check_type(k.type, 'zset') AS type_ok, r.members, r.scores
FROM ${S}.keys k
CROSS JOIN LATERAL (SELECT array_agg(p.member) AS members, array_agg(p.score) AS scores FROM (${picks}) p) r
WHERE ${liveKey(S, k, cmd.args.key)}`,
    reply: withscores === true ? WITH_SCORES : MEMBERS,
  };
};

/** ZSCAN: the grammar reads the cursor and checks COUNT (Redis' order: cursor, key, options); both only matter to Redis' pages. */
const ZSCAN: Translator<'ZSCAN'> = (cmd, { S }) => {
  const match = cmd.args.pattern === undefined ? sql`` : sql` AND ${S}.glob_match(${cmd.args.pattern}::bytea, z.member)`;
  return {
    sql: sql`SELECT ${S}.check_type(k.type, 'zset') AS type_ok, '0' AS cursor,
  (SELECT array_agg(z.member ORDER BY z.score, z.member) FROM ${S}.zsets z WHERE z.key = k.key${match}) AS members,
  (SELECT array_agg(z.score ORDER BY z.score, z.member) FROM ${S}.zsets z WHERE z.key = k.key${match}) AS scores
FROM (SELECT 1) one
LEFT JOIN ${S}.keys k ON ${liveKey(S, k, cmd.args.key)}`,
    reply: { kind: 'tuple', items: [{ kind: 'scalar', of: 'bulk', column: 'cursor' }, WITH_SCORES] },
  };
};

// --------------------------------------------------------- set operations

type Aggregate = 'sum' | 'min' | 'max';

interface SetOperation {
  readonly op: 'union' | 'inter' | 'diff';
  readonly keys: readonly string[];
  readonly weights: readonly number[];
  readonly aggregate: Aggregate;
}

function setOperation(
  op: SetOperation['op'],
  keyNames: readonly string[],
  weights: readonly number[],
  aggregate: Aggregate | undefined,
): SetOperation {
  // The grammar gives WEIGHTS exactly one weight per key (`countedBy`).
  return { op, keys: keyNames, weights: weights.length > 0 ? weights : keyNames.map(() => 1), aggregate: aggregate ?? 'sum' };
}

/**
 * The members and scores of ZUNION / ZINTER / ZDIFF as one row of two
 * arrays, ordered by (score, member). Plain sets count with score 1; inputs
 * are folded in Redis' order: smallest input first, ties in argument order
 * (it sorts them by size with a stable sort), which decides float sums.
 */
function combined(o: SetOperation, S: Raw): Fragment {
  const score =
    o.aggregate === 'min'
      ? sql`min(e.score)`
      : o.aggregate === 'max'
        ? sql`max(e.score)`
        : sql`${S}.zsum(e.score ORDER BY e.size, e.i)`;
  const rows =
    o.op === 'diff'
      ? sql`SELECT e.member, e.score FROM elements e
    WHERE e.i = 1 AND NOT EXISTS (SELECT 1 FROM elements o WHERE o.i > 1 AND o.member = e.member)`
      : sql`SELECT e.member, ${score} AS score FROM elements e GROUP BY e.member${
          o.op === 'inter' ? sql` HAVING count(DISTINCT e.i) = ${o.keys.length}` : sql``
        }`;
  return sql`WITH inputs AS (
  SELECT u.i, u.key, u.weight, k.type, coalesce(k.size, 0) AS size
  FROM unnest(${o.keys}::text[], ${o.weights}::float8[]) WITH ORDINALITY AS u(key, weight, i)
  LEFT JOIN ${S}.keys k ON k.key = u.key AND ${S}.is_live(k.expires_at)
), elements AS (
  SELECT n.i, n.size, z.member, ${S}.zweight(z.score, n.weight) AS score
  FROM inputs n JOIN ${S}.zsets z ON z.key = n.key AND n.type = 'zset'
  UNION ALL
  SELECT n.i, n.size, s.member, ${S}.zweight(1, n.weight)
  FROM inputs n JOIN ${S}.sets s ON s.key = n.key AND n.type = 'set'
), result AS (
  ${rows}
)
SELECT (SELECT bool_and(${S}.expect_set_or_zset(type)) FROM inputs) AS type_ok,
  array_agg(r.member ORDER BY r.score, r.member) AS members,
  array_agg(r.score ORDER BY r.score, r.member) AS scores
FROM result r`;
}

const aggregateOf = (a: { readonly kind: Aggregate } | undefined): Aggregate | undefined => a?.kind;

const ZUNION: Translator<'ZUNION'> = (cmd, { S }) => {
  const o = setOperation('union', cmd.args.key, cmd.args.weight, aggregateOf(cmd.args.aggregate));
  return { sql: combined(o, S), reply: cmd.args.withscores === true ? WITH_SCORES : MEMBERS };
};
const ZINTER: Translator<'ZINTER'> = (cmd, { S }) => {
  const o = setOperation('inter', cmd.args.key, cmd.args.weight, aggregateOf(cmd.args.aggregate));
  return { sql: combined(o, S), reply: cmd.args.withscores === true ? WITH_SCORES : MEMBERS };
};
const ZDIFF: Translator<'ZDIFF'> = (cmd, { S }) => {
  const o = setOperation('diff', cmd.args.key, [], undefined);
  return { sql: combined(o, S), reply: cmd.args.withscores === true ? WITH_SCORES : MEMBERS };
};
const ZUNIONSTORE: Translator<'ZUNIONSTORE'> = (cmd, { S }) => {
  const o = setOperation('union', cmd.args.key, cmd.args.weight, aggregateOf(cmd.args.aggregate));
  return { sql: storeFrom(cmd.args.destination, combined(o, S), S), reply: INTEGER };
};
const ZINTERSTORE: Translator<'ZINTERSTORE'> = (cmd, { S }) => {
  const o = setOperation('inter', cmd.args.key, cmd.args.weight, aggregateOf(cmd.args.aggregate));
  return { sql: storeFrom(cmd.args.destination, combined(o, S), S), reply: INTEGER };
};
const ZDIFFSTORE: Translator<'ZDIFFSTORE'> = (cmd, { S }) => {
  const o = setOperation('diff', cmd.args.key, [], undefined);
  return { sql: storeFrom(cmd.args.destination, combined(o, S), S), reply: INTEGER };
};

/** ZINTERCARD numkeys key… [LIMIT limit]: the intersection's size, stopping at limit (0: no limit). */
const ZINTERCARD: Translator<'ZINTERCARD'> = (cmd, { S }) => {
  const o = setOperation('inter', cmd.args.key, [], undefined);
  const limit = cmd.args.limit ?? 0n;
  return {
    sql: sql`SELECT c.type_ok, least(coalesce(cardinality(c.members), 0), nullif(${bigintParam(limit)}, 0)) AS reply
FROM (${combined(o, S)}) c`,
    reply: INTEGER,
  };
};

export const SORTED_SET_TRANSLATORS = {
  BZMPOP,
  BZPOPMAX: bpop('BZPOPMAX', true),
  BZPOPMIN: bpop('BZPOPMIN', false),
  ZADD,
  ZCARD,
  ZCOUNT,
  ZDIFF,
  ZDIFFSTORE,
  ZINCRBY,
  ZINTER,
  ZINTERCARD,
  ZINTERSTORE,
  ZLEXCOUNT,
  ZMPOP,
  ZMSCORE,
  ZPOPMAX: pop(true),
  ZPOPMIN: pop(false),
  ZRANDMEMBER,
  ZRANGE,
  ZRANGEBYLEX: byLex(false),
  ZRANGEBYSCORE: byScore(false),
  ZRANGESTORE,
  ZRANK: rank(false),
  ZREM,
  ZREMRANGEBYLEX,
  ZREMRANGEBYRANK,
  ZREMRANGEBYSCORE,
  ZREVRANGE,
  ZREVRANGEBYLEX: byLex(true),
  ZREVRANGEBYSCORE: byScore(true),
  ZREVRANK: rank(true),
  ZSCAN,
  ZSCORE,
  ZUNION,
  ZUNIONSTORE,
} as const satisfies GroupTranslators<'sorted_set'>;
