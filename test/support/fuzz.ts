import type { ArgSpec, CommandSpec } from '../../src/grammar/spec.js';
import { generateStreamArgs } from './fuzz-stream.js';

/**
 * Seeded random Redis commands generated from the grammar table, for the live
 * differential fuzzer: valid argument combinations from the specs, with
 * invalid ones mixed in, over a small key space so that types collide.
 *
 *   const rng = seededRng(42);
 *   generateCommand(specOf('SET')!, { rng, nowMs: Date.now() })
 *   → [SET, k3, "9223372036854775808", PX, "100000000000"]
 *
 * Times never fall inside the run: relative TTLs are ≤ 0 or years long, and
 * absolute ones in the past or years ahead, so nothing expires while the two
 * servers are compared and no test sleeps.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from nothing');
      return items[int(items.length)]!;
    },
    chance: (p: number) => next() < p,
  };
}

export interface GenContext {
  readonly rng: Rng;
  /** The clock the absolute times are generated around. */
  readonly nowMs: number;
}

/** The key space: small, so that commands meet each other's keys and types. */
export const FUZZ_KEYS: readonly string[] = ['k0', 'k1', 'k2', 'k3', 'k4', 'a', 'b', 'ü', 'k\\5', ''];

const INTEGERS = [
  '0', '1', '2', '3', '-1', '-2', '5', '10', '-100', '100',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809',
  'x', '1.5', '', ' 1', '007', '+3', '1e3',
];
// Offsets and lengths that make a string longer: kept small, or just past
// Redis' 512 MB limit (an error), never a real 512 MB allocation.
const OFFSETS = ['0', '1', '3', '10', '64', '-1', '536870912', '9223372036854775807', 'x'];
// Bit offsets (GETBIT, SETBIT): small ones, and the first past Redis' limit
// (2^32, an error), never the last allowed bit (a 512 MB string).
const BIT_OFFSETS = ['0', '1', '7', '8', '9', '15', '63', '100', '1000', '-1', '4294967296', '#1', 'x'];
const BITOP_OPERATIONS = ['AND', 'OR', 'XOR', 'NOT', 'and', 'Not', 'NAND', ''];
const DOUBLES = [
  '0', '1', '1.5', '-2.5', '0.1', '1e10', '1e-5', '3', '17179869184', '5e-324', '1e308', '-1e308',
  'inf', '-inf', '+inf', 'nan', 'abc', '', '1,5', '0x10', ' 2',
];
const STRINGS = [
  '', 'v', 'hello', '0', '1', '-1', '10', '42', '3.14', '1e3', ' 1', '1 ', '+1', '007', '0.1', '-0',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '9223372036854775806',
  'inf', 'nan', 'back\\slash', 'ünïcode', 'k1', 'a'.repeat(100),
];
const PATTERNS = ['*', 'k*', 'k?', 'k[0-3]', 'k[^0]*', '*1', '[', 'k\\*', '\\k1', 'no*', 'a', '', '?', '*\\'];
const SORT_BY = ['nosort', 'k*', 'w_*', 'k*->f', '#', 'missing'];
const SORT_GET = ['#', 'k*', 'k*->f', 'w_*', '#x'];
const TYPES = ['string', 'list', 'hash', 'set', 'zset', 'stream', 'none', 'foo', 'STRING'];
/** Members, fields and elements: a few, so that commands meet each other's. */
const MEMBERS = ['a', 'b', 'c', 'm1', '1', '2', '-1', '0', '1.5', 'x y', '', 'back\\slash', 'ünï'];
/** Score bounds (inclusive, exclusive, infinite, strtod spellings) and lex bounds, mixed. */
const RANGE_BOUNDS = [
  '-inf', '+inf', 'inf', '(1', '(0', '0', '1', '2.5', '-1', '(-inf', '(+inf', ' 1', '1\x00x', '0x10', '1e3', 'nan', '(nan',
  '-', '+', '[a', '(a', '[b', '(c', '[', '(', '[m1', '[1', 'a', '', '+3', '1e400', '(',
];
/** List and rank indexes: mostly small, so that they land inside short collections. */
const INDEXES = ['0', '1', '2', '-1', '-2', '3', '-3', '10', '-100', '9223372036854775807', '-9223372036854775808', 'x', ' 1', '+3'];

