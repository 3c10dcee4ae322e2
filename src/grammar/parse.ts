import { Buffer } from 'node:buffer';
import { RedisSyntaxError, StorageError, UnsupportedError, UsageError } from '../errors.js';
import type { AnyCommand, DeferredError } from './command.js';
import type { ArgSpec, CommandSpec, KeyLookup } from './spec.js';
import { COMMAND_SPECS, REFUSED_COMMANDS } from './table.js';
import { fromBinary, toWords, type CommandInput } from './tokenize.js';
import { asciiKey, toDouble, toInteger, toKey, toScanCursor, type KeyProblem } from './values.js';
import { compileFast, type FastHelpers, type FastParse } from './fast-parse.js';

export type { CommandInput } from './tokenize.js';

/*
 * The generic parser: one engine driven by the command table (spec.ts), with
 * the leniency of Redis' hand-written parsers.
 *
 * - Fixed arguments are positional. A run of consecutive token-introduced
 *   arguments (`NX`, `EX seconds`, `LIMIT offset count`, `AGGREGATE SUM|MAX`…)
 *   is accepted in any order and case; a repeat replaces the earlier value,
 *   except: two different branches of one oneof (or of the oneof heading a
 *   block, XADD's MAXLEN|MINID) are a conflict (`SET k v NX XX`) unless
 *   `lastWins`, `once` arguments may not repeat, `multipleToken` ones
 *   accumulate. A word that starts several arguments of a run goes to the
 *   first one not given yet. Required token-introduced arguments join the run
 *   too (XREADGROUP's GROUP may come after COUNT); a required choice of bare
 *   words (LMPOP's LEFT|RIGHT, LMOVE's two) keeps its place.
 * - A `multiple` argument takes as many words as it can while leaving enough
 *   for the arguments after it and stopping at an option word of the run that
 *   follows it; a fixed-size item cut short is the argument's `error` (by
 *   default Redis' arity error, `MSET k v k`); after an integer named
 *   `numkeys` it takes exactly that many (a count below the minimum is the
 *   count's `error`, one beyond the words left the counted argument's);
 *   adjacent multiples (XREAD's `key … id …`) share the rest evenly.
 * - A word left over after the arguments is a syntax error, or the command's
 *   `unknownOption` error naming it (EXPIRE's `ERR Unsupported option 20`).
 * - Words beyond a `final` argument are the arity error (LPOP k 1 2).
 * - An integer named `cursor` is a SCAN cursor, read with strtoul's leniency
 *   (`""`, `+3`, `007`, `-1` wrapping around) into an unsigned 64-bit value.
 * - Values convert left to right as they are met (what most Redis commands
 *   do), or after the whole line is read for `late` arguments (SET, GETEX).
 * - Past an `afterLookup` argument (the last one Redis reads before it looks
 *   the keys up), an error is not thrown but returned as the command's
 *   `deferred` error, with the arguments read so far: translate() then checks
 *   the keys' types first (translators/after-lookup.ts).
 * - An integer's `range` is checked as it converts (in argument order); a
 *   `countedBy` token takes exactly that many values (ZUNION's WEIGHTS).
 * - A string's `check` runs as it is met (stream IDs); on a repeated argument
 *   a word it refuses ends the repetition. An option word with fewer words
 *   after it than its value needs is an unknown option (`unknownOption`), or
 *   where arguments follow the run, the next argument's word (XADD's ID); an
 *   `inPlace` option is read only at its place, when a word is left for what
 *   follows; a required argument left out is its `absent` error, if it has
 *   one, once nothing else is missing. A `verify` rule checks the arguments
 *   read so far once Redis' loop would be done; a `refused` option is its
 *   error when met; more words than `maxWords` are a syntax error.
 * - Redis' checks run first (unknown command, arity, syntax, types); keys that
 *   PostgreSQL `text` cannot hold are refused last, so Redis' errors win.
 */

const SYNTAX = 'ERR syntax error';

export interface Node {
  readonly name: string;
  readonly kind: ArgSpec['kind'];
  /** Upper case. */
  readonly token: string | undefined;
  readonly optional: boolean;
  readonly multiple: boolean;
  readonly multipleToken: boolean;
  readonly error: string | undefined;
  readonly countError: string | undefined;
  readonly late: boolean;
  readonly once: boolean;
  /** The message for a repeat of a `once` argument. */
  readonly onceError: string | undefined;
  readonly lastWins: boolean;
  readonly afterLookup: KeyLookup | undefined;
  readonly range: ArgSpec['range'];
  readonly countedBy: string | undefined;
  readonly check: ArgSpec['check'];
  readonly absent: string | undefined;
  readonly inPlace: boolean;
  readonly verify: ArgSpec['verify'];
  readonly refused: string | undefined;
  /** Block children. */
  readonly seq: Seq | undefined;
  /** Oneof branches, and which one each option word selects. */
  readonly branches: readonly Node[];
  readonly branchByWord: ReadonlyMap<string, Node>;
  /** The branch taken when the word is no branch's token (XADD's `*|id`). */
  readonly fallback: Node | undefined;
  /** Upper-case words one occurrence can start with; undefined when it starts with a value. */
  readonly starts: ReadonlySet<string> | undefined;
  /** Fewest words of one occurrence, its token included. */
  readonly minOccurrence: number;
  /** Fewest words the argument needs (0 when optional). */
  readonly min: number;
  /** Exact words of one occurrence (of one repetition, for a multiple), or -1 when it varies. */
  readonly size: number;
  /** How a scalar's word becomes its value (undefined for tokens, oneofs and blocks). */
  readonly read: Reader | undefined;
  /** A number's conversion: its value, or Redis' message (a string) for a word that does not convert. */
  readonly convert: ((word: string) => bigint | number | string) | undefined;
}

/** A scalar argument's value from its word at argv[index]; Redis' error is thrown (or noted, for a `late` one). */
type Reader = (word: string, index: number, st: State) => Value;

/**
 * One item of a sequence (or several: multiples sharing the rest), compiled
 * to a closure at table load, so that parsing runs no decision that depends
 * only on the table; `reserve`: the words the caller leaves for what follows.
 */
