import type { RedisReply } from '../../src/emit/reply.js';

/**
 * The oracle's rules: how recorded replies are written as JSON, which replies
 * are compared other than byte for byte, and the comparison itself. Shared by
 * the recorder (scripts/record-fixtures.ts), the replay test and the live tests.
 *
 * Comparison rules (a `.redis` file can annotate the next command with a
 * comment line; otherwise the command's default applies):
 *   # @exact               byte-for-byte, whatever the default
 *   # @unordered           an array compared as a multiset (default: SMEMBERS, SINTER,
 *                          SUNION, SDIFF, KEYS, HKEYS, HVALS)
 *   # @unordered-pairs     a flat array of pairs compared as a multiset of pairs (default: HGETALL)
 *   # @tolerance N         integers within N of each other when both are ≥ 0
 *                          (default: TTL 1, PTTL 1000), exact otherwise (-1, -2)
 *   # @random              by the property Redis guarantees (default: RANDOMKEY, SPOP,
 *                          SRANDMEMBER, HRANDFIELD, ZRANDMEMBER): same type and length,
 *                          members drawn from the key's contents just before the command
 *                          (the recorder asks Redis for them: KEYS *, SMEMBERS, HGETALL,
 *                          ZRANGE … WITHSCORES), distinct when Redis promises it.
 *   # @times N             stream replies that hold times (default: XPENDING's extended
 *                          form, XINFO CONSUMERS, XINFO STREAM … FULL): idle times within
 *                          N ms of each other; absolute times (FULL's seen-time and delivery
 *                          times) that were the present when recorded are recorded as 0 and
 *                          must be within N ms of the present when replayed, others
 *                          (XCLAIM … TIME in the past) within N ms; everything else exactly.
 * SCAN/SSCAN (HSCAN/ZSCAN: pairs) compare the cursor exactly and the batch as a multiset.
 * Errors are always compared exactly.
 *
 * Time: replies that depend on elapsed time are only faithful when the sequence
 * runs fast, so keep TTLs long (EXPIRE k 100, not 1), expire keys with PEXPIREAT
 * in the past rather than by waiting, and query EXPIRETIME/PEXPIRETIME only of
 * keys given an absolute time (EXPIREAT/PEXPIREAT), and TTL/PTTL only of keys given
 * a relative one: a relative TTL recorded today gives another absolute time when
 * replayed tomorrow, and an absolute time another TTL.
 *
 * A random command that changes data (SPOP) leaves Redis and PostgreSQL with
 * different contents unless it takes every member (or the set has one): write
 * sequences so that what follows does not depend on which members it took.
 */

export type CompareRule =
  | { readonly kind: 'exact' }
  | { readonly kind: 'unordered'; readonly pairs: boolean }
  | { readonly kind: 'scan'; readonly pairs: boolean }
  | { readonly kind: 'tolerance'; readonly within: number }
  | { readonly kind: 'times'; readonly within: number; readonly form: TimesForm }
  | {
      readonly kind: 'random';
      /** Elements come in (member, value/score) pairs (WITHVALUES, WITHSCORES). */
      readonly pairs: boolean;
      /** Redis promises no repeats (a count ≥ 0, SPOP). */
      readonly distinct: boolean;
      /** The universe lists (member, value) pairs (HGETALL, ZRANGE … WITHSCORES), or members. */
      readonly universe: 'flat' | 'pairs';
    };

export const EXACT: CompareRule = { kind: 'exact' };

/** Which stream reply holds the times (see `mapTimes`). */
export type TimesForm = 'xpending' | 'xinfo-consumers' | 'xinfo-full';

/** How far apart times of a stream reply may be by default, in ms. */
const TIMES_WITHIN = 1000;

/** The stream reply whose times a command's reply holds, if any. */
function timesForm(argv: readonly Buffer[]): TimesForm | undefined {
  const name = upper(argv[0]);
  if (name === 'XPENDING' && argv.length >= 6) return 'xpending';
  if (name !== 'XINFO') return undefined;
  if (upper(argv[1]) === 'CONSUMERS') return 'xinfo-consumers';
  if (upper(argv[1]) === 'STREAM' && upper(argv[3]) === 'FULL') return 'xinfo-full';
  return undefined;
}

const UNORDERED = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'KEYS', 'HKEYS', 'HVALS']);
const UNORDERED_PAIRS = new Set(['HGETALL']);
const TOLERANCE: Readonly<Record<string, number>> = { TTL: 1, PTTL: 1000 };

