/**
 * A Redis command whose arguments are partly known only at run time (the
 * expressions of a call site) → one compiled statement plus the JS source of
 * its parameter list.
 *
 * Each run-time argument is compiled with a stand-in (a marked text, or a
 * marked number when the expression is a number) and the stand-in is looked
 * for among the compiled parameters, which become the expression again. The
 * command is compiled three times with different stand-ins (two positive
 * numbers, one negative): when the SQL text differs, the statement's shape
 * depends on a value the codemod cannot see, and the call is refused rather
 * than guessed. A stand-in the translator transformed (a pattern rewritten,
 * a number parsed into another) is refused the same way.
 */
import { Redis2SqlError, RedisError, UnsupportedError } from '../errors.js';
import type { ReplyShape } from '../emit/reply.js';
import { translate, translationStatus } from '../translate.js';
import { specOf } from '../grammar/table.js';
import type { SqlParam } from '../translators/sql.js';

/** A JS expression of the call site whose value is known only at run time. */
export interface RuntimeExpr {
  readonly expr: string;
  /** Typed as a number (its stand-in is a number, so numeric arguments parse). */
  readonly numeric: boolean;
  /** A plain reference (no side effects): it may be evaluated more than once. */
  readonly plain: boolean;
  /**
   * An array whose elements the client sends as separate arguments (ioredis
   * flattens an array argument), its length known only at run time: its
   * stand-in is an array of stand-ins, of a different length in each compile.
   * `'pairs'`: an object or Map whose entries the client sends as field,
   * value, field, value… (ioredis' HSET/HMSET/MSET/MSETNX transforms): its
   * stand-in is the list of 2, 1 and 3 such pairs.
   */
  readonly spread?: boolean | 'pairs';
  /**
   * The statement may leave it unread: a value the converted code made, not
   * one of the call's (a scan iterator's cursor, which a statement that
   * always answers in one step has no use for).
   */
  readonly unread?: true;
  /**
   * The case of a number the converted call tests with `!x` (0, -0, NaN):
   * its stand-ins are those three, so that a client transform that leaves
   * such a number out (`if (options?.COUNT)`) compiles to one statement, and
   * one that sends it does not (the compiles differ). Never read.
   */
  readonly falsy?: true;
  /** A number the converted call tests with `!x` before it runs this statement: never 0 or NaN here, so it is not compiled as 0. */
  readonly nonzero?: true;
}

/** One stand-in value per run-time expression, by its index (an array of them for a spread one). */
export type StandIn = (i: number) => string | number | readonly string[];

/**
 * The Redis argv of the call with stand-ins in place of the run-time values
 * (a function, since the client's own argument transform may build it).
 */
export type BuildArgv = (standIn: StandIn) => readonly string[];

export interface CompiledCall {
  readonly sql: string;
  /** The parameter list as JS source (`[r2s.text(key), Buffer.from("v")]`). */
  readonly params: string;
  readonly shape: ReplyShape;
  /** The canonical command name (`SET`, `XGROUP CREATE`). */
  readonly command: string;
}

export interface CallRefusal {
  readonly rule: string;
  readonly message: string;
}

const STAND_INS = [
  { text: (i: number) => `__r2s_arg_${i}__`, number: (i: number) => 48271000 + i, elements: 2, falsy: 0 },
  { text: (i: number) => `__r2s_alt_${i}__`, number: (i: number) => 69621000 + i, elements: 1, falsy: Number.NaN },
  { text: (i: number) => `__r2s_neg_${i}__`, number: (i: number) => -(91331000 + i), elements: 3, falsy: -0 },
] as const;

/**
 * A fourth compile for a call with a number known only at run time, every
 * such number 0: a value that makes Redis refuse the call (LPOS' `RANK 0`,
 * LMPOP's `COUNT 0`) or answer with another statement would not be caught by
 * the positive and negative stand-ins, and the SQL compiled from them would
 * not refuse it. Its parameters are only compared with the others' (0
 * where they hold the value: sameParams); a number the converted call tests
 * is not 0 (`nonzero`) keeps the first stand-in's.
 */