type Step = (st: State, rec: Rec, reserve: number) => void;

export type Item =
  | {
      readonly kind: 'run';
      readonly nodes: readonly Node[];
      /** Option word → the run's arguments it can start, in table order (LMOVE's LEFT starts two). */
      readonly lookup: ReadonlyMap<string, readonly Node[]>;
      /** The same words by `wordHash`, to find a word without decoding it into a string. */
      readonly byHash: ReadonlyMap<number, readonly RunWord[]>;
      /** The same words, each at its `index`. */
      readonly words: readonly RunWord[];
      readonly longest: number;
      /** Whether arguments follow the run in its sequence (an option word short of its words is theirs). */
      readonly followed: boolean;
      /** Whether an option of the run has a `verify` rule, checked when the run ends. */
      readonly verifies: boolean;
    }
  | {
      readonly kind: 'positional';
      readonly node: Node;
      /** Name of the sibling integer that counts this multiple (`numkeys`). */
      readonly countedBy: string | undefined;
      /** That count's own error message, for a count below the minimum. */
      readonly countError: string | undefined;
      /** How many adjacent multiples share the rest evenly, at the first of them (0 otherwise). */
      readonly share: number;
    };

/** An option word of a run, with what it means worked out at table load. */
export interface RunWord {
  /** Upper case. */
  readonly word: string;
  /** Its position in the run's `words`. */
  readonly index: number;
  /** The run's arguments it can start, in table order (LMOVE's LEFT starts two). */
  readonly options: readonly RunOption[];
}

interface RunOption {
  readonly node: Node;
  /** Its position in the run's nodes. */
  readonly slot: number;
  /** The branch the word selects, for a oneof without a token of its own. */
  readonly branch: Node | undefined;
  /** Which alternative an occurrence is (the branch, or the branch of the oneof heading a block), '' for none. */
  readonly alternative: string;
}

export interface Seq {
  readonly items: readonly Item[];
  /** The items compiled, in order (a group of multiples sharing the rest is one step). */
  readonly steps: readonly Step[];
  /** Fewest words needed by the items after item k. */
  readonly after: readonly number[];
  readonly nodes: readonly Node[];
  /** Names of the multiple arguments, which start as empty lists (an argument not given is absent). */
  readonly lists: readonly string[];
}

export interface Plan {
  readonly spec: CommandSpec;
  /** `get`, `xgroup|create`: how Redis names the command in its arity error. */
  readonly fullname: string;
  /** argv index of the first argument (2 for a subcommand). */
  readonly first: number;
  readonly seq: Seq;
  /** Most words the command takes, when an argument is `final`. */
  readonly maxArgc: number | undefined;
  /** The error for a word left over after the arguments (`%s`: the word), when not a syntax error. */
  readonly unknownOption: string | undefined;
  /** Most words Redis takes before it reads any (the name counted), else a syntax error. */
  readonly maxWords: number | undefined;
  /** The command's fast path (fast-parse.ts), where its shape has one. */
  readonly fast: FastParse | undefined;
}

function compileNode(spec: ArgSpec, inheritedLate: boolean): Node {
  const late = inheritedLate || spec.late === true;
  const token = spec.token?.toUpperCase();
  let seq: Seq | undefined;
  let branches: Node[] = [];
  const branchByWord = new Map<string, Node>();
  let fallback: Node | undefined;
  let contentStarts: Set<string> | undefined;
  let contentMin = 1;
  let contentSize = 1;
  if (spec.kind === 'pure-token') {
    contentMin = 0;
    contentSize = 0;
  } else if (spec.kind === 'block') {
    seq = compileSeq(spec.args, late);
    contentMin = seq.after.length === 0 ? 0 : seq.nodes.reduce((sum, n) => sum + n.min, 0);
    contentSize = seq.nodes.every((n) => !n.optional && !n.multiple && n.size >= 0)
      ? seq.nodes.reduce((sum, n) => sum + n.size, 0)
      : -1;
    const head = seq.nodes[0];
    if (head !== undefined && !head.optional && head.starts !== undefined) contentStarts = new Set(head.starts);
  } else if (spec.kind === 'oneof') {
    branches = spec.args.map((a) => compileNode(a, late));
    contentStarts = new Set();
    for (const b of branches) {
      if (b.starts === undefined) {
        fallback ??= b;
        contentStarts = undefined;
      } else for (const w of b.starts) if (!branchByWord.has(w)) branchByWord.set(w, b);
    }
    if (contentStarts !== undefined) for (const w of branchByWord.keys()) contentStarts.add(w);
    contentMin = Math.min(...branches.map((b) => b.minOccurrence));
    const sizes = new Set(branches.map((b) => b.size));
    contentSize = sizes.size === 1 ? [...sizes][0]! : -1;
  }
  const starts = token !== undefined ? new Set([token]) : contentStarts;
  const minOccurrence = (token !== undefined ? 1 : 0) + contentMin;
  const multiple = spec.multiple === true;
  const multipleToken = spec.multipleToken === true;
  const size = contentSize < 0 ? -1 : (token !== undefined ? 1 : 0) + contentSize;
  const convert = spec.kind === 'integer' || spec.kind === 'unix-time' || spec.kind === 'double' ? conversionOf(spec) : undefined;
  const read = readerOf(spec, late, convert);
  return {
    name: spec.name,
    kind: spec.kind,
    token,
    optional: spec.optional === true,
    multiple,
    multipleToken,
    error: spec.error,
    countError: spec.countError,
    late,
    once: spec.once !== undefined && spec.once !== false,
    onceError: typeof spec.once === 'string' ? spec.once : undefined,
    lastWins: spec.lastWins === true,
    afterLookup: spec.afterLookup,
    range: spec.range,
    countedBy: spec.countedBy,
    check: spec.check,
    absent: spec.absent,
    inPlace: spec.inPlace === true,
    verify: spec.verify,
    refused: spec.refused,
    seq,
    branches,
    branchByWord,
    fallback,
    starts,
    minOccurrence,
    min: spec.optional === true ? 0 : minOccurrence + (multiple && token !== undefined && !multipleToken ? 1 : 0),
    size,
    read,
    convert,
  };
}