const upper = (b: Buffer | undefined): string => (b === undefined ? '' : b.toString('latin1').toUpperCase());

/**
 * The rule a command is compared by when nothing annotates it.
 *
 *   defaultRule([Buffer.from('smembers'), Buffer.from('s')]) → { kind: 'unordered', pairs: false }
 */
export function defaultRule(argv: readonly Buffer[]): CompareRule {
  const name = upper(argv[0]);
  if (UNORDERED.has(name)) return { kind: 'unordered', pairs: false };
  if (UNORDERED_PAIRS.has(name)) return { kind: 'unordered', pairs: true };
  const within = TOLERANCE[name];
  if (within !== undefined) return { kind: 'tolerance', within };
  const form = timesForm(argv);
  if (form !== undefined) return { kind: 'times', within: TIMES_WITHIN, form };
  if (name === 'SCAN' || name === 'SSCAN') return { kind: 'scan', pairs: false };
  if (name === 'HSCAN' || name === 'ZSCAN') return { kind: 'scan', pairs: true };
  if (name === 'RANDOMKEY' || name === 'SPOP') return { kind: 'random', pairs: false, distinct: true, universe: 'flat' };
  if (name === 'SRANDMEMBER' || name === 'HRANDFIELD' || name === 'ZRANDMEMBER') {
    const count = argv[2] === undefined ? 1n : toBigInt(argv[2]);
    const withValues = argv.slice(3).some((a) => ['WITHVALUES', 'WITHSCORES'].includes(upper(a)));
    const universe = name === 'SRANDMEMBER' ? 'flat' : 'pairs';
    return { kind: 'random', pairs: withValues, distinct: count === undefined || count >= 0n, universe };
  }
  return EXACT;
}

function toBigInt(b: Buffer): bigint | undefined {
  const s = b.toString('latin1');
  return /^-?\d+$/.test(s) ? BigInt(s) : undefined;
}

/**
 * Parse an annotation comment (`# @unordered`) into the rule for the next
 * command; undefined for a plain comment. An unknown `@word` is an error so
 * that a typo cannot silently weaken a comparison.
 */
export function parseAnnotation(comment: string, argvOf: () => readonly Buffer[]): CompareRule | undefined {
  const m = /^#\s*@(\S+)\s*(.*)$/.exec(comment.trim());
  if (!m) return undefined;
  const [, word, rest] = m;
  switch (word) {
    case 'exact':
      return EXACT;
    case 'unordered':
      return { kind: 'unordered', pairs: false };
    case 'unordered-pairs':
      return { kind: 'unordered', pairs: true };
    case 'tolerance': {
      const within = Number(rest);
      if (!Number.isInteger(within) || within < 0) throw new Error(`bad annotation: ${comment}`);
      return { kind: 'tolerance', within };
    }
    case 'times': {
      const within = Number(rest);
      const form = timesForm(argvOf());
      if (!Number.isInteger(within) || within < 0 || form === undefined) throw new Error(`bad annotation: ${comment}`);
      return { kind: 'times', within, form };
    }
    case 'random': {
      const rule = defaultRule(argvOf());
      return rule.kind === 'random' ? rule : { kind: 'random', pairs: false, distinct: false, universe: 'flat' };
    }
    default:
      throw new Error(`unknown annotation: ${comment}`);
  }
}

/**
 * For a random command, the read-only command that lists what it may return
 * (asked of Redis just before the command); undefined when there is none.
 *
 *   universeQuery(['SRANDMEMBER', 's', '2']) → ['SMEMBERS', 's']
 */
export function universeQuery(argv: readonly Buffer[]): Buffer[] | undefined {
  const name = upper(argv[0]);
  const key = argv[1];
  const b = (s: string): Buffer => Buffer.from(s);
  if (name === 'RANDOMKEY') return [b('KEYS'), b('*')];
  if (key === undefined) return undefined;
  if (name === 'SPOP' || name === 'SRANDMEMBER') return [b('SMEMBERS'), key];
  if (name === 'HRANDFIELD') return [b('HGETALL'), key];
  if (name === 'ZRANDMEMBER') return [b('ZRANGE'), key, b('0'), b('-1'), b('WITHSCORES')];
  return undefined;
}

// ------------------------------------------------------------- comparison