const ZERO = { text: (i: number) => `__r2s_zero_${i}__`, number: () => 0, elements: 2, falsy: 0 } as const;

/** One set of stand-in values: a text and a number per run-time expression, a spread array's length, a falsy number. */
interface StandIns {
  readonly text: (i: number) => string;
  readonly number: (i: number) => number;
  readonly elements: number;
  readonly falsy: number;
}

/** The number standing in for run-time number i: a 0 stand-in's 0, but for a number known not to be 0 (the first stand-in's). */
function numberFor(standIn: StandIns, i: number, exprs: readonly RuntimeExpr[]): number {
  const n = standIn.number(i);
  return n === 0 && exprs[i]?.nonzero === true ? STAND_INS[0].number(i) : n;
}

/** The stand-in for run-time expression i that is not a spread one: a falsy case's falsy number, a number, or a text. */
function scalarStandIn(standIn: StandIns, i: number, exprs: readonly RuntimeExpr[]): string | number {
  return exprs[i]?.falsy === true ? standIn.falsy : exprs[i]?.numeric === true ? numberFor(standIn, i, exprs) : standIn.text(i);
}

/** A spread expression's stand-in: `count` elements (or field, value pairs), each a text of its own. */
function spreadStandIn(standIn: StandIns, i: number, count: number, pairs = false): readonly string[] {
  const element = (j: number, part = ''): string => standIn.text(i).replace(/__$/, `_${part}${j}__`);
  return pairs ? Array.from({ length: count }, (_, j) => [element(j, 'f'), element(j, 'v')]).flat() : Array.from({ length: count }, (_, j) => element(j));
}

/** Whether a run-time expression is a list the client sends as separate arguments (an array, or an object's pairs). */
function isSpread(e: RuntimeExpr | undefined): boolean {
  return e?.spread === true || e?.spread === 'pairs';
}

/**
 * The calls compiled during one codemod run, by everything a compile depends
 * on (the argv under each stand-in, the run-time expressions, the rule
 * prefix): a project's thousands of call sites have a handful of shapes, and
 * each shape is translated once. One per run (created by its caller, never
 * module-level): the entries hold no file's nodes, only text.
 */
export type CallCache = Map<string, CompiledCall | CallRefusal>;

/**
 * Compile the call's command. `prefix` names the rule ids (`ioredis`, `node-redis`).
 *
 *   compileCall((v) => ['GET', String(v(0))], [{ expr: 'key', numeric: false, plain: true }], 'ioredis')
 *   → { sql: 'SELECT … AS reply', params: '[r2s.text(key)]', shape: { kind: 'scalar', of: 'bulk' }, command: 'GET' }
 */
