/**
 * Lists. Reads (LINDEX, LLEN, LRANGE, LPOS) are plain SQL over the dense
 * positions of `lists` (element i at `keys.list_head + i`); writes call the
 * list functions of emit/schema/lists.ts, which lock the key first.
 *
 * Blocking commands (BLPOP, BRPOP, BLMOVE, BLMPOP, BRPOPLPUSH) do what Redis
 * does with them inside MULTI: they never wait, and answer nil when there is
 * nothing to pop. The translation carries a warning saying so.
 */
import { RedisError } from '../errors.js';
import { BULK, INTEGER, STATUS, type ReplyShape } from '../emit/reply.js';
import { param, raw, sql, type Fragment, type Raw } from './sql.js';
import { bigintParam, blockingWarning, checkMpopCount, checkTimeout, liveKey } from './shared.js';
import type { GroupTranslators, Translation, Translator } from './types.js';

const k = raw('k');
const LEFT = true;





// ------------------------------------------------------------------ reads

/** LINDEX key index → `SELECT (SELECT l.value … l.pos = k.list_head + i) AS reply …` */
const LINDEX: Translator<'LINDEX'> = (cmd, { S }) => {
  const index = bigintParam(cmd.args.index);
  return {
    sql: sql`SELECT ${S}.check_type(k.type, 'list') AS type_ok,
  (SELECT l.value FROM ${S}.lists l
   WHERE l.key = k.key
     AND l.pos = CASE WHEN ${index} >= -k.size AND ${index} < k.size
                      THEN k.list_head + CASE WHEN ${index} < 0 THEN k.size + ${index} ELSE ${index} END
                 END) AS reply
FROM ${S}.keys k
WHERE ${liveKey(S, k, cmd.args.key)}`,
    reply: BULK,
  };
};

/** LLEN key → the length kept on the registry row (O(1)). */
const LLEN: Translator<'LLEN'> = (cmd, { S }) => ({
  sql: sql`SELECT coalesce(max(k.size) FILTER (WHERE ${S}.check_type(k.type, 'list')), 0) AS reply
FROM ${S}.keys k
WHERE ${liveKey(S, k, cmd.args.key)}`,
  reply: INTEGER,
});

/** LRANGE key start stop, with Redis' index rules (negative from the tail, clamped). */
const LRANGE: Translator<'LRANGE'> = (cmd, { S }) => {
  const start = bigintParam(cmd.args.start);
  const stop = bigintParam(cmd.args.stop);
  return {
    sql: sql`SELECT ${S}.check_type(k.type, 'list') AS type_ok,
  ARRAY(SELECT l.value FROM ${S}.lists l
        WHERE l.key = k.key AND l.pos BETWEEN k.list_head + r.first AND k.list_head + r.last
        ORDER BY l.pos) AS reply
FROM ${S}.keys k,
  LATERAL (SELECT greatest(CASE WHEN ${start} < 0 THEN k.size + ${start} ELSE least(${start}, k.size) END, 0) AS first,
                  CASE WHEN ${stop} < 0 THEN k.size + ${stop} ELSE least(${stop}, k.size - 1) END AS last) r
WHERE ${liveKey(S, k, cmd.args.key)}`,
    reply: { kind: 'array-column', of: 'bulk', nil: 'empty' },
  };
};

/**
 * LPOS key element [RANK r] [COUNT n] [MAXLEN len]: indexes of matches,
 * scanning from the head (rank > 0) or the tail (rank < 0), at most `len`
 * elements. Without COUNT the first index or nil; with COUNT an array (0: all).
 */