/** Times relative to now: none lands inside the run. */
const RELATIVE_SECONDS = ['0', '-1', '-100', '100000000', '99999999999', '9223372036854775807', 'x', '1.5'];
const RELATIVE_MS = ['0', '-1', '-100', '100000000000', '9223372036854775807', 'x'];

function absoluteTimes(unit: 'seconds' | 'ms', nowMs: number): string[] {
  const scale = unit === 'seconds' ? 1000 : 1;
  const at = (ms: number): string => String(Math.floor(ms / scale));
  return [at(nowMs - 3_600_000), '1', '0', '-1', at(nowMs + 3e10), at(nowMs + 1e12), '9223372036854775807', 'x'];
}

function rangeBound(rng: Rng): Buffer {
  return rng.chance(0.1) ? Buffer.concat([Buffer.from(rng.pick(['(', '[', ''])), randomBytes(rng)]) : Buffer.from(rng.pick(RANGE_BOUNDS));
}

function randomBytes(rng: Rng): Buffer {
  const n = rng.int(9);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.pick([0, 0xff, 0x80, 0x5c, 0x22, 0x0a, 0x31, 0x61, rng.int(256)]);
  return b;
}

/**
 * Times go by the argument's name, whatever kind the table gives it (some are
 * read as raw strings, to check them in Redis' order): none lands in the run.
 */
function timeValue(spec: ArgSpec, ctx: GenContext): string | undefined {
  if (spec.kind === 'key' || spec.kind === 'pure-token' || spec.kind === 'oneof' || spec.kind === 'block') return undefined;
  if (spec.name === 'seconds') return ctx.rng.pick(RELATIVE_SECONDS);
  if (spec.name === 'milliseconds' || spec.name === 'ttl') return ctx.rng.pick(RELATIVE_MS);
  if (spec.kind === 'unix-time' || spec.name.startsWith('unix-time')) {
    return ctx.rng.pick(absoluteTimes(spec.name.includes('milli') ? 'ms' : 'seconds', ctx.nowMs));
  }
  return undefined;
}

function scalarValue(spec: ArgSpec, ctx: GenContext): Buffer {
  const { rng } = ctx;
  const b = (s: string): Buffer => Buffer.from(s, 'utf8');
  const time = timeValue(spec, ctx);
  if (time !== undefined) return b(time);
  switch (spec.kind) {
    case 'key':
      return b(rng.pick(FUZZ_KEYS));
    case 'integer':
      if (spec.name === 'index' || spec.name === 'start' || spec.name === 'stop' || spec.name === 'rank') {
        return b(rng.pick(rng.chance(0.8) ? INDEXES : INTEGERS));
      }
      if (spec.name === 'offset' && spec.error?.startsWith('ERR bit offset') === true) return b(rng.pick(BIT_OFFSETS));
      // SETBIT's value and BITPOS' bit: mostly a bit, so that they get past the check.
      if (spec.name === 'bit' || (spec.name === 'value' && spec.error?.startsWith('ERR bit is') === true)) {
        return b(rng.pick(rng.chance(0.8) ? ['0', '1'] : INTEGERS));
      }
      if (spec.name === 'offset' || spec.name === 'len' || spec.name === 'count') return b(rng.pick(OFFSETS));
      return b(rng.pick(INTEGERS));
    case 'unix-time':
      throw new Error('unix-time arguments are times (timeValue)');
    case 'double':
      // Blocking commands' timeouts: mostly valid, so that they get past it.
      if (spec.name === 'timeout' && rng.chance(0.7)) return b(rng.pick(['0', '0.01', '1', '100']));
      return b(rng.pick(DOUBLES));
    case 'pattern':
      if (spec.name === 'get') return b(rng.pick(SORT_GET));
      if (spec.token === 'BY') return b(rng.pick(SORT_BY));
      return b(rng.pick(PATTERNS));
    case 'string':
      if (spec.name === 'type') return b(rng.pick(TYPES));
      if (spec.name === 'operation') return b(rng.pick(BITOP_OPERATIONS));
      // Collections' arguments the tables read as strings, drawn from what they mean.
      if (spec.name === 'min' || spec.name === 'max') return rangeBound(rng);
      if (spec.name === 'start' || spec.name === 'stop') return rng.chance(0.6) ? b(rng.pick(INDEXES)) : rangeBound(rng);
      if (spec.name === 'score' || spec.name === 'increment') return b(rng.pick(rng.chance(0.7) ? DOUBLES : INTEGERS));
      if (spec.name === 'cursor') return b(rng.pick(['0', '0', '0', '1', '-1', '', '+3', '007', 'x', '18446744073709551616']));
      if (['member', 'field', 'element', 'pivot'].includes(spec.name) && rng.chance(0.7)) return b(rng.pick(MEMBERS));
      return rng.chance(0.15) ? randomBytes(rng) : b(rng.pick(STRINGS));
    default:
      throw new Error(`not a scalar: ${spec.kind}`);
  }
}