export function compileCall(build: BuildArgv, exprs: readonly RuntimeExpr[], prefix: string, cache?: CallCache): CompiledCall | CallRefusal {
  const runtime = exprs.length > 0;
  // The argv under each stand-in, or what the client's transform threw: the same ones give the same result.
  // A spread expression has 2, 1 and 3 elements in them, and none in a fourth argv (an empty array).
  const argvOf = (standIn: StandIns, elements: number): { readonly argv: readonly string[] } | { readonly error: string } => {
    try {
      return { argv: build((i) => (isSpread(exprs[i]) ? spreadStandIn(standIn, i, elements, exprs[i]!.spread === 'pairs') : scalarStandIn(standIn, i, exprs))) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const zero = exprs.some((e) => e.numeric && !isSpread(e) && e.nonzero !== true);
  const standIns: readonly StandIns[] = [...STAND_INS.slice(0, runtime ? STAND_INS.length : 1), ...(zero ? [ZERO] : [])];
  const argvs = standIns.map((standIn) => argvOf(standIn, standIn.elements));
  if (exprs.some(isSpread)) argvs.push(argvOf(STAND_INS[0], 0));
  // Each run-time number as a fraction, the others as the first stand-in: where Redis reads an integer, its error for one that is not.
  const fractions = new Map<number, ReturnType<typeof argvOf>>();
  for (const [i, e] of exprs.entries()) {
    if (e.numeric && !isSpread(e) && e.falsy !== true) fractions.set(i, argvOf({ ...STAND_INS[0], number: (j) => STAND_INS[0].number(j) + (j === i ? 0.5 : 0) }, STAND_INS[0].elements));
  }
  if (cache === undefined) return compileArgvs(argvs, standIns, exprs, prefix, fractions);
  const key = JSON.stringify([prefix, exprs, argvs, [...fractions]]);
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = compileArgvs(argvs, standIns, exprs, prefix, fractions);
    cache.set(key, compiled);
  }
  return compiled;
}

const NOT_AN_INTEGER = 'ERR value is not an integer or out of range';

/**
 * Redis' error for run-time number i when it is not an integer, where its
 * grammar says more than the usual text (SETBIT's offset: `ERR bit offset is
 * not an integer or out of range`): the compile of the call with that
 * number a fraction. Undefined for the usual text, or when that compile
 * does not fail with a Redis error.
 */
function integerMessage(fraction: { readonly argv: readonly string[] } | { readonly error: string } | undefined): string | undefined {
  if (fraction === undefined || 'error' in fraction) return undefined;
  try {
    translate(fraction.argv);
  } catch (error) {
    if (error instanceof RedisError && error.message !== NOT_AN_INTEGER) return error.message;
  }
  return undefined;
}

function compileArgvs(
  all: readonly ({ readonly argv: readonly string[] } | { readonly error: string })[],
  standIns: readonly StandIns[],
  exprs: readonly RuntimeExpr[],
  prefix: string,
  fractions: ReadonlyMap<number, { readonly argv: readonly string[] } | { readonly error: string }> = new Map(),
): CompiledCall | CallRefusal {
  let argvs = all;
  const runtime = exprs.length > 0;
  const spread = exprs.some(isSpread);
  // With an empty array the command may take other arguments than with elements: Redis' error for it, when it refuses it.
  let empty: string | undefined;
  if (spread) {
    const none = argvs[argvs.length - 1]!;
    argvs = argvs.slice(0, -1);
    const refusal = emptySpread(none, argvs[0]!, prefix);
    if (typeof refusal === 'object') return refusal;
    empty = refusal;
  }
  const compiled = [];
  // The stand-ins each compile was made with (a compile refused for a value Redis refuses is skipped).
  const madeWith: StandIns[] = [];
  for (const [n, built] of argvs.entries()) {
    if ('error' in built) {
      // The client's own argument transform refused the arguments (it would throw at run time too).
      if (n >= 2) continue;
      return { rule: `${prefix}/arguments`, message: `the client rejects these arguments: ${built.error}` };
    }
    try {
      const translation = translate(built.argv);
      // What the statement does not reproduce (XREAD's BLOCK, answered at once, without the wait): reported, never converted.
      if (translation.warnings.length > 0) return { rule: `${prefix}/blocking`, message: `not converted: ${translation.warnings[0]}` };
      compiled.push(translation);
      madeWith.push(standIns[n]!);
    } catch (error) {
      if (!(error instanceof Redis2SqlError)) throw error;
      // A command that may block (XREAD, XREADGROUP) whose options depend on values known only at run time: one of them may be BLOCK.
      // (When the first compile went through, its option words were literals and no value can be BLOCK.)
      if (runtime && n === 0 && specOf((built.argv[0] ?? '').toUpperCase())?.flags.includes('blocking') === true) {
        return { rule: `${prefix}/blocking`, message: `${built.argv[0]!.toUpperCase()}'s options depend on values known only at run time, and with BLOCK it would wait, which the statement does not; not converted` };
      }
      // A command (or subcommand) redis2sql does not translate, whatever its arguments: the matrix's reason.
      if (error instanceof UnsupportedError && !translationStatus(error.command).translated) {
        return { rule: `${prefix}/untranslated`, message: `${error.command} is not translated: ${error.reason}` };
      }
      // A negative or zero TTL is refused while parsing and again, at run time, by the expiry helper the SQL calls
      // (checked: SET … EX, SETEX, GETEX). Any other value-dependent error (LPOP's or SPOP's negative
      // count, LPOS' RANK 0) would be skipped by SQL compiled from a positive stand-in: refused.
      if (n >= 2 && /invalid expire time/.test(error.message) && /expire_at\(/.test(compiled[0]?.sql ?? '')) continue;
      if (spread) return { rule: `${prefix}/array-arg`, message: `an array argument known only at run time is not converted here: with some of its lengths Redis refuses the call (${error.message})` };
      if (n >= 2) return { rule: `${prefix}/runtime-arguments`, message: `a value known only at run time may make Redis refuse the call (${error.message}), which the SQL would not` };
      return runtime
        ? { rule: `${prefix}/runtime-arguments`, message: `arguments known only at run time decide the command's shape: ${error.message}` }
        : { rule: `${prefix}/command-error`, message: `redis2sql cannot compile this call: ${error.message}` };
    }
  }
  const first = compiled[0]!;
  if (compiled.some((c) => c.sql !== first.sql)) {
    return { rule: `${prefix}/runtime-arguments`, message: 'the SQL depends on the value of an argument known only at run time' };
  }
  // Each parameter holds the same value (or the same literal) under every stand-in: one the translator made from a value
  // (SCAN's negative cursor is past every slot) would be passed as it is by the converted call.
  if (!spread && compiled.some((c, k) => k > 0 && !sameParams(first.params, c.params, madeWith[0]!, madeWith[k]!, exprs))) {
    return { rule: `${prefix}/runtime-arguments`, message: "a value known only at run time decides what the statement's parameters hold, not only which value they pass" };
  }
  const uses = new Map<number, number>();
  const params: string[] = [];
  for (const [n, p] of first.params.entries()) {
    // A run-time value the SQL reads as an integer is checked as Redis checks it
    // (string2ll), so that 1.5 fails with Redis' error rather than PostgreSQL's.
    const integer = first.sql.includes(`$${n + 1}::bigint`);
    const emitted = emitParam(p, exprs, uses, integer ? (i) => integerMessage(fractions.get(i)) : undefined, empty);
    if (emitted === undefined) {
      return spread
        ? { rule: `${prefix}/array-arg`, message: "an array argument known only at run time is converted when its elements are one list of the command's values; here they are not (pairs, numbers, or other arguments depend on them)" }
        : { rule: `${prefix}/runtime-arguments`, message: 'an argument known only at run time is transformed at compile time; only literals are converted here' };
    }
    params.push(emitted);
  }
  // Each argument expression must count: one the statement does not read (an object where the client's transform reads named options) would be dropped.
  const unread = exprs.findIndex((e, i) => !uses.has(i) && e.unread !== true);
  if (unread >= 0) {
    const { expr, spread } = exprs[unread]!;
    return spread === 'pairs'
      ? { rule: `${prefix}/object-arg`, message: `'${expr}' is an object known only at run time whose fields the command does not send as its arguments (options, read by name); not converted` }
      : { rule: `${prefix}/runtime-arguments`, message: `'${expr}' is known only at run time and the compiled statement would not read it; not converted` };
  }
  // Each argument expression must run once, as it did in the client's call, and those with side effects in the call's order
  // (the parameters follow the statement's order: HGET reads its field before its key).
  for (const [i, n] of uses) {
    if (n > 1 && !exprs[i]!.plain) return { rule: `${prefix}/repeated-argument`, message: 'an argument with side effects would be evaluated twice' };
  }
  const effects = [...uses.keys()].filter((i) => !exprs[i]!.plain);
  if (effects.some((i, k) => k > 0 && i < effects[k - 1]!)) {
    return { rule: `${prefix}/argument-order`, message: 'arguments with side effects would be evaluated in another order than the call evaluates them' };
  }
  return { sql: first.sql, params: `[${params.join(', ')}]`, shape: first.reply, command: first.command };
}

/**
 * Whether a compile of an argv with an empty spread array gives the same
 * statement: undefined when it does, Redis' error when it refuses the
 * command (the converted call answers it at run time, for an empty array),
 * a refusal when the statement would differ.
 */
function emptySpread(
  none: { readonly argv: readonly string[] } | { readonly error: string },
  some: { readonly argv: readonly string[] } | { readonly error: string },
  prefix: string,
): string | CallRefusal | undefined {
  const differs = { rule: `${prefix}/array-arg`, message: 'an array argument known only at run time makes another statement when it is empty' };
  // The client's transform refusing the arguments with elements is reported by the compiles with elements.
  if ('error' in some) return undefined;
  if ('error' in none) return differs;
  let sql: string;
  try {
    sql = translate(none.argv).sql;
  } catch (error) {
    if (error instanceof RedisError) return error.message;
    if (error instanceof Redis2SqlError) return differs;
    throw error;
  }
  try {
    return translate(some.argv).sql === sql ? undefined : differs;
  } catch {
    // The compile with elements reports its own error.
    return undefined;
  }
}

/**
 * Whether two compiles' parameters, made with stand-ins `a` and `b`, pass
 * the same run-time values in the same places and the same literals
 * elsewhere: where one holds a value's stand-in, the other holds that value's
 * own; anything else is equal.
 */
function sameParams(x: readonly SqlParam[], y: readonly SqlParam[], a: StandIns, b: StandIns, exprs: readonly RuntimeExpr[]): boolean {
  const textOf = (p: SqlParam): string | undefined => (typeof p === 'string' ? p : typeof p === 'number' ? String(p) : Buffer.isBuffer(p) ? p.toString('utf8') : undefined);
  const same = (p: SqlParam, q: SqlParam): boolean => {
    if (Array.isArray(p) || Array.isArray(q)) return Array.isArray(p) && Array.isArray(q) && p.length === q.length && p.every((e, j) => same(e, q[j]!));
    const t = textOf(p);
    const i = t === undefined ? -1 : exprs.findIndex((e, i) => t === (e.numeric ? String(a.number(i)) : a.text(i)));
    // A value the converted code made (a scan step's cursor, one Redis gave) has no values out of range to check.
    if (i >= 0) return exprs[i]!.unread === true || textOf(q) === (exprs[i]!.numeric ? String(numberFor(b, i, exprs)) : b.text(i));
    return typeof p === typeof q && (Buffer.isBuffer(p) && Buffer.isBuffer(q) ? p.equals(q) : p === q);
  };
  return x.length === y.length && x.every((p, j) => same(p, y[j]!));
}

/**
 * A compiled parameter as JS source: a run-time value's expression where it
 * holds that value's stand-in, checked as the statement reads it (`integer`:
 * a `$n::bigint`, given Redis' message for a non-integer there when it is
 * not the usual one), the literal otherwise.
 */
function emitParam(
  p: SqlParam,
  exprs: readonly RuntimeExpr[],
  uses: Map<number, number>,
  integer?: (i: number) => string | undefined,
  empty?: string,
): string | undefined {
  const [mark] = STAND_INS;
  let at = -1;
  const exprAt = (text: string): string | undefined => {
    for (const [i, a] of exprs.entries()) {
      if (text === (a.numeric ? String(mark.number(i)) : mark.text(i))) {
        uses.set(i, (uses.get(i) ?? 0) + 1);
        at = i;
        return a.expr;
      }
    }
    return undefined;
  };
  const marked = (text: string): boolean =>
    text.includes('__r2s_arg_') || exprs.some((a, i) => a.numeric && text.includes(String(mark.number(i))));
  if (p === null) return 'null';
  if (typeof p === 'boolean') return String(p);
  if (typeof p === 'number') {
    const e = exprAt(String(p));
    if (e !== undefined) return `r2s.double(${e})`;
    return marked(String(p)) ? undefined : String(p);
  }
  if (typeof p === 'string') {
    const e = exprAt(p);
    if (e !== undefined) {
      if (integer === undefined) return `r2s.text(${e})`;
      const message = integer(at);
      return message === undefined ? `r2s.integer(${e})` : `r2s.integer(${e}, ${JSON.stringify(message)})`;
    }
    return marked(p) ? undefined : JSON.stringify(p);
  }
  if (Buffer.isBuffer(p)) {
    const s = p.toString('utf8');
    const e = exprAt(s);
    if (e !== undefined) return `r2s.bytes(${e})`;
    if (marked(s)) return undefined;
    // Bytes that are not UTF-8 text keep their exact value.
    return Buffer.from(s, 'utf8').equals(p) ? `Buffer.from(${JSON.stringify(s)})` : `Buffer.from(${JSON.stringify(p.toString('hex'))}, 'hex')`;
  }
  // A spread expression's elements, all of them in order, as one array parameter of texts or of bytes (not numbers: their checks are per element);
  // an object's fields, or its values, the same way.
  for (const [i, a] of exprs.entries()) {
    if (!isSpread(a) || integer) continue;
    const list = p as readonly SqlParam[];
    const kind = list.every((x) => typeof x === 'string') ? 'text' : list.every((x) => Buffer.isBuffer(x)) ? 'bytes' : undefined;
    const all = spreadStandIn(mark, i, mark.elements, a.spread === 'pairs');
    const wanted: [string, readonly string[]][] = a.spread === 'pairs' ? [['fields', all.filter((_, j) => j % 2 === 0)], ['values', all.filter((_, j) => j % 2 === 1)]] : [['items', all]];
    const found = wanted.find(([, want]) => list.length === want.length && list.every((x, j) => String(x) === want[j]));
    if (kind === undefined || found === undefined) continue;
    uses.set(i, (uses.get(i) ?? 0) + 1);
    return `r2s.${found[0]}(${a.expr}, '${kind}'${empty === undefined ? '' : `, ${JSON.stringify(empty)}`})`;
  }
  // A spread expression's elements among other values of one list parameter (`del(key, ...others)`): spread into it, in place. Not when
  // an empty array makes Redis refuse the call (`empty`): the other values would still be sent.
  for (const [i, a] of exprs.entries()) {
    if (a.spread !== true || integer || empty !== undefined) continue;
    const list = p as readonly SqlParam[];
    const want = spreadStandIn(mark, i, mark.elements);
    const at = list.findIndex((x) => String(x) === want[0]);
    if (at < 0 || want.some((w, j) => list[at + j] === undefined || String(list[at + j]) !== w)) continue;
    const kind = list.every((x) => typeof x === 'string') ? 'text' : list.every((x) => Buffer.isBuffer(x)) ? 'bytes' : undefined;
    if (kind === undefined) continue;
    const rest = [...list.slice(0, at), ...list.slice(at + want.length)].map((x) => emitParam(x, exprs, uses));
    if (rest.some((x) => x === undefined)) return undefined;
    uses.set(i, (uses.get(i) ?? 0) + 1);
    return `[${[...rest.slice(0, at), `...r2s.items(${a.expr}, '${kind}')`, ...rest.slice(at)].join(', ')}]`;
  }
  const items: string[] = [];
  for (const item of p as readonly SqlParam[]) {
    const e = emitParam(item, exprs, uses);
    if (e === undefined) return undefined;
    items.push(e);
  }
  return `[${items.join(', ')}]`;
}

/** A reply shape as compact JS source (`{ kind: 'scalar', of: 'bulk' }`). */
export function shapeText(shape: ReplyShape): string {
  return JSON.stringify(shape).replace(/"([a-zA-Z_]\w*)":/g, '$1: ').replace(/"/g, "'").replace(/,/g, ', ');
}

/**
 * An ioredis call's parameters as the converted code writes them: the call's
 * arguments evaluated once, in order, into `r2s.command` — which keeps the
 * command as ioredis sent it for a Redis error's `err.command` — and the
 * statement's parameters read from them (`a[i]`).
 *
 *   commandParams('zadd', ['"lb"', 'score', '"alice"'], '["lb", [r2s.double(a[1])], …]', true)
 *   → 'r2s.command("zadd", ["lb", score, "alice"], (a) => ["lb", [r2s.double(a[1])], …])'
 */
export function commandParams(method: string, argv: readonly string[], params: string, readsArgs: boolean, asWritten = false, untypedCallback?: string): string {
  // A method's name is its command's in lower case; `call(name, …)` records the name as written.
  const name = JSON.stringify(asWritten ? method : method.toLowerCase());
  // An untyped last argument the statement was compiled without: r2s.command takes it as ioredis does (a callback when a function).
  if (untypedCallback !== undefined) return `r2s.command(${name}, [${[...argv, untypedCallback].join(', ')}], (${readsArgs ? 'a' : ''}) => ${params}, 'callback')`;
  return `r2s.command(${name}, [${argv.join(', ')}], (${readsArgs ? 'a' : ''}) => ${params})`;
}

/**
 * More stand-ins for a template: numbers only `String(x)` prints as they are
 * (a client transform that prints them otherwise, `+inf`, gives none), and 0
 * (a transform that leaves a falsy number's option out, `if (options?.COUNT)`,
 * gives none either: the template would send what the client does not).
 */
const TEMPLATE_STAND_INS: readonly StandIns[] = [
  ...STAND_INS,
  { text: STAND_INS[0].text, number: () => Infinity, elements: 2, falsy: 0 },
  { text: STAND_INS[0].text, number: () => -Infinity, elements: 2, falsy: 0 },
  { text: STAND_INS[0].text, number: () => 0, elements: 2, falsy: 0 },
];

/**
 * The call's argv as a JS array expression, when its command can be
 * translated when the call runs although its statement could not be compiled
 * ahead (a stream ID the translator splits into numbers, a name it spells
 * into an error text): every argument the same literal, or one run-time
 * value as it is (a string), or `String(x)` (a number), under every stand-in;
 * each value in it once and in the call's order when it has side effects.
 * Undefined otherwise (an argument the client's transform built from a value,
 * a spread array).
 *
 *   argvTemplate((v) => ['XREAD', 'STREAMS', 's', String(v(0))], [{ expr: 'last', numeric: false, plain: true }])
 *   → '["XREAD", "STREAMS", "s", last]'
 */
export function argvTemplate(build: BuildArgv, exprs: readonly RuntimeExpr[]): string | undefined {
  // A falsy case's number (the call's other statement reads it) is not sent; any other value is.
  if (exprs.length === 0 || exprs.some((e) => e.spread !== undefined || (e.unread === true && e.falsy !== true))) return undefined;
  const argvs: (readonly string[])[] = [];
  for (const standIn of TEMPLATE_STAND_INS) {
    try {
      argvs.push(build((i) => scalarStandIn(standIn, i, exprs)));
    } catch {
      return undefined;
    }
  }
  const [first] = argvs as [readonly string[]];
  if (argvs.some((a) => a.length !== first.length)) return undefined;
  const standInOf = (i: number, k: number): string => {
    const standIn = TEMPLATE_STAND_INS[k]!;
    return exprs[i]!.numeric ? String(numberFor(standIn, i, exprs)) : standIn.text(i);
  };
  const uses: number[] = [];
  const elements: string[] = [];
  for (const [j, arg] of first.entries()) {
    const i = exprs.findIndex((e, i) => e.falsy !== true && argvs.every((a, k) => a[j] === standInOf(i, k)));
    if (i >= 0) {
      uses.push(i);
      elements.push(exprs[i]!.numeric ? `String(${exprs[i]!.expr})` : exprs[i]!.expr);
      continue;
    }
    // A literal: the same in every argv, and no value's stand-in in it.
    if (argvs.some((a) => a[j] !== arg) || arg.includes('__r2s_') || exprs.some((e, i) => e.numeric && arg.includes(String(STAND_INS[0].number(i))))) return undefined;
    elements.push(JSON.stringify(arg));
  }
  if (exprs.some((e, i) => (e.falsy !== true && !uses.includes(i)) || (!e.plain && uses.filter((u) => u === i).length > 1))) return undefined;
  const effects = uses.filter((i) => !exprs[i]!.plain);
  if (effects.some((i, k) => k > 0 && i < effects[k - 1]!)) return undefined;
  return `[${elements.join(', ')}]`;
}