const LPOS: Translator<'LPOS'> = (cmd, { S }) => {
  // The grammar checks RANK, COUNT and MAXLEN as Redis does, in the order given (`range`).
  const { rank = 1n, 'num-matches': count, len: maxlen = 0n } = cmd.args;
  // Redis negates a negative rank in C: LONG_MIN stays negative and then acts as -1.
  const r = bigintParam(rank === -(2n ** 63n) ? -1n : rank);
  const m = bigintParam(maxlen);
  const element = sql`${param(cmd.args.element)}::bytea`;
  const matches = sql`ARRAY(
    SELECT l.pos - k.list_head FROM ${S}.lists l
    WHERE l.key = k.key AND md5(l.value) = md5(${element}) AND l.value = ${element}
      AND (${m} = 0 OR CASE WHEN ${r} > 0 THEN l.pos < k.list_head + ${m}
                            ELSE l.pos >= k.list_head + k.size - ${m} END)
    ORDER BY CASE WHEN ${r} > 0 THEN l.pos END, l.pos DESC
    OFFSET abs(${r}) - 1 LIMIT ${count === undefined ? sql`1` : sql`nullif(${bigintParam(count)}, 0)`})`;
  return {
    sql: sql`SELECT ${S}.check_type(k.type, 'list') AS type_ok, ${count === undefined ? sql`(${matches})[1]` : matches} AS reply
FROM ${S}.keys k
WHERE ${liveKey(S, k, cmd.args.key)}`,
    reply: count === undefined ? INTEGER : { kind: 'array-column', of: 'integer', nil: 'empty' },
  };
};

// ----------------------------------------------------------------- writes

const push =
  (left: boolean, onlyExisting: boolean): Translator<'LPUSH' | 'RPUSH' | 'LPUSHX' | 'RPUSHX'> =>
  (cmd, { S }) => ({
    sql: sql`SELECT ${S}.list_push(${cmd.args.key}, ${cmd.args.element}::bytea[], ${left}, ${onlyExisting}) AS reply`,
    reply: INTEGER,
  });

/** LPOP key [count] / RPOP key [count]: one element (bulk) or, with a count, an array (nil when no list). */
const pop =
  (left: boolean): Translator<'LPOP' | 'RPOP'> =>
  (cmd, { S }) => {
    const { count } = cmd.args;
    if (count === undefined) {
      return { sql: sql`SELECT (${S}.list_pop(${cmd.args.key}, ${left}, 1))[1] AS reply`, reply: BULK };
    }
    if (count < 0n) throw new RedisError('ERR value is out of range, must be positive', 2);
    return {
      sql: sql`SELECT ${S}.list_pop(${cmd.args.key}, ${left}, ${bigintParam(count)}) AS reply`,
      reply: { kind: 'array-column', of: 'bulk', nil: 'array' },
    };
  };

const move = (source: string, destination: string, fromLeft: boolean, toLeft: boolean, S: Raw): Translation => ({
  sql: sql`SELECT ${S}.list_move(${source}, ${destination}, ${fromLeft}, ${toLeft}) AS reply`,
  reply: BULK,
});

const LMOVE: Translator<'LMOVE'> = (cmd, { S }) =>
  move(cmd.args.source, cmd.args.destination, cmd.args.wherefrom.kind === 'left', cmd.args.whereto.kind === 'left', S);

const RPOPLPUSH: Translator<'RPOPLPUSH'> = (cmd, { S }) => move(cmd.args.source, cmd.args.destination, !LEFT, LEFT, S);

const BLMOVE: Translator<'BLMOVE'> = (cmd, { S }) => {
  checkTimeout(cmd.args.timeout, 5);
  const { sql: text, reply } = move(
    cmd.args.source,
    cmd.args.destination,
    cmd.args.wherefrom.kind === 'left',
    cmd.args.whereto.kind === 'left',
    S,
  );
  return { sql: text, reply, warnings: [blockingWarning('BLMOVE')] };
};

const BRPOPLPUSH: Translator<'BRPOPLPUSH'> = (cmd, { S }) => {
  checkTimeout(cmd.args.timeout, 3);
  return { ...move(cmd.args.source, cmd.args.destination, !LEFT, LEFT, S), warnings: [blockingWarning('BRPOPLPUSH')] };
};