/** The reader of a scalar argument, its conversion and Redis' message chosen once. */
function readerOf(
  spec: ArgSpec,
  late: boolean,
  conversion: ((word: string) => bigint | number | string) | undefined,
): Reader | undefined {
  switch (spec.kind) {
    case 'key':
      return readKey;
    case 'integer':
    case 'unix-time':
    case 'double': {
      if (conversion === undefined) return undefined;
      if (!late) {
        return (word, index) => {
          const value = conversion(word);
          if (typeof value === 'string') throw new RedisSyntaxError(value, index);
          return value;
        };
      }
      // Converted now, but a refusal is raised only once the whole line has
      // been read (no placeholder to find and replace in the tree afterwards).
      return (word, index, st) => {
        const value = conversion(word);
        if (typeof value !== 'string') return value;
        (st.lateErrors ??= []).push({ message: value, index });
        return undefined;
      };
    }
    case 'string':
    case 'pattern': {
      const check = spec.check;
      // A repeated argument's check runs in `greedy`, where a refused word ends the repetition.
      if (check === undefined || spec.multiple === true) return fromBinary;
      return (word, _index, st) => {
        const value = fromBinary(word);
        const refused = check(value, st.read);
        // Without argIndex: the word is no number to try again (as the Lua
        // compiler does with run-time arguments) but an ID the translator reads.
        if (refused !== undefined) throw new RedisSyntaxError(refused);
        return value;
      };
    }
    default:
      return undefined;
  }
}

function readKey(word: string, index: number, st: State): string {
  const ascii = asciiKey(word);
  if (ascii !== undefined) return ascii;
  const key = toKey(word);
  if ('key' in key) return key.key;
  st.keyProblem ??= { index, problem: key.problem };
  return '';
}

/** A number argument's conversion: its value, or Redis' message (a string) for a word that does not convert. */
function conversionOf(spec: ArgSpec): (word: string) => bigint | number | string {
  if (spec.kind === 'double') {
    const message = spec.error ?? 'ERR value is not a valid float';
    return (word) => toDouble(word) ?? message;
  }
  const message = spec.error ?? 'ERR value is not an integer or out of range';
  // An integer named `cursor` is read as Redis reads SCAN cursors (strtoul), as `numkeys` counts.
  const integer = spec.name === 'cursor' ? toScanCursor : toInteger;
  const range = spec.range;
  if (range === undefined) return (word) => integer(word) ?? message;
  return (word) => {
    const n = integer(word);
    if (n === undefined) return message;
    if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max) || (range.notZero === true && n === 0n)) {
      return range.error;
    }
    return n;
  };
}

/**
 * Whether an argument can take part in an any-order option run. A required
 * choice of bare words (LMPOP's `LEFT|RIGHT`, LMOVE's `wherefrom whereto`)
 * stays in its place: Redis reads it positionally (`LMPOP 1 l COUNT 1 LEFT`
 * is a syntax error), unlike a required argument with its own token
 * (XREADGROUP's `GROUP g c`), which may come after the options.
 */
const joinsRun = (node: Node): boolean =>
  node.starts !== undefined && !node.inPlace && !(node.kind === 'oneof' && node.token === undefined && !node.optional);

function compileSeq(specs: readonly ArgSpec[], late: boolean): Seq {
  const nodes = specs.map((s) => compileNode(s, late));
  const items: Item[] = [];
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k]!;
    if (joinsRun(node)) {
      const run: Node[] = [node];
      while (k + 1 < nodes.length && joinsRun(nodes[k + 1]!)) run.push(nodes[++k]!);
      const lookup = new Map<string, Node[]>();
      for (const n of run) for (const w of n.starts!) lookup.set(w, [...(lookup.get(w) ?? []), n]);
      const byHash = new Map<number, RunWord[]>();
      const words: RunWord[] = [];
      for (const [w, starting] of lookup) {
        const h = wordHash(w, w.length);
        const word = runWord(w, words.length, starting, run);
        words.push(word);
        byHash.set(h, [...(byHash.get(h) ?? []), word]);
      }
      const longest = Math.max(...[...lookup.keys()].map((w) => w.length));
      items.push({
        kind: 'run',
        nodes: run,
        lookup,
        byHash,
        words,
        longest,
        followed: k + 1 < nodes.length,
        verifies: run.some((n) => n.verify !== undefined),
      });
      continue;
    }
    const previous = nodes[k - 1];
    const countedBy =
      node.multiple && previous?.kind === 'integer' && previous.name === 'numkeys' && !previous.multiple
        ? previous.name
        : undefined;
    let share = 0;
    if (node.multiple && countedBy === undefined && !nodes[k - 1]?.multiple) {
      let j = k;
      while (j < nodes.length && nodes[j]!.multiple && nodes[j]!.starts === undefined) j++;
      if (j - k >= 2) share = j - k;
    }
    items.push({ kind: 'positional', node, countedBy, countError: countedBy === undefined ? undefined : (previous?.countError ?? previous?.error), share });
  }
  const itemMin = (item: Item): number =>
    item.kind === 'run' ? item.nodes.reduce((sum, n) => sum + n.min, 0) : item.node.min;
  const after = items.map((_, k) => items.slice(k + 1).reduce((sum, it) => sum + itemMin(it), 0));
  return { items, steps: stepsOf(items, after), after, nodes, lists: nodes.filter((n) => n.multiple).map((n) => n.name) };
}

function runWord(word: string, index: number, starting: readonly Node[], run: readonly Node[]): RunWord {
  const options = starting.map((node): RunOption => {
    const branch = node.token === undefined && node.kind === 'oneof' ? node.branchByWord.get(word) : undefined;
    // Which alternative this occurrence is: the oneof's branch, or the branch
    // of the oneof that heads a block (XADD's MAXLEN|MINID trim block).
    const head = node.token === undefined && node.kind === 'block' ? node.seq?.nodes[0] : undefined;
    const alternative = branch?.name ?? (head?.kind === 'oneof' ? (head.branchByWord.get(word)?.name ?? '') : '');
    return { node, slot: run.indexOf(node), branch, alternative };
  });
  return { word, index, options };
}