function word(token: string, rng: Rng): Buffer {
  const r = rng.int(6);
  return Buffer.from(r === 0 ? token.toLowerCase() : r === 1 && token.length > 1 ? token[0]!.toLowerCase() + token.slice(1) : token);
}

/** One occurrence of an argument (its token first, when it has one). */
function single(spec: ArgSpec, ctx: GenContext): Buffer[] {
  if (spec.kind === 'pure-token') return [word(spec.token, ctx.rng)];
  const head = spec.token !== undefined ? [word(spec.token, ctx.rng)] : [];
  if (spec.kind === 'oneof') return [...head, ...single(ctx.rng.pick(spec.args), ctx)];
  if (spec.kind === 'block') return [...head, ...generateArgs(spec.args, ctx)];
  return [...head, scalarValue(spec, ctx)];
}

/** The repetitions of a repeated argument, each as its words. */
function repetitions(spec: ArgSpec, ctx: GenContext): Buffer[][] {
  const { rng } = ctx;
  const n = spec.optional ? rng.int(4) : 1 + rng.int(3);
  if (n === 0) return [];
  if (spec.multipleToken || spec.token === undefined || spec.kind === 'pure-token') {
    return Array.from({ length: n }, () => single(spec, ctx));
  }
  // `KEYS key [key …]`: the token once, then the repetitions.
  const bare = { ...spec, token: undefined } as ArgSpec;
  const items = Array.from({ length: n }, () => single(bare, ctx));
  items[0]!.unshift(word(spec.token, rng));
  return items;
}

/**
 * The arguments of an argument list, as the specs allow them. A `numkeys`
 * before a repeated argument mostly counts it right (LMPOP 2 a b), or the
 * command would nearly always be an error.
 */
export function generateArgs(specs: readonly ArgSpec[], ctx: GenContext): Buffer[] {
  const out: Buffer[] = [];
  const { rng } = ctx;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const next = specs[i + 1];
    if (spec.kind === 'integer' && spec.name === 'numkeys' && next?.multiple && rng.chance(0.9)) {
      const items = repetitions(next, ctx);
      out.push(Buffer.from(String(items.length)), ...items.flat());
      i++;
    } else if (spec.multiple) {
      out.push(...repetitions(spec, ctx).flat());
    } else if (!spec.optional || rng.chance(0.4)) {
      out.push(...single(spec, ctx));
    }
  }
  return out;
}

/**
 * BITFIELD's words (the table reads them as plain words): a key, then GET,
 * SET, INCRBY and OVERFLOW subcommands with types and offsets that are mostly
 * valid; BITFIELD_RO mostly GETs.
 */