/** `[key, [elements…]]` from the first non-empty list, or nil. */
const MPOP_REPLY: ReplyShape = {
  kind: 'tuple',
  items: [
    { kind: 'scalar', of: 'bulk', column: 'key' },
    { kind: 'array-column', of: 'bulk', column: 'elements' },
  ],
  nilWhenNoRow: true,
};

const mpop = (keyNames: readonly string[], left: boolean, count: bigint, S: Raw): Fragment =>
  sql`SELECT m.key, m.elements
FROM ${S}.list_mpop(${keyNames}::text[], ${left}, ${bigintParam(count)}) m
WHERE m.key IS NOT NULL`;

const LMPOP: Translator<'LMPOP'> = (cmd, { S }) => {
  checkMpopCount(cmd.args.count, cmd.argv.length - 1);
  return { sql: mpop(cmd.args.key, cmd.args.where.kind === 'left', cmd.args.count ?? 1n, S), reply: MPOP_REPLY };
};

const BLMPOP: Translator<'BLMPOP'> = (cmd, { S }) => {
  checkTimeout(cmd.args.timeout, 1);
  checkMpopCount(cmd.args.count, cmd.argv.length - 1);
  return {
    sql: mpop(cmd.args.key, cmd.args.where.kind === 'left', cmd.args.count ?? 1n, S),
    reply: MPOP_REPLY,
    warnings: [blockingWarning('BLMPOP')],
  };
};

/** BLPOP / BRPOP key… timeout → `[key, element]` from the first non-empty list, or nil. */
const bpop =
  (name: 'BLPOP' | 'BRPOP', left: boolean): Translator<'BLPOP' | 'BRPOP'> =>
  (cmd, { S }) => {
    checkTimeout(cmd.args.timeout, cmd.argv.length - 1);
    return {
      sql: sql`SELECT m.key, m.elements[1] AS element
FROM ${S}.list_mpop(${cmd.args.key}::text[], ${left}, 1) m
WHERE m.key IS NOT NULL`,
      reply: {
        kind: 'tuple',
        items: [
          { kind: 'scalar', of: 'bulk', column: 'key' },
          { kind: 'scalar', of: 'bulk', column: 'element' },
        ],
        nilWhenNoRow: true,
      },
      warnings: [blockingWarning(name)],
    };
  };

const LSET: Translator<'LSET'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.list_set(${cmd.args.key}, ${bigintParam(cmd.args.index)}, ${cmd.args.element}) AS reply`,
  reply: STATUS,
});

const LINSERT: Translator<'LINSERT'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.list_insert(${cmd.args.key}, ${cmd.args.where.kind === 'after'}, ${cmd.args.pivot}, ${cmd.args.element}) AS reply`,
  reply: INTEGER,
});

const LREM: Translator<'LREM'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.list_remove(${cmd.args.key}, ${bigintParam(cmd.args.count)}, ${cmd.args.element}) AS reply`,
  reply: INTEGER,
});

const LTRIM: Translator<'LTRIM'> = (cmd, { S }) => ({
  sql: sql`SELECT ${S}.list_trim(${cmd.args.key}, ${bigintParam(cmd.args.start)}, ${bigintParam(cmd.args.stop)}) AS reply`,
  reply: STATUS,
});

export const LIST_TRANSLATORS = {
  BLMOVE,
  BLMPOP,
  BLPOP: bpop('BLPOP', LEFT),
  BRPOP: bpop('BRPOP', !LEFT),
  BRPOPLPUSH,
  LINDEX,
  LINSERT,
  LLEN,
  LMOVE,
  LMPOP,
  LPOP: pop(LEFT),
  LPOS,
  LPUSH: push(LEFT, false),
  LPUSHX: push(LEFT, true),
  LRANGE,
  LREM,
  LSET,
  LTRIM,
  RPOP: pop(!LEFT),
  RPOPLPUSH,
  RPUSH: push(!LEFT, false),
  RPUSHX: push(!LEFT, true),
} as const satisfies GroupTranslators<'list'>;