/**
 * Compare a reply with the oracle's under a rule: undefined when they agree,
 * else a one-line reason.
 *
 *   compareReplies(bulk('a'), bulk('b'), EXACT) → 'expected "a", got "b"'
 */
export function compareReplies(
  expected: RedisReply,
  got: RedisReply,
  rule: CompareRule,
  universe?: RedisReply,
  since?: number,
): string | undefined {
  const differ = (): string => `expected ${showReply(expected)}, got ${showReply(got)}`;
  if (expected.type === 'error' || got.type === 'error' || rule.kind === 'exact') {
    return sameReply(expected, got) ? undefined : differ();
  }
  switch (rule.kind) {
    case 'unordered': {
      if (expected.type !== 'array' || got.type !== 'array' || expected.value === null || got.value === null) {
        return sameReply(expected, got) ? undefined : differ();
      }
      return sameMultiset(expected.value, got.value, rule.pairs) ? undefined : `${differ()} (as a multiset)`;
    }
    case 'scan': {
      const e = expected.type === 'array' ? expected.value : null;
      const g = got.type === 'array' ? got.value : null;
      const [ec, eb] = e ?? [];
      const [gc, gb] = g ?? [];
      if (!e || !g || e.length !== 2 || g.length !== 2 || !ec || !gc || !eb || !gb) {
        return sameReply(expected, got) ? undefined : differ();
      }
      if (!sameReply(ec, gc)) return `${differ()} (cursor)`;
      if (eb.type !== 'array' || gb.type !== 'array' || eb.value === null || gb.value === null) {
        return sameReply(eb, gb) ? undefined : differ();
      }
      return sameMultiset(eb.value, gb.value, rule.pairs) ? undefined : `${differ()} (batch as a multiset)`;
    }
    case 'tolerance': {
      if (expected.type !== 'integer' || got.type !== 'integer' || expected.value < 0n || got.value < 0n) {
        return sameReply(expected, got) ? undefined : differ();
      }
      const d = expected.value - got.value;
      return (d < 0n ? -d : d) <= BigInt(rule.within) ? undefined : `${differ()} (beyond ±${rule.within})`;
    }
    case 'random':
      return compareRandom(expected, got, rule, universe);
    case 'times':
      return compareTimes(expected, got, rule, since ?? Date.now(), Date.now());
  }
}

type TimeKind = 'elapsed' | 'absolute';

/**
 * A stream reply with each time in it replaced by `f(time, kind)`: the idle
 * times of XPENDING's entries ([id, consumer, idle, deliveries]) and of XINFO
 * CONSUMERS (`idle`), the absolute times of XINFO STREAM FULL (each group's
 * pending [id, consumer, time, deliveries], each consumer's `seen-time` and
 * pending [id, time, deliveries]). Anything else is left as it is.
 */
export function mapTimes(reply: RedisReply, form: TimesForm, f: (time: bigint, kind: TimeKind) => bigint): RedisReply {
  const items = (r: RedisReply | undefined): readonly RedisReply[] | undefined =>
    r?.type === 'array' && r.value !== null ? r.value : undefined;
  const arrayOf = (list: readonly RedisReply[]): RedisReply => ({ type: 'array', value: list });
  const at = (r: RedisReply, i: number, kind: TimeKind): RedisReply => {
    const list = items(r);
    const v = list?.[i];
    if (list === undefined || v?.type !== 'integer') return r;
    return arrayOf(list.map((x, j) => (j === i ? { type: 'integer', value: f(v.value, kind) } : x)));
  };
  // A map reply is a flat [name, value, …] array: change the value of `name`.
  const field = (r: RedisReply, name: string, change: (v: RedisReply) => RedisReply): RedisReply => {
    const list = items(r);
    if (list === undefined) return r;
    return arrayOf(
      list.map((x, j) => {
        const key = list[j - 1];
        return j % 2 === 1 && key?.type === 'bulk' && key.value?.toString() === name ? change(x) : x;
      }),
    );
  };
  const each = (r: RedisReply, change: (v: RedisReply) => RedisReply): RedisReply => {
    const list = items(r);
    return list === undefined ? r : arrayOf(list.map(change));
  };
  const integer = (kind: TimeKind) => (v: RedisReply): RedisReply =>
    v.type === 'integer' ? { type: 'integer', value: f(v.value, kind) } : v;
  switch (form) {
    case 'xpending':
      return each(reply, (entry) => at(entry, 2, 'elapsed'));
    case 'xinfo-consumers':
      return each(reply, (consumer) => field(consumer, 'idle', integer('elapsed')));
    case 'xinfo-full':
      return field(reply, 'groups', (groups) =>
        each(groups, (group) =>
          field(
            field(group, 'pending', (pel) => each(pel, (entry) => at(entry, 2, 'absolute'))),
            'consumers',
            (consumers) =>
              each(consumers, (consumer) =>
                field(
                  field(consumer, 'seen-time', integer('absolute')),
                  'pending',
                  (pel) => each(pel, (entry) => at(entry, 1, 'absolute')),
                ),
              ),
          ),
        ),
      );
  }
}