/** The steps of a sequence: each item's reading, with every choice the table fixes made here. */
function stepsOf(items: readonly Item[], after: readonly number[]): Step[] {
  const steps: Step[] = [];
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const rest = after[k]!;
    if (item.kind === 'run') {
      steps.push((st, rec, reserve) => parseRun(item, st, rec, reserve + rest));
      continue;
    }
    let step: Step;
    if (item.share > 0) {
      step = shareStep(items.slice(k, k + item.share).map((it) => (it as Positional).node), after[k + item.share - 1]!);
      k += item.share - 1;
    } else step = positionalStep(item, rest, items[k + 1]);
    // Past an argument after which Redis looks the keys up, later errors are deferred (see `afterLookup`).
    const last = items[k]!;
    const rule = last.kind === 'positional' ? last.node.afterLookup : undefined;
    const verify = last.kind === 'positional' ? last.node.verify : undefined;
    if (verify !== undefined) {
      const read = step;
      step = (st, rec, reserve) => {
        read(st, rec, reserve);
        verified(verify, rec, st);
      };
    }
    if (rule === undefined) steps.push(step);
    else {
      steps.push((st, rec, reserve) => {
        step(st, rec, reserve);
        st.lookup ??= { rule, rec };
      });
    }
  }
  return steps;
}

type Positional = Extract<Item, { kind: 'positional' }>;

function positionalStep(item: Positional, rest: number, next: Item | undefined): Step {
  const node = item.node;
  const name = node.name;
  const stopRun = next?.kind === 'run' ? next : undefined;
  const countedBy = item.countedBy;
  if (countedBy !== undefined) {
    const countError = item.countError;
    return (st, rec, reserve) => {
      const after = reserve + rest;
      const available = st.argv.length - after - st.i;
      const count = rec[countedBy] as bigint;
      // Too few is the count's own error (LMPOP's `numkeys should be greater
      // than 0`), too many the counted argument's (EVAL's `Number of keys
      // can't be greater than number of args`).
      if (count < 0n || (count === 0n && !node.optional)) {
        throw new RedisSyntaxError(countError ?? node.error ?? SYNTAX, st.i - 1);
      }
      if (count > BigInt(Math.max(available, 0))) throw new RedisSyntaxError(node.error ?? SYNTAX, st.i - 1);
      rec[name] = repeat(node, st, Number(count), after);
    };
  }
  const read = node.read;
  if (node.multiple) {
    if (read !== undefined && node.token === undefined && node.check === undefined) {
      return (st, rec, reserve) => void (rec[name] = greedyScalars(node, read, st, reserve + rest, stopRun));
    }
    return (st, rec, reserve) => void (rec[name] = greedy(node, st, reserve + rest, stopRun));
  }
  if (node.optional) {
    return (st, rec, reserve) => {
      const after = reserve + rest;
      // An `inPlace` option needs one word after it, not the words of everything after it.
      const available = node.inPlace ? st.argv.length - st.i - 1 : st.argv.length - after - st.i;
      const word = st.argv[st.i];
      // An `inPlace` option is there only when its word is.
      const here = node.starts === undefined || (word !== undefined && node.starts.has(asciiUpper(word)));
      if (available >= node.minOccurrence && available > 0 && here && !startsOf(stopRun, word!)) {
        rec[name] = occurrence(node, st, after, false);
      }
    };
  }
  // Taken when its words are there, whatever the arguments after it need:
  // Redis reads XADD's ID before it counts the fields and values after it.
  if (read !== undefined && node.token === undefined) {
    return (st, rec) => {
      const index = st.i;
      const word = st.argv[index];
      if (word === undefined) {
        if (node.verify !== undefined) verified(node.verify, rec, st);
        throw new RedisSyntaxError(node.absent ?? SYNTAX, Math.min(index, st.argv.length - 1));
      }
      st.i = index + 1;
      rec[name] = read(word, index, st);
    };
  }
  return (st, rec, reserve) => {
    const end = st.argv.length;
    if (end - st.i < node.minOccurrence) {
      if (node.verify !== undefined) verified(node.verify, rec, st);
      throw new RedisSyntaxError(node.absent ?? SYNTAX, Math.min(st.i, end - 1));
    }
    rec[name] = occurrence(node, st, reserve + rest, false);
  };
}

/** Adjacent multiples (XREAD's `key … id …`) sharing the words before `rest` evenly. */
function shareStep(group: readonly Node[], rest: number): Step {
  const first = group[0]!;
  return (st, rec, reserve) => {
    const groupAfter = reserve + rest;
    const end = st.argv.length;
    const total = Math.max(end - groupAfter - st.i, 0);
    if (total % group.length !== 0 || (total === 0 && group.some((g) => !g.optional))) {
      throw new RedisSyntaxError(first.error ?? SYNTAX, Math.min(st.i, end - 1));
    }
    for (const g of group) rec[g.name] = repeat(g, st, total / group.length, groupAfter);
  };
}

/** With a `final` argument, the words up to it (each argument's longest occurrence) are all there can be. */
function maxArgcOf(spec: CommandSpec, first: number): number | undefined {
  const at = spec.args.findIndex((a) => a.final === true);
  if (at < 0) return undefined;
  let words = first;
  for (const a of spec.args.slice(0, at + 1)) {
    const node = compileNode(a, false);
    if (node.multiple || node.size < 0) throw new Error(`${spec.name}: a final argument needs fixed-size arguments up to it`);
    words += node.size;
  }
  return words;
}