function bitfieldArgs(name: string, ctx: GenContext): Buffer[] {
  const { rng } = ctx;
  const out: Buffer[] = [Buffer.from(rng.pick(FUZZ_KEYS))];
  const type = (): string =>
    rng.chance(0.9) ? `${rng.pick(['i', 'u'])}${1 + rng.int(64)}` : rng.pick(['u64', 'i65', 'u0', 'I8', 'x', '']);
  const offset = (): string =>
    rng.chance(0.85) ? (rng.chance(0.3) ? `#${rng.int(6)}` : String(rng.int(80))) : rng.pick(BIT_OFFSETS);
  const value = (): string =>
    rng.pick(rng.chance(0.6) ? ['0', '1', '-1', '127', '128', '-129', '255', '256', '1000', '-1000'] : INTEGERS);
  const n = rng.int(5);
  for (let i = 0; i < n; i++) {
    const op = name === 'BITFIELD_RO' && rng.chance(0.8) ? 'GET' : rng.pick(['GET', 'SET', 'INCRBY', 'OVERFLOW']);
    if (op === 'OVERFLOW') out.push(word(op, rng), word(rng.pick(['WRAP', 'SAT', 'FAIL', 'FOO']), rng));
    else if (op === 'GET') out.push(word(op, rng), Buffer.from(type()), Buffer.from(offset()));
    else out.push(word(op, rng), Buffer.from(type()), Buffer.from(offset()), Buffer.from(value()));
  }
  return out;
}

const JUNK = ['NX', 'XX', 'GET', 'EX', 'PX', 'KEEPTTL', 'GT', 'LT', 'COUNT', 'MATCH', 'LIMIT', '10', 'foo', ''];

/**
 * A command for a spec: usually valid, sometimes broken on purpose (an
 * argument dropped, repeated or added) to compare the errors too.
 */
export function generateCommand(spec: CommandSpec, ctx: GenContext): Buffer[] {
  const { rng } = ctx;
  const name = spec.name.split(' ').map((w) => word(w, rng));
  // Streams need IDs, groups and consumers that meet: their own generator.
  const args =
    (spec.group === 'stream' ? generateStreamArgs(spec, ctx) : undefined) ??
    (spec.name === 'BITFIELD' || spec.name === 'BITFIELD_RO' ? bitfieldArgs(spec.name, ctx) : generateArgs(spec.args, ctx));
  if (rng.chance(0.1)) {
    const r = rng.int(4);
    // An XADD with `*` loses all its words instead: without its key or its
    // NOMKSTREAM (a word dropped, or a copy of `*` put before it) it could
    // start a stream at each server's own clock (see test/support/fuzz-stream.ts).
    const autoId = spec.name === 'XADD' && args.some((a) => a.length === 1 && a[0] === 0x2a);
    if (autoId && r < 3) args.length = 0;
    else if (r === 0 && args.length > 0) args.splice(rng.int(args.length), 1);
    else if (r === 1 && args.length > 0) args.splice(rng.int(args.length), 0, args[rng.int(args.length)]!);
    else if (r === 2) args.splice(rng.int(args.length + 1), 0, Buffer.from(rng.pick(JUNK)));
    else args.length = 0;
  }
  return [...name, ...args];
}

/**
 * An argv as a redis-cli line (quoted where needed), so that a failing
 * sequence can be pasted into redis-cli or a .redis fixture.
 *
 *   cliLine([SET, 'a b', <00 ff>]) → 'SET "a b" "\x00\xff"'
 */
export function cliLine(argv: readonly Buffer[]): string {
  return argv
    .map((a) => {
      if (a.length > 0 && /^[\x21-\x7e]+$/.test(a.toString('latin1')) && !/["'\\]/.test(a.toString('latin1'))) {
        return a.toString('latin1');
      }
      let s = '"';
      for (const c of a) {
        if (c === 0x22) s += '\\"';
        else if (c === 0x5c) s += '\\\\';
        else if (c === 0x0a) s += '\\n';
        else if (c === 0x0d) s += '\\r';
        else if (c === 0x09) s += '\\t';
        else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
        else s += `\\x${c.toString(16).padStart(2, '0')}`;
      }
      return `${s}"`;
    })
    .join(' ');
}
