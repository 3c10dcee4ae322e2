import type { Buffer } from 'node:buffer';
import type { Item, Node, Plan, Run, RunWord, Seq } from './parse.js';

/*
 * The parser's fast path: for each command of the table, a function written
 * out at load from the command's compiled argument tree, which reads a
 * well-formed argv straight into the command's arguments. The generic engine
 * (parse.ts) stays the definition: the generated function answers only when
 * it is sure to give the engine's answer, and gives up (undefined) wherever
 * the engine would do anything but read the words in the usual way: any
 * error, a repeated option, a late value that does not convert, a key that
 * is not plain ASCII, and the argument shapes it does not write out (blocks
 * with options inside, shared multiples, multiple tokens…). The engine then
 * parses the line from the start, and its answer (or its error) is the one
 * given. So the fast path changes no reply: it only spares the common case
 * the engine's generality.
 *
 * Why code: the engine's steps are closures shared by every command, so each
 * of their property stores and calls sees every command's shapes and stays
 * megamorphic; a function of its own per command keeps each monomorphic.
 * The text holds only the table's names and tokens (as JSON literals) and
 * indices into `c`, the constants (nodes, runs, conversions, checks); never a
 * word of the command being parsed, which is only ever data of `argv`.
 */

/** The engine's helpers the generated code calls. */
export interface FastHelpers {
  readonly matchWord: (run: Run, word: string) => RunWord | undefined;
  readonly isToken: (word: string, token: string) => boolean;
  readonly asciiKey: (word: string) => string | undefined;
  readonly fromBinary: (word: string) => Buffer;
}

/** The arguments of a well-formed argv, or undefined: let the engine parse it. */
export type FastParse = (argv: readonly string[]) => Record<string, unknown> | undefined;

/** Thrown while writing out a shape the fast path leaves to the engine; never escapes `compileFast`. */
class NotWritten {
  constructor(readonly why: string) {}
}

class Writer {
  readonly consts: unknown[] = [];
  private vars = 0;

  ref(value: unknown): string {
    let k = this.consts.indexOf(value);
    if (k < 0) k = this.consts.push(value) - 1;
    return `c[${k}]`;
  }

  fresh(prefix: string): string {
    return `${prefix}${this.vars++}`;
  }
}

const lit = (s: string): string => JSON.stringify(s);

/**
 * The fast path of a plan, or undefined when its top-level shape is one the
 * fast path does not write out (the engine then parses every line of it).
 *
 *   compileFast(planOf('GET'), helpers)!(['GET', 'k']) → { key: 'k' }
 *   compileFast(planOf('GET'), helpers)!(['GET', 'caf\xc3\xa9']) → undefined (the engine reads non-ASCII keys)
 */