function compilePlan(spec: CommandSpec, fast: boolean): Plan {
  const space = spec.name.indexOf(' ');
  const plan: Plan = {
    spec,
    fullname: spec.name.toLowerCase().replace(' ', '|'),
    first: space < 0 ? 1 : 2,
    seq: compileSeq(spec.args, false),
    maxArgc: maxArgcOf(spec, space < 0 ? 1 : 2),
    unknownOption: spec.args.find((a) => a.unknownOption !== undefined)?.unknownOption,
    maxWords: spec.args.find((a) => a.maxWords !== undefined)?.maxWords,
    fast: undefined,
  };
  return fast ? { ...plan, fast: compileFast(plan, FAST_HELPERS) } : plan;
}

/** What the generated fast paths call (fast-parse.ts). */
const FAST_HELPERS: FastHelpers = {
  matchWord: (run, word) => matchWord(run, word),
  isToken: (word, token) => isToken(word, token),
  asciiKey,
  fromBinary,
};

interface Grammar {
  readonly plain: ReadonlyMap<string, Plan>;
  /** Container name → subcommand name → plan. */
  readonly containers: ReadonlyMap<string, ReadonlyMap<string, Plan>>;
  /** Own entries only, so that a command named `constructor` is unknown, not refused. */
  readonly refused: ReadonlyMap<string, string>;
  /**
   * The plain commands (neither refused nor containers) by their name in
   * upper and in lower case, as they are mostly typed: found without an
   * upper-case copy of the word and two more lookups.
   */
  readonly direct: ReadonlyMap<string, Plan>;
}

function compileGrammar(specs: readonly CommandSpec[], refused: Readonly<Record<string, string>>, fast: boolean): Grammar {
  const plain = new Map<string, Plan>();
  const containers = new Map<string, Map<string, Plan>>();
  for (const spec of specs) {
    const space = spec.name.indexOf(' ');
    if (space < 0) plain.set(spec.name, compilePlan(spec, fast));
    else {
      const container = spec.name.slice(0, space);
      let subs = containers.get(container);
      if (subs === undefined) containers.set(container, (subs = new Map()));
      subs.set(spec.name.slice(space + 1), compilePlan(spec, fast));
    }
  }
  const refusals = new Map(Object.entries(refused));
  const direct = new Map<string, Plan>();
  for (const [name, plan] of plain) {
    if (refusals.has(name) || containers.has(name)) continue;
    direct.set(name, plan);
    direct.set(name.toLowerCase(), plan);
  }
  return { plain, containers, refused: refusals, direct };
}

/** A parsed command of some table: its spec's name, its args by name, its argv. */
export interface ParsedCommand {
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly argv: readonly Buffer[];
  readonly deferred?: DeferredError;
}

/**
 * A parser for any command table (the engine behind `parseCommand`, which
 * uses the real one); tests drive the engine's rules with tables of their own.
 * `fast: false` leaves out the generated fast paths (fast-parse.ts), so that
 * a test can compare them with the engine alone.
 *
 *   const parse = parserFor([command('PICK', 'generic', -2, [], NO_KEYS, [optional(token('up', 'UP'))])]);
 *   parse('pick up') → { name: 'PICK', args: { up: true }, argv: [<pick>, <up>] }
 */
export function parserFor(
  specs: readonly CommandSpec[],
  refused: Readonly<Record<string, string>> = {},
  options: { readonly fast?: boolean } = {},
): (input: CommandInput) => ParsedCommand {
  const grammar = compileGrammar(specs, refused, options.fast ?? true);
  return (input) => parseWith(grammar, input);
}

// Built once from the immutable command table; never written afterwards.
const GRAMMAR = compileGrammar(COMMAND_SPECS, REFUSED_COMMANDS, true);

// ------------------------------------------------------------------ parsing

interface State {
  /** The arguments as binary strings (see `splitWords`). */
  readonly argv: readonly string[];
  readonly fullname: string;
  /** Where the words' errors come from: `unknownOption`, and the subcommand as typed (`%c`). */
  readonly plan: Plan;
  i: number;
  /**
   * The `late` values that did not convert, in argv order: the first one's
   * error waits for the end of the line, unless a later occurrence of its
   * option replaced it (Redis converts only the value it kept).
   */
  lateErrors: { readonly message: string; readonly index: number }[] | undefined;
  keyProblem: { readonly index: number; readonly problem: KeyProblem } | undefined;
  /** Set once past an `afterLookup` argument: errors from there on wait for the key lookup. */
  lookup: { readonly rule: KeyLookup; readonly rec: Rec } | undefined;
  /** The arguments read so far in the sequence being parsed, for a `check`. */
  read: Rec;
}

type Value = unknown;
type Rec = Record<string, Value>;

/**
 * Parse a Redis command into its typed form, checking it as redis-server 7.0
 * would (unknown command, arity, syntax, value types), in Redis' own words.
 *
 *   parseCommand('set k v EX 10') →
 *   { name: 'SET', args: { key: 'k', value: <76>, condition: undefined, get: undefined,
 *                         expiration: { kind: 'seconds', value: 10n } }, argv: [<set>, <k>, <v>, <EX>, <10>] }
 *   parseCommand('GET') → throws RedisSyntaxError("ERR wrong number of arguments for 'get' command")
 *
 * Throws `RedisSyntaxError` (with `argIndex`) where Redis replies with an
 * error, `UnsupportedError` for a command we refuse, `StorageError` for a key
 * PostgreSQL text cannot hold, `TokenizeError` for a line that does not split.
 */
export function parseCommand(input: CommandInput): AnyCommand {
  return parseWith(GRAMMAR, input) as unknown as AnyCommand;
}

/**
 * The fast path's answer alone (fast-parse.ts): the arguments of a
 * well-formed command whose shape has a fast path, else undefined (the
 * engine's case). For tests that compare it with the engine.
 *
 *   fastArgs('GET k') → { key: 'k' };   fastArgs('GET') → undefined
 */
export function fastArgs(input: CommandInput): Readonly<Record<string, unknown>> | undefined {
  const argv = toWords(input);
  if (argv.length === 0) return undefined;
  let plan: Plan;
  try {
    plan = lookup(GRAMMAR, argv);
    countWords(plan, argv);
  } catch {
    return undefined;
  }
  return plan.fast?.(argv);
}