/**
 * Times of a sequence replayed slower than Redis ran it drift apart by up to
 * the replay's duration so far (`since`: when it started): that is added to
 * the tolerance. A recorded absolute 0 (the present when recorded, see
 * canonicalReply) must lie within the replay; other absolute times (pinned
 * ones, or two servers compared live) within the tolerance.
 */
function compareTimes(
  expected: RedisReply,
  got: RedisReply,
  rule: Extract<CompareRule, { kind: 'times' }>,
  since: number,
  now: number,
): string | undefined {
  const differ = `expected ${showReply(expected)}, got ${showReply(got)}`;
  const times = (r: RedisReply): [bigint, TimeKind][] => {
    const out: [bigint, TimeKind][] = [];
    mapTimes(r, rule.form, (t, kind) => {
      out.push([t, kind]);
      return 0n;
    });
    return out;
  };
  const zero = (r: RedisReply): RedisReply => mapTimes(r, rule.form, () => 0n);
  if (!sameReply(zero(expected), zero(got))) return differ;
  const g = times(got);
  const within = BigInt(rule.within);
  const slack = within + BigInt(Math.max(0, now - since));
  for (const [i, [et, kind]] of times(expected).entries()) {
    const gt = g[i]?.[0] ?? -1n;
    const distance = et > gt ? et - gt : gt - et;
    const ok =
      kind === 'elapsed'
        ? distance <= slack
        : et === 0n
          ? gt >= BigInt(since) - within && gt <= BigInt(now) + within
          : distance <= within;
    if (!ok) return `${differ} (time ${gt} for ${kind === 'absolute' && et === 0n ? 'the present' : et})`;
  }
  return undefined;
}

function compareRandom(
  expected: RedisReply,
  got: RedisReply,
  rule: Extract<CompareRule, { kind: 'random' }>,
  universe: RedisReply | undefined,
): string | undefined {
  const differ = `expected something like ${showReply(expected)}, got ${showReply(got)}`;
  if (expected.type !== got.type) return `${differ} (type)`;
  const pool = universe?.type === 'array' && universe.value !== null ? universe.value : undefined;
  // Universes of pairs (HGETALL, ZRANGE … WITHSCORES) list members at even positions.
  const members = pool === undefined ? undefined : rule.universe === 'pairs' ? pool.filter((_, i) => i % 2 === 0) : pool;
  const inPool = (items: readonly RedisReply[]): boolean => {
    if (pool === undefined) return true;
    if (rule.pairs) {
      const want = new Set(pairKeys(pool));
      return pairKeys(items).every((p) => want.has(p));
    }
    const want = new Set((members ?? []).map(replyKey));
    return items.every((i) => want.has(replyKey(i)));
  };
  if (got.type === 'bulk' && expected.type === 'bulk') {
    if ((expected.value === null) !== (got.value === null)) return `${differ} (nil)`;
    if (got.value !== null && !inPool([got])) return `${differ} (not a member)`;
    return undefined;
  }
  if (got.type === 'array' && expected.type === 'array') {
    if (expected.value === null || got.value === null) return expected.value === got.value ? undefined : `${differ} (nil)`;
    if (expected.value.length !== got.value.length) return `${differ} (length)`;
    if (!inPool(got.value)) return `${differ} (not all members)`;
    if (rule.distinct) {
      const keys = rule.pairs ? pairKeys(got.value) : got.value.map(replyKey);
      if (new Set(keys).size !== keys.length) return `${differ} (repeats)`;
    }
    return undefined;
  }
  return sameReply(expected, got) ? undefined : differ;
}