export function compileFast(plan: Plan, helpers: FastHelpers): FastParse | undefined {
  const w = new Writer();
  let body: string;
  try {
    body = seqBody(plan.seq, w);
  } catch (e) {
    if (e instanceof NotWritten) return undefined;
    throw e;
  }
  const source =
    `'use strict';\nreturn function fast(argv) {\n` +
    `const n = argv.length;\nlet i = ${plan.first};\nlet v;\n${body}` +
    `if (i < n) return;\nreturn rec;\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- code from the command table only (see above)
  const make = new Function('h', 'c', source) as (h: FastHelpers, c: readonly unknown[]) => FastParse;
  return make(helpers, w.consts);
}

/** Statements reading a top-level sequence into `rec`. */
function seqBody(seq: Seq, w: Writer): string {
  let out = 'const rec = {};\n';
  // Repeated arguments start as empty lists, in the engine's order (`parseSeq`).
  for (const name of seq.lists) out += `rec[${lit(name)}] = [];\n`;
  seq.items.forEach((item, k) => {
    out += item.kind === 'run' ? runCode(item, w, seq.items) : positionalCode(item, seq.after[k]!, seq.items[k + 1], w);
  });
  return out;
}

/** Statements reading the scalar at argv[i] into `target` (i advanced), or giving up. */
function scalar(node: Node, target: string, record: string, w: Writer): string {
  if (node.multiple && node.kind !== 'key' && node.check !== undefined) throw new NotWritten('a repeated checked string');
  let read: string;
  switch (node.kind) {
    case 'key':
      read = `${target} = h.asciiKey(argv[i]); if (${target} === undefined) return;\n`;
      break;
    case 'string':
    case 'pattern':
      read = `${target} = h.fromBinary(argv[i]);\n`;
      if (node.check !== undefined) read += `if (${w.ref(node.check)}(${target}, ${record}) !== undefined) return;\n`;
      break;
    case 'integer':
    case 'unix-time':
    case 'double':
      read = `${target} = ${w.ref(node.convert)}(argv[i]); if (typeof ${target} === 'string') return;\n`;
      break;
    default:
      throw new NotWritten(`a ${node.kind} read as a scalar`);
  }
  return `if (i >= n) return;\n${read}i++;\n`;
}

const isPlainScalar = (node: Node): boolean => node.read !== undefined && node.token === undefined;

/** A block of required scalars without tokens (ZADD's score member, LIMIT's offset count) as a new record in `target`. */
function blockContent(node: Node, target: string, w: Writer): string {
  const seq = node.seq!;
  if (seq.lists.length > 0) throw new NotWritten('a block with a repeated argument');
  let out = `${target} = {};\n`;
  for (const item of seq.items) {
    if (item.kind !== 'positional' || item.share > 0 || item.countedBy !== undefined) throw new NotWritten('a block with options');
    const child = item.node;
    if (!isPlainScalar(child) || child.optional || child.multiple || child.verify !== undefined) {
      throw new NotWritten('a block with a child that is not a plain scalar');
    }
    const v = w.fresh('b');
    out += `{ let ${v};\n${scalar(child, v, target, w)}${target}[${lit(child.name)}] = ${v}; }\n`;
  }
  return out;
}

/** What follows an argument's token (already taken): its value into `target`. */
function content(node: Node, target: string, w: Writer): string {
  switch (node.kind) {
    case 'pure-token':
      return `${target} = true;\n`;
    case 'block':
      return blockContent(node, target, w);
    case 'oneof':
      return oneofContent(node, target, w);
    default:
      return scalar(node, target, 'rec', w);
  }
}

/**
 * A oneof's branch chosen by the word at argv[i] (the engine's `branchByWord`,
 * else its `fallback`), as `{ kind, value }` in `target`.
 */
function oneofContent(node: Node, target: string, w: Writer): string {
  const value = w.fresh('o');
  const chosen = (branch: Node): string => `${target} = { kind: ${lit(branch.name)}, value: ${value} };\n`;
  let out = `if (i >= n) return;\n{ let ${value};\n`;
  for (const [word, branch] of node.branchByWord) {
    // The engine looks up only words of 1 to 64 bytes (`optionWord`): MIGRATE's empty token is its key.
    if (word.length === 0 || word.length > 64) continue;
    if (branch.token !== word) throw new NotWritten('a oneof branch chosen by a word other than its token');
    out += `if (h.isToken(argv[i], ${lit(word)})) {\ni++;\n${content(branch, value, w)}${chosen(branch)}} else `;
  }
  const fallback = node.fallback;
  if (fallback === undefined) out += '{\nreturn;\n}\n';
  else if (isPlainScalar(fallback)) out += `{\n${scalar(fallback, value, 'rec', w)}${chosen(fallback)}}\n`;
  else throw new NotWritten('a oneof falling back to what is not a plain scalar');
  return `${out}}\n`;
}

function positionalCode(item: Extract<Item, { kind: 'positional' }>, rest: number, next: Item | undefined, w: Writer): string {
  const node = item.node;
  const name = lit(node.name);
  const stop = next?.kind === 'run' ? next : undefined;
  const stopTest = (word: string): string => (stop === undefined ? 'false' : `h.matchWord(${w.ref(stop)}, ${word}) !== undefined`);
  if (item.share > 0) throw new NotWritten('multiples sharing the rest');
  let out: string;
  if (item.countedBy !== undefined) {
    if (!isPlainScalar(node)) throw new NotWritten('a counted argument that is not a plain scalar');
    // The engine's checks of the count, any failure of which is an error.
    const count = w.fresh('count');
    const list = w.fresh('list');
    out =
      `{ const ${count} = rec[${lit(item.countedBy)}];\n` +
      `if (${count} < 0n || ${node.optional ? 'false' : `${count} === 0n`} || ${count} > BigInt(Math.max(n - ${rest} - i, 0))) return;\n` +
      `const ${list} = [];\nfor (let k = Number(${count}); k > 0; k--) {\n${scalar(node, 'v', 'rec', w)}${list}.push(v);\n}\n` +
      `rec[${name}] = ${list}; }\n`;
  } else if (node.multiple) {
    const list = w.fresh('list');
    let each: string;
    let guard: string;
    if (isPlainScalar(node)) {
      if (node.check !== undefined) throw new NotWritten('a repeated checked string');
      each = scalar(node, 'v', 'rec', w);
      guard = '';
    } else if (node.kind === 'block' && node.token === undefined && node.size > 0) {
      each = blockContent(node, 'v', w);
      // A repetition cut short is an error (MSET k v k).
      guard = `if (end - i < ${node.size}) return;\n`;
    } else throw new NotWritten('a repeated argument that is neither a plain scalar nor a block of them');
    out =
      `{ const end = n - ${rest};\nconst ${list} = [];\n` +
      `while (i < end) {\nif (${stopTest('argv[i]')}) break;\n${guard}${each}${list}.push(v);\n}\n` +
      `${node.optional ? '' : `if (${list}.length === 0) return;\n`}rec[${name}] = ${list}; }\n`;
  } else if (node.optional) {
    if (!isPlainScalar(node) || node.inPlace) throw new NotWritten('an optional positional that is not a plain scalar');
    out = `if (n - ${rest} - i >= 1 && !(${stopTest('argv[i]')})) {\n${scalar(node, 'v', 'rec', w)}rec[${name}] = v;\n}\n`;
  } else if (isPlainScalar(node)) {
    out = `${scalar(node, 'v', 'rec', w)}rec[${name}] = v;\n`;
  } else if (node.token !== undefined) {
    out =
      `if (i >= n || !h.isToken(argv[i], ${lit(node.token)})) return;\ni++;\n` +
      `${content(node, 'v', w)}rec[${name}] = v;\n`;
  } else if (node.kind === 'oneof') {
    out = `${oneofContent(node, 'v', w)}rec[${name}] = v;\n`;
  } else throw new NotWritten(`a required ${node.kind} in place`);
  if (node.verify !== undefined) out += `if (${w.ref(node.verify)}(rec, n) !== undefined) return;\n`;
  return out;
}

/** wordsNeeded of parse.ts: all the words of a fixed-size option, else its word and one more. */
const wordsNeeded = (node: Node): number => (node.size >= 0 ? node.size : Math.min(node.minOccurrence, 2));

function runCode(run: Run, w: Writer, top: readonly Item[]): string {
  const seen = run.nodes.map(() => w.fresh('seen'));
  let out = `let ${seen.join(' = false, ')} = false;\n`;
  // `break options` ends the run; a plain `break` ends a word's case.
  out += `options: for (;;) {\nif (i >= n) break;\nconst word = h.matchWord(${w.ref(run)}, argv[i]);\nif (word === undefined) break;\nswitch (word.index) {\n`;
  for (const word of run.words) {
    out += `case ${word.index}: {\n`;
    try {
      out += runCase(run, word, seen, w);
    } catch (e) {
      if (!(e instanceof NotWritten)) throw e;
      out += 'return;\n'; // this word is left to the engine; the command's other words are not
    }
    out += '}\n';
  }
  out += 'default: return;\n}\n}\n';
  if (run.verifies) {
    // A stray word after the command's last run is an error before the run's checks.
    if (!run.followed && top.at(-1) === run) out += 'if (i < n) return;\n';
    for (const node of run.nodes) if (node.verify !== undefined) out += `if (${w.ref(node.verify)}(rec, n) !== undefined) return;\n`;
  }
  run.nodes.forEach((node, k) => {
    if (!node.optional) out += `if (!${seen[k]}) return;\n`;
  });
  return out;
}

/** One option word of a run: the engine's parseRun and runOccurrence for it, a repeat or any error giving up. */
function runCase(run: Run, word: RunWord, seen: readonly string[], w: Writer): string {
  if (word.options.length !== 1) throw new NotWritten('a word starting several options');
  const { node, branch, slot } = word.options[0]!;
  if (node.multipleToken || node.refused !== undefined) throw new NotWritten('a repeatable or refused option');
  const needed = wordsNeeded(node);
  let out = '';
  // Short of the words its value needs, the word is the next argument's (XADD's ID).
  if (run.followed) out += `if (n - i < ${needed}) break options;\n`;
  out += `if (${seen[slot]}) return;\nif (n - i < ${needed}) return;\n${seen[slot]} = true;\n`;
  const name = lit(node.name);
  if (node.countedBy !== undefined) {
    if (!isPlainScalar({ ...node, token: undefined }) || node.token === undefined) throw new NotWritten('a counted option that is not a token and scalars');
    const count = w.fresh('count');
    const list = w.fresh('list');
    return (
      out +
      `{ const ${count} = rec[${lit(node.countedBy)}];\nif (BigInt(n - i - 1) < ${count}) return;\ni++;\n` +
      `const ${list} = [];\nfor (let k = Number(${count}); k > 0; k--) {\n${scalar(node, 'v', 'rec', w)}${list}.push(v);\n}\n` +
      `rec[${name}] = ${list}; }\nbreak;\n`
    );
  }
  if (branch !== undefined) {
    if (branch.token === undefined) throw new NotWritten('a branch without a token');
    return out + `i++;\n${content(branch, 'v', w)}rec[${name}] = { kind: ${lit(branch.name)}, value: v };\nbreak;\n`;
  }
  if (node.multiple || node.token === undefined) throw new NotWritten('a repeated or token-less option');
  return out + `i++;\n${content(node, 'v', w)}rec[${name}] = v;\nbreak;\n`;
}