/** Redis' checks of the number of words, made before any is read. */
function countWords(plan: Plan, argv: readonly string[]): void {
  const argc = argv.length;
  const arity = plan.spec.arity;
  if (arity > 0 ? argc !== arity : argc < -arity || argc > (plan.maxArgc ?? argc)) {
    throw new RedisSyntaxError(`ERR wrong number of arguments for '${plan.fullname}' command`, 0);
  }
  if (plan.maxWords !== undefined && argc > plan.maxWords) throw new RedisSyntaxError(SYNTAX, plan.maxWords);
}

function parseWith(grammar: Grammar, input: CommandInput): ParsedCommand {
  const argv = toWords(input);
  if (argv.length === 0) throw new UsageError('empty command: nothing to parse');
  const plan = lookup(grammar, argv);
  countWords(plan, argv);
  const argc = argv.length;
  // The common case, read by the command's own code; anything else (errors included) by the engine below.
  const fast = plan.fast?.(argv);
  if (fast !== undefined) return new Parsed(plan.spec.name, fast, argv, input, undefined);
  const st: State = { argv, fullname: plan.fullname, plan, i: plan.first, lateErrors: undefined, keyProblem: undefined, lookup: undefined, read: {} };
  let args: Rec;
  try {
    args = parseSeq(plan.seq, st, 0);
    if (st.i < argc) {
      throw new RedisSyntaxError(unknownWord(st, st.i), st.i);
    }
    const late = st.lateErrors?.[0];
    if (late !== undefined) throw new RedisSyntaxError(late.message, late.index);
  } catch (error) {
    // Past an `afterLookup` argument, Redis gives the error only after looking the keys up.
    if (st.lookup === undefined || !(error instanceof RedisSyntaxError)) throw error;
    checkKeys(st);
    // An argument count it does not go on with is its error, whatever the words would have been.
    const counted = st.lookup.rule.argc === undefined || st.lookup.rule.argc.includes(argc);
    const deferred = counted
      ? { message: error.message, argIndex: error.argIndex, lookup: st.lookup.rule }
      : { message: SYNTAX, argIndex: undefined, lookup: st.lookup.rule };
    return new Parsed(plan.spec.name, st.lookup.rec, argv, input, deferred);
  }
  checkKeys(st);
  return new Parsed(plan.spec.name, args, argv, input, undefined);
}

/** A word that is no option here: the command's `unknownOption` error naming it, or a syntax error. */
function unknownWord(st: State, at: number): string {
  const template = st.plan.unknownOption;
  if (template === undefined) return SYNTAX;
  const word = st.argv[at]!;
  return oneLine(subcommandIn(template, st).replace('%s', () => cString(word, word.length)));
}

/** A message with `%c` replaced by the subcommand as typed (Redis prints it with `%.128s`). */
function subcommandIn(message: string, st: State): string {
  return st.plan.first === 2 ? message.replace('%c', () => cString(st.argv[1]!, 128)) : message;
}

function checkKeys(st: State): void {
  if (st.keyProblem !== undefined) {
    const { index, problem } = st.keyProblem;
    throw new StorageError(`key argument ${index} ${problem}: PostgreSQL text cannot hold it`, index);
  }
}

/**
 * A parse result whose `argv` Buffers are made when first read: most
 * translators never read it, and one Buffer per word is most of what parsing
 * a short command would otherwise cost. A class, its getter on the
 * prototype: an object literal with a getter costs a runtime call per
 * command (about 1 µs measured on Node 20, five times the native split).
 */
class Parsed implements ParsedCommand {
  declare readonly deferred?: DeferredError;
  #words: readonly string[];
  #made: readonly Buffer[] | undefined;
  constructor(
    readonly name: string,
    readonly args: Readonly<Record<string, unknown>>,
    words: readonly string[],
    input: CommandInput,
    deferred: DeferredError | undefined,
  ) {
    this.#words = words;
    // The caller's own Buffers, when it gave an argv of Buffers.
    this.#made =
      typeof input !== 'string' && !Buffer.isBuffer(input) && input.every((a) => typeof a !== 'string')
        ? (input as readonly Buffer[])
        : undefined;
    if (deferred !== undefined) this.deferred = deferred;
  }