function pairKeys(items: readonly RedisReply[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push(`${replyKey(items[i]!)}\u0000${replyKey(items[i + 1]!)}`);
  if (items.length % 2 === 1) out.push(`odd:${replyKey(items[items.length - 1]!)}`);
  return out;
}

function sameMultiset(a: readonly RedisReply[], b: readonly RedisReply[], pairs: boolean): boolean {
  if (a.length !== b.length) return false;
  const ka = (pairs ? pairKeys(a) : a.map(replyKey)).sort();
  const kb = (pairs ? pairKeys(b) : b.map(replyKey)).sort();
  return ka.every((k, i) => k === kb[i]);
}

/** A canonical string for a reply: equal strings ⇔ equal replies. */
export function replyKey(reply: RedisReply): string {
  return JSON.stringify(replyToJson(reply));
}

export function sameReply(a: RedisReply, b: RedisReply): boolean {
  return replyKey(a) === replyKey(b);
}

/** A short, readable rendering for diff messages. */
export function showReply(reply: RedisReply): string {
  const text = JSON.stringify(replyToJson(reply));
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * The form a reply is recorded in, so that re-recording gives the same file
 * whatever order, timing or chance Redis happened to produce: unordered
 * arrays, SCAN batches and universes sorted (pairs kept together), tolerated
 * integers ≥ 1000 rounded to hundreds (a random sample is reduced to what its
 * rule compares by `recordedReply`). Comparison under the same rule is unaffected.
 *
 *   canonicalReply(['b', 'a'] as an array, unordered) → ['a', 'b']
 */
export function canonicalReply(reply: RedisReply, rule: CompareRule): RedisReply {
  switch (rule.kind) {
    case 'exact':
      return reply;
    case 'unordered':
      return sortedArray(reply, rule.pairs);
    case 'random':
      return reply;
    case 'scan': {
      if (reply.type !== 'array' || reply.value === null || reply.value.length !== 2) return reply;
      const [cursor, batch] = reply.value;
      return { type: 'array', value: [cursor!, sortedArray(batch!, rule.pairs)] };
    }
    case 'tolerance':
      if (reply.type !== 'integer' || rule.within < 1000 || reply.value < 1000n) return reply;
      return { type: 'integer', value: ((reply.value + 50n) / 100n) * 100n };
    case 'times': {
      // Idle times rounded to the tolerance, present times recorded as 0: the same file on every run.
      const within = BigInt(Math.max(rule.within, 1));
      const now = BigInt(Date.now());
      return mapTimes(reply, rule.form, (t, kind) =>
        kind === 'elapsed'
          ? ((t + within / 2n) / within) * within
          : (t > now ? t - now : now - t) <= within
            ? 0n
            : t,
      );
    }
  }
}

/**
 * A reply as the recorder writes it: `canonicalReply`, or for a random
 * command its `randomShape`.
 *
 *   recordedReply(bulk 'k3', rule of RANDOMKEY) → {"random": "bulk"}
 */
export function recordedReply(reply: RedisReply, rule: CompareRule): ReplyJson {
  return rule.kind === 'random' ? randomShape(reply) : replyToJson(canonicalReply(reply, rule));
}

/**
 * A random reply as recorded: what the random rule compares (type, nil,
 * length), not the sample itself, which changes from run to run. A nil,
 * an error or an empty array is kept as it is.
 *
 *   randomShape(bulk 'k3') → {"random": "bulk"}      randomShape([a, b]) → {"random": 2}
 */
export function randomShape(reply: RedisReply): ReplyJson {
  if (reply.type === 'bulk' && reply.value !== null) return { random: 'bulk' };
  if (reply.type === 'array' && reply.value !== null && reply.value.length > 0) return { random: reply.value.length };
  return replyToJson(reply);
}

/** A universe sorted as `canonicalReply` sorts replies. */
export function canonicalUniverse(universe: RedisReply, rule: CompareRule): RedisReply {
  return sortedArray(universe, rule.kind === 'random' && rule.universe === 'pairs');
}

function sortedArray(reply: RedisReply, pairs: boolean): RedisReply {
  if (reply.type !== 'array' || reply.value === null) return reply;
  const items = reply.value;
  const groups: RedisReply[][] = [];
  const step = pairs && items.length % 2 === 0 ? 2 : 1;
  for (let i = 0; i < items.length; i += step) groups.push(items.slice(i, i + step));
  const keyed = groups.map((g) => ({ g, k: g.map(replyKey).join('\u0000') }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return { type: 'array', value: keyed.flatMap((x) => x.g) };
}

// ------------------------------------------------------------- JSON form

/**
 * Replies as readable JSON:
 *   "text"                    bulk string (valid UTF-8)
 *   {"hex": "00ff"}           bulk string that is not valid UTF-8
 *   null                      nil bulk string
 *   {"status": "OK"}          status
 *   {"error": "ERR …"}        error
 *   {"int": "5"}              integer (a string: 64-bit integers do not fit a JSON number)
 *   [ … ]                     array
 *   {"nil": "array"}          nil array
 *   {"random": "bulk"}        some bulk string drawn by chance (see `randomShape`)
 *   {"random": 3}             an array of 3 bulk strings drawn by chance
 */
export type ReplyJson =
  | string
  | null
  | { readonly hex: string }
  | { readonly status: string }
  | { readonly error: string }
  | { readonly int: string }
  | { readonly nil: 'array' }
  | { readonly random: 'bulk' | number }
  | readonly ReplyJson[];

/** Bytes as JSON: text when valid UTF-8, else `{"hex": …}`. */
export type BytesJson = string | { readonly hex: string };

export function bytesToJson(b: Buffer): BytesJson {
  const text = b.toString('utf8');
  return Buffer.from(text, 'utf8').equals(b) ? text : { hex: b.toString('hex') };
}

export function bytesFromJson(j: BytesJson): Buffer {
  return typeof j === 'string' ? Buffer.from(j, 'utf8') : Buffer.from(j.hex, 'hex');
}

export function replyToJson(reply: RedisReply): ReplyJson {
  switch (reply.type) {
    case 'status':
      return { status: reply.value };
    case 'error':
      return { error: reply.message };
    case 'integer':
      return { int: reply.value.toString() };
    case 'bulk':
      return reply.value === null ? null : bytesToJson(reply.value);
    case 'array':
      return reply.value === null ? { nil: 'array' } : reply.value.map(replyToJson);
  }
}

// A recorded random shape stands for a reply with that shape; its bytes are
// never compared (the random rule looks at type, nil and length only).
const SAMPLE: RedisReply = { type: 'bulk', value: Buffer.alloc(0) };

export function replyFromJson(json: ReplyJson): RedisReply {
  if (json === null) return { type: 'bulk', value: null };
  if (typeof json === 'string') return { type: 'bulk', value: Buffer.from(json, 'utf8') };
  if (Array.isArray(json)) return { type: 'array', value: (json as readonly ReplyJson[]).map(replyFromJson) };
  const o = json as Exclude<ReplyJson, string | null | readonly ReplyJson[]>;
  if ('hex' in o) return { type: 'bulk', value: Buffer.from(o.hex, 'hex') };
  if ('status' in o) return { type: 'status', value: o.status };
  if ('error' in o) return { type: 'error', message: o.error };
  if ('int' in o) return { type: 'integer', value: BigInt(o.int) };
  if ('random' in o) return o.random === 'bulk' ? SAMPLE : { type: 'array', value: Array.from({ length: o.random }, () => SAMPLE) };
  return { type: 'array', value: null };
}

// ------------------------------------------------------ recording files

/** One recorded command: where it came from, what was sent, what Redis replied. */
export interface RecordedCommand {
  /** Line number in the .redis file (1-based). */
  readonly line: number;
  readonly argv: readonly BytesJson[];
  readonly reply: ReplyJson;
  /** Absent: exact. */
  readonly rule?: CompareRule;
  /** For random commands: what Redis listed just before (see `universeQuery`). */
  readonly universe?: ReplyJson;
}

export interface Recording {
  /** The .redis file, relative to the repository root. */
  readonly source: string;
  /** `redis_version` of the server that replied. */
  readonly redis: string;
  readonly commands: readonly RecordedCommand[];
}

/**
 * A recording as text: one command per line, so diffs of re-recordings are
 * readable and the output is the same byte for byte on every run.
 */
export function serializeRecording(rec: Recording): string {
  const lines = rec.commands.map((c) => `    ${JSON.stringify(c)}`);
  return (
    `{\n  "source": ${JSON.stringify(rec.source)},\n  "redis": ${JSON.stringify(rec.redis)},\n` +
    `  "commands": [\n${lines.join(',\n')}\n  ]\n}\n`
  );
}