  get argv(): readonly Buffer[] {
    return (this.#made ??= this.#words.map(fromBinary));
  }
}

function lookup(grammar: Grammar, argv: readonly string[]): Plan {
  const direct = grammar.direct.get(argv[0]!);
  if (direct !== undefined) return direct;
  const name = asciiUpper(argv[0]!);
  const refusal = grammar.refused.get(name);
  if (refusal !== undefined) throw new UnsupportedError(name, refusal);
  const subs = grammar.containers.get(name);
  if (subs !== undefined && argv.length >= 2) {
    const sub = asciiUpper(argv[1]!);
    const subRefusal = grammar.refused.get(`${name} ${sub}`);
    if (subRefusal !== undefined) throw new UnsupportedError(`${name} ${sub}`, subRefusal);
    const plan = subs.get(sub);
    if (plan !== undefined) return plan;
    throw new RedisSyntaxError(
      oneLine(`ERR unknown subcommand '${cString(argv[1]!, 128)}'. Try ${name} HELP.`),
      1,
    );
  }
  const plan = grammar.plain.get(name);
  if (plan !== undefined) return plan;
  // A container without a subcommand is the container itself, whose arity (-2) it fails.
  if (subs !== undefined) throw new RedisSyntaxError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`, 0);
  throw new RedisSyntaxError(unknownCommand(argv), 0);
}

/**
 * Redis' `unknown command` text: the name (128 bytes at most), then quoted
 * arguments while fewer than 128 bytes of them were written, the whole
 * quoting capped at 128 bytes; C strings stop at a NUL byte; CR and LF become
 * spaces so that the reply stays one line.
 */
function unknownCommand(argv: readonly string[]): string {
  let args = '';
  let bytes = 0;
  for (let i = 1; i < argv.length && bytes < 128; i++) {
    const piece = cBytes(argv[i]!, 128 - bytes);
    bytes += piece.length + 3;
    args += `'${fromBinary(piece).toString('utf8')}' `;
  }
  return oneLine(`ERR unknown command '${cString(argv[0]!, 128)}', with args beginning with: ${args}`);
}

/** A word as C reads it: up to a NUL byte, at most `max` bytes. */
function cBytes(b: string, max: number): string {
  const nul = b.indexOf('\0');
  const end = Math.min(nul < 0 ? b.length : nul, max);
  return b.slice(0, end);
}

const cString = (b: string, max: number): string => fromBinary(cBytes(b, max)).toString('utf8');

function oneLine(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    out += c === '\r' || c === '\n' ? ' ' : c;
  }
  return out;
}

/**
 * ASCII upper case of a binary string, as Redis' case-insensitive command
 * lookup compares. The native `toUpperCase` is much cheaper than building
 * the string by hand, but only for ASCII: it maps ß to SS.
 */
function asciiUpper(s: string): string {
  let lower = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return asciiUpperSlow(s);
    if (c >= 0x61 && c <= 0x7a) lower = true;
  }
  return lower ? s.toUpperCase() : s;
}

function asciiUpperSlow(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
  }
  return out;
}

/** The upper-case word for an option lookup, or undefined when it cannot be an option. */
function optionWord(b: string, longest: number): string | undefined {
  return b.length > longest || b.length === 0 ? undefined : asciiUpper(b);
}

function isToken(b: string, token: string): boolean {
  if (b.length !== token.length) return false;
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== token.charCodeAt(i)) return false;
  }
  return true;
}

export type Run = Extract<Item, { kind: 'run' }>;

/**
 * A case-insensitive hash of an ASCII word (-1 when it cannot be an option:
 * empty, longer than `longest`, not ASCII). Looking option words up by it
 * spares an upper-case copy of every argument.
 */
function wordHash(b: string, longest: number): number {
  const n = b.length;
  if (n === 0 || n > longest) return -1;
  let h = n;
  for (let i = 0; i < n; i++) {
    const c = b.charCodeAt(i);
    if (c >= 0x80) return -1;
    h = (Math.imul(h, 31) + (c >= 0x61 && c <= 0x7a ? c - 0x20 : c)) | 0;
  }
  // 30 bits: a small integer, which a Map hashes without boxing it.
  return h & 0x3fffffff;
}

/** The option word of `run` that `b` spells (any case), or undefined. */
function matchWord(run: Run | undefined, b: string): RunWord | undefined {
  if (run === undefined) return undefined;
  const h = wordHash(b, run.longest);
  if (h < 0) return undefined;
  const words = run.byHash.get(h);
  if (words === undefined) return undefined;
  for (const w of words) if (isToken(b, w.word)) return w;
  return undefined;
}

const startsOf = (run: Run | undefined, b: string): boolean => matchWord(run, b) !== undefined;

/** Parses a sequence of arguments; `reserve` words must be left for what follows it. */
function parseSeq(seq: Seq, st: State, reserve: number): Rec {
  const rec: Rec = {};
  const outer = st.read;
  st.read = rec;
  const lists = seq.lists;
  for (let k = 0; k < lists.length; k++) rec[lists[k]!] = [];
  const steps = seq.steps;
  for (let k = 0; k < steps.length; k++) steps[k]!(st, rec, reserve);
  st.read = outer;
  return rec;
}

/** Exactly `count` occurrences. */
function repeat(node: Node, st: State, count: number, reserve: number): Value[] {
  const out: Value[] = [];
  for (let c = 0; c < count; c++) out.push(occurrence(node, st, reserve, false));
  return out;
}

/**
 * As many occurrences as fit before the reserve and before an option word of
 * the following run; a fixed-size item cut short is the argument's error
 * (Redis' arity error by default: `MSET k v k`).
 */
function greedy(
  node: Node,
  st: State,
  reserve: number,
  stops: Run | undefined,
  skipToken = false,
): Value[] {
  const out: Value[] = [];
  const end = st.argv.length - reserve;
  const size = skipToken && node.token !== undefined && node.size > 0 ? node.size - 1 : node.size;
  while (st.i < end && !startsOf(stops, st.argv[st.i]!)) {
    if (node.check !== undefined && node.check(fromBinary(st.argv[st.i]!), st.read) !== undefined) {
      return out; // Redis' loop reads them while they pass (XCLAIM's IDs), and no further
    }
    if (size > 0 && end - st.i < size) {
      const message = node.error ?? `ERR wrong number of arguments for '${st.fullname}' command`;
      throw new RedisSyntaxError(message, st.i);
    }
    out.push(occurrence(node, st, reserve, skipToken));
  }
  if (out.length === 0 && !node.optional && node.check === undefined) {
    throw new RedisSyntaxError(SYNTAX, Math.min(st.i, st.argv.length - 1));
  }
  return out;
}

/** `greedy` for a scalar argument without token or check: one word per value. */
function greedyScalars(node: Node, read: Reader, st: State, reserve: number, stops: Run | undefined): Value[] {
  const out: Value[] = [];
  const argv = st.argv;
  const end = argv.length - reserve;
  while (st.i < end) {
    const index = st.i;
    const word = argv[index]!;
    if (stops !== undefined && matchWord(stops, word) !== undefined) break;
    st.i = index + 1;
    out.push(read(word, index, st));
  }
  if (out.length === 0 && !node.optional) throw new RedisSyntaxError(SYNTAX, Math.min(st.i, argv.length - 1));
  return out;
}

/** Options in any order, until a word that is none of them. */
function parseRun(run: Run, st: State, rec: Rec, reserve: number): void {
  const argv = st.argv;
  // By position in run.nodes: the alternative each argument was given with (a Map per command cost more).
  let seen: (string | undefined)[] | undefined;
  // By slot, where a `late` option's occurrence began: a repeat drops the value it replaces, and that value's error.
  let lateFrom: number[] | undefined;
  while (st.i < argv.length) {
    const word = matchWord(run, argv[st.i]!);
    if (word === undefined) break;
    const options = word.options;
    // Several arguments start with this word: the first one not given yet takes it.
    const option =
      options.length === 1 ? options[0]! : (options.find((o) => seen?.[o.slot] === undefined) ?? options[0]!);
    const { node, branch, alternative, slot } = option;
    // Short of the words its value needs, the word is no option here but the next argument's (XADD's ID).
    if (run.followed && st.argv.length - st.i < wordsNeeded(node)) break;
    const at = st.i;
    const previous = seen?.[slot];
    if (previous !== undefined && !node.multipleToken) {
      // Redis' loop tests an option's words with its name (`moreargs`): a repeat short of them is a stray word.
      if (st.argv.length - at < wordsNeeded(node)) throw new RedisSyntaxError(unknownWord(st, at), at);
      if (node.once) throw new RedisSyntaxError(subcommandIn(node.onceError ?? node.error ?? SYNTAX, st), at);
      if (previous !== alternative && !node.lastWins) throw new RedisSyntaxError(node.error ?? SYNTAX, at);
      const from = lateFrom?.[slot];
      if (from !== undefined && st.lateErrors !== undefined) st.lateErrors = st.lateErrors.filter((e) => e.index < from || e.index >= at);
    }
    if (node.late) (lateFrom ??= [])[slot] = at;
    (seen ??= new Array<string | undefined>(run.nodes.length))[slot] = alternative;
    const value =
      node.countedBy === undefined ? runOccurrence(node, branch, st, reserve, run) : counted(node, st, rec[node.countedBy] as bigint, reserve);
    if (node.multipleToken) (rec[node.name] as Value[]).push(value);
    else rec[node.name] = value;
  }
  if (run.verifies) {
    // Redis' loop meets a stray word before it checks the options together.
    if (st.i < argv.length && !run.followed && st.plan.seq.items.at(-1) === run) {
      throw new RedisSyntaxError(unknownWord(st, st.i), st.i);
    }
    for (const node of run.nodes) if (node.verify !== undefined) verified(node.verify, rec, st);
  }
  let absent: string | undefined;
  for (let k = 0; k < run.nodes.length; k++) {
    const node = run.nodes[k]!;
    if (!node.optional && seen?.[k] === undefined) {
      if (node.absent === undefined) throw new RedisSyntaxError(SYNTAX, Math.min(st.i, argv.length - 1));
      absent ??= node.absent;
    }
  }
  if (absent !== undefined) throw new RedisSyntaxError(absent, Math.min(st.i, argv.length - 1));
}

/**
 * A token, then exactly `count` values (ZUNION's `WEIGHTS`, one per key):
 * with fewer words left, Redis does not take the token as this option.
 */
function counted(node: Node, st: State, count: bigint, reserve: number): Value[] {
  if (BigInt(st.argv.length - st.i - 1) < count) throw new RedisSyntaxError(SYNTAX, st.i);
  st.i++;
  const out: Value[] = [];
  for (let c = 0n; c < count; c++) out.push(occurrence(node, st, reserve, true));
  return out;
}

/**
 * Redis' loops test that an option's words are there (`moreargs`): all of
 * them for a fixed-size option, the word and one more for one that varies
 * (XREAD's `STREAMS k` is the unbalanced error, not a syntax error).
 */
const wordsNeeded = (node: Node): number => (node.size >= 0 ? node.size : Math.min(node.minOccurrence, 2));

/** A `verify` rule's error, thrown without argIndex: it is about several arguments, no one word. */
function verified(verify: NonNullable<Node['verify']>, rec: Rec, st: State): void {
  const error = verify(rec, st.argv.length);
  if (error !== undefined) throw new RedisSyntaxError(error);
}

function runOccurrence(
  node: Node,
  branch: Node | undefined,
  st: State,
  reserve: number,
  run: Run,
): Value {
  const at = st.i;
  if (st.argv.length - st.i < wordsNeeded(node)) throw new RedisSyntaxError(unknownWord(st, at), at);
  if (node.refused !== undefined) throw new RedisSyntaxError(node.refused, at);
  // The word was matched as the option's (or its branch's) token: it is not compared again.
  if (branch !== undefined) {
    if (branch.token === undefined) return { kind: branch.name, value: occurrence(branch, st, reserve, false) };
    st.i++;
    return { kind: branch.name, value: occurrence(branch, st, reserve, true) };
  }
  if (node.multiple && !node.multipleToken && node.token !== undefined) {
    st.i++; // the token, given once for all the values after it (`WEIGHTS 1 2 3`)
    return greedy(node, st, reserve, run, true);
  }
  // A block option takes its words whatever the arguments after the options
  // need, as Redis' loops do (XADD's `MAXLEN x` is the integer error before
  // the ID and the field count are looked at).
  if (node.token === undefined) return occurrence(node, st, node.kind === 'block' ? 0 : reserve, false);
  st.i++;
  return occurrence(node, st, node.kind === 'block' ? 0 : reserve, true);
}

/** One occurrence of an argument: its token (unless already taken), then its content. */
function occurrence(node: Node, st: State, reserve: number, skipToken: boolean): Value {
  const argv = st.argv;
  if (node.token !== undefined && !skipToken) {
    const word = argv[st.i];
    if (word === undefined || !isToken(word, node.token)) {
      throw new RedisSyntaxError(SYNTAX, Math.min(st.i, argv.length - 1));
    }
    st.i++;
  }
  switch (node.kind) {
    case 'pure-token':
      return true;
    case 'block':
      return parseSeq(node.seq!, st, reserve);
    case 'oneof': {
      const word = argv[st.i];
      if (word === undefined) throw new RedisSyntaxError(SYNTAX, argv.length - 1);
      const w = optionWord(word, 64);
      const branch = (w === undefined ? undefined : node.branchByWord.get(w)) ?? node.fallback;
      if (branch === undefined) throw new RedisSyntaxError(SYNTAX, st.i);
      return { kind: branch.name, value: occurrence(branch, st, reserve, false) };
    }
    default: {
      const index = st.i;
      const word = argv[index];
      if (word === undefined) throw new RedisSyntaxError(SYNTAX, argv.length - 1);
      st.i++;
      return node.read!(word, index, st);
    }
  }
}
