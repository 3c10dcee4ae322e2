/**
 * The pre-migration assessment of a workload: which commands an application
 * sends and how often, on which shapes of keys, and which of them redis2sql
 * translates, which it refuses (and why), from a `redis-cli MONITOR` capture
 * or a plain list of redis-cli lines.
 *
 * Every command is classified by the same code `redis2sql translate` runs:
 * `translate()` for one command, `translateTransaction()` for a client's
 * MULTI/WATCH … EXEC block (commands of different clients interleave in a
 * capture, so blocks are kept per client). Commands a Lua script ran (`[0 lua]`
 * lines) are counted, and their keys folded, but not classified: the script's
 * EVAL is, since the script compiles as a whole.
 *
 * Key positions come from the command table (Redis' first/last/step): keys of
 * commands with movable keys beyond those (EVAL's KEYS, ZUNIONSTORE's sources)
 * are not folded, but a script's keys appear through its `lua` lines.
 */
import { RedisError, Redis2SqlError, StorageError, TokenizeError, UnsupportedError } from '../errors.js';
import { showInput } from '../emit/format.js';
import { specOf } from '../grammar/table.js';
import { translate, translationStatus } from '../translate.js';
import { translateTransaction } from '../translate-transaction.js';
import type { TranslateOptions } from '../translators/types.js';

/** One command of the workload. */
export interface WorkloadCommand {
  /** 1-based line in the input. */
  readonly line: number;
  readonly argv: readonly Buffer[];
  /** Who sent it (a capture's client address); commands without one are one client. */
  readonly client?: string;
  /** Run by a Lua script rather than sent by a client. */
  readonly fromScript?: boolean;
  /** Unix seconds (captures). */
  readonly time?: number;
  readonly db?: number;
}

/** A command, or a line that could not be read as one (and why). */
export type WorkloadItem = WorkloadCommand | { readonly line: number; readonly error: string };

/**
 * `translated`: one statement (or part of a translated transaction);
 * `pending`: not translated yet; `refused`: never translated (or a value
 * PostgreSQL cannot store); `error`: Redis itself answers it with an error
 * (unknown command, wrong arity), so the translation is that error too.
 */
export type Outcome = 'translated' | 'pending' | 'refused' | 'error';

export interface CommandStat {
  /** Upper case; a subcommand as `CONTAINER SUB` when the command table has it. */
  readonly command: string;
  readonly count: number;
  /** How many of `count` a Lua script ran (not classified: their EVAL is). */
  readonly fromScripts: number;
  readonly translated: number;
  readonly pending: number;
  readonly refused: number;
  readonly errors: number;
}

export interface KeyPattern {
  /** The key with its variable parts folded: `user:{id}:profile`, `session:{uuid}`. */
  readonly pattern: string;
  readonly count: number;
  /** The commands that used it, most frequent first. */
  readonly commands: readonly string[];
  /** One real key of the pattern. */
  readonly example: string;
}

export interface RefusalStat {
  readonly command: string;
  readonly outcome: Exclude<Outcome, 'translated'>;
  readonly reason: string;
  readonly count: number;
  /** The first line it occurs on. */
  readonly line: number;
}

export interface Analysis {
  /** Commands in the input (client and script ones). */
  readonly total: number;
  readonly fromScripts: number;
  /** Distinct clients (captures); 0 for a plain command list. */
  readonly clients: number;
  readonly databases: readonly number[];
  /** First and last timestamps (captures). */
  readonly span?: { readonly first: number; readonly last: number };
  /** Classified commands (those clients sent) by outcome. */
  readonly outcomes: Readonly<Record<Outcome, number>>;
  readonly commands: readonly CommandStat[];
  readonly keyPatterns: readonly KeyPattern[];
  readonly refusals: readonly RefusalStat[];
  /** Lines that are not commands (an unbalanced quote, a line that is not a MONITOR line). */
  readonly unreadable: readonly { readonly line: number; readonly error: string }[];
}

interface Classified {
  readonly outcome: Outcome;
  readonly reason?: string;
  /** The name the refusal is reported under (`OBJECT ENCODING`). */
  readonly command?: string;
}

/**
 * Analyse a workload.
 *
 *   analyze([{ line: 1, argv: [b('GET'), b('user:42')] }, { line: 2, argv: [b('INFO')] }, { line: 3, error: 'ERR Protocol error: …' }])
 *   → { total: 2, outcomes: { translated: 1, refused: 1, … },
 *       commands: [{ command: 'GET', count: 1, translated: 1, … }, { command: 'INFO', … refused: 1 }],
 *       keyPatterns: [{ pattern: 'user:{id}', count: 1, commands: ['GET'], example: 'user:42' }],
 *       refusals: [{ command: 'INFO', outcome: 'refused', reason: 'server statistics: …', count: 1, line: 2 }], … }
 */
export function analyze(items: Iterable<WorkloadItem>, options: TranslateOptions = {}): Analysis {
  const unreadable: { line: number; error: string }[] = [];
  const stats = new Map<string, { count: number; fromScripts: number } & Record<Outcome, number>>();
  const patterns = new Map<string, { count: number; commands: Map<string, number>; example: string }>();
  const refusals = new Map<string, { command: string; outcome: Exclude<Outcome, 'translated'>; reason: string; count: number; line: number }>();
  const outcomes: Record<Outcome, number> = { translated: 0, pending: 0, refused: 0, error: 0 };
  const clients = new Set<string>();
  const databases = new Set<number>();
  let total = 0;
  let fromScripts = 0;
  let first: number | undefined;
  let last: number | undefined;

  const statOf = (name: string): { count: number; fromScripts: number } & Record<Outcome, number> => {
    let s = stats.get(name);
    if (s === undefined) stats.set(name, (s = { count: 0, fromScripts: 0, translated: 0, pending: 0, refused: 0, error: 0 }));
    return s;
  };
  const record = (c: WorkloadCommand, result: Classified): void => {
    const name = commandName(c.argv);
    statOf(name)[result.outcome]++;
    outcomes[result.outcome]++;
    if (result.outcome === 'translated') return;
    const reason = result.reason ?? '';
    const command = result.command ?? name;
    const id = `${command}\0${result.outcome}\0${reason}`;
    const r = refusals.get(id);
    if (r === undefined) refusals.set(id, { command, outcome: result.outcome, reason, count: 1, line: c.line });
    else r.count++;
  };

  // Open MULTI/WATCH blocks per client, classified when EXEC or DISCARD ends them.
  const blocks = new Map<string, WorkloadCommand[]>();
  const closeBlock = (block: readonly WorkloadCommand[]): void => {
    for (const [c, result] of classifyBlock(block, options)) record(c, result);
  };

  for (const c of items) {
    if ('error' in c) {
      unreadable.push({ line: c.line, error: c.error });
      continue;
    }
    total++;
    const name = commandName(c.argv);
    const stat = statOf(name);
    stat.count++;
    if (c.client !== undefined && !c.fromScript) clients.add(c.client);
    if (c.db !== undefined) databases.add(c.db);
    if (c.time !== undefined) {
      first = Math.min(first ?? c.time, c.time);
      last = Math.max(last ?? c.time, c.time);
    }
    for (const key of keysOf(c.argv)) {
      const pattern = foldKey(key);
      let p = patterns.get(pattern);
      if (p === undefined) patterns.set(pattern, (p = { count: 0, commands: new Map(), example: shownKey(key) }));
      p.count++;
      p.commands.set(name, (p.commands.get(name) ?? 0) + 1);
    }
    if (c.fromScript === true) {
      fromScripts++;
      stat.fromScripts++;
      continue;
    }
    // A capture's other databases: the statement would run on database 0's tables.
    const elsewhere = c.db === undefined || c.db === 0 ? undefined : otherDatabase(c.db, options);
    if (elsewhere !== undefined) {
      record(c, elsewhere);
      continue;
    }
    const client = c.client ?? '';
    const word = c.argv[0]?.toString('latin1').toUpperCase();
    let block = blocks.get(client);
    if (block === undefined && (word === 'MULTI' || word === 'WATCH')) blocks.set(client, (block = []));
    if (block === undefined) {
      record(c, classify(c.argv, options));
      continue;
    }
    block.push(c);
    if (word === 'EXEC' || word === 'DISCARD') {
      blocks.delete(client);
      closeBlock(block);
    }
  }
  for (const block of blocks.values()) closeBlock(block);

  const byCount = <T extends { count: number }>(entries: Iterable<[string, T]>): [string, T][] =>
    [...entries].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    total,
    fromScripts,
    clients: clients.size,
    databases: [...databases].sort((a, b) => a - b),
    ...(first !== undefined && last !== undefined ? { span: { first, last } } : {}),
    outcomes,
    commands: byCount(stats).map(([command, s]) => ({
      command,
      count: s.count,
      fromScripts: s.fromScripts,
      translated: s.translated,
      pending: s.pending,
      refused: s.refused,
      errors: s.error,
    })),
    keyPatterns: byCount(patterns).map(([pattern, p]) => ({
      pattern,
      count: p.count,
      commands: byCount([...p.commands].map(([n, count]) => [n, { count }] as [string, { count: number }])).map(([n]) => n),
      example: p.example,
    })),
    refusals: [...refusals.values()].sort((a, b) => b.count - a.count || a.line - b.line),
    unreadable,
  };
}

/** One command on its own: what `redis2sql translate` answers for it. */
function classify(argv: readonly Buffer[], options: TranslateOptions): Classified {
  try {
    translate([...argv], options);
    return { outcome: 'translated' };
  } catch (error) {
    if (error instanceof UnsupportedError) {
      const status = translationStatus(error.command);
      const outcome = !status.translated && status.refusal.kind === 'pending' ? 'pending' : 'refused';
      return { outcome, reason: error.reason, command: error.command };
    }
    if (error instanceof StorageError) return { outcome: 'refused', reason: error.message };
    if (error instanceof RedisError || error instanceof TokenizeError) return { outcome: 'error', reason: error.message };
    throw error;
  }
}

/** A command sent to database `db`: refused as `SELECT db` is, unless SELECT translates. */
function otherDatabase(db: number, options: TranslateOptions): Classified | undefined {
  const select = classify([Buffer.from('SELECT'), Buffer.from(String(db))], options);
  if (select.outcome === 'translated') return undefined;
  return { outcome: select.outcome, reason: `database ${db}: ${select.reason ?? ''}` };
}

/**
 * A client's MULTI/WATCH … EXEC block, as `translate` prints it: a command
 * the transaction handles (MULTI, EXEC) is translated even though it is no
 * statement of its own; one the transaction rejects (WATCH inside MULTI)
 * is the error it gives.
 */
function classifyBlock(block: readonly WorkloadCommand[], options: TranslateOptions): [WorkloadCommand, Classified][] {
  let results;
  try {
    results = translateTransaction(
      block.map((c) => [...c.argv]),
      options,
    );
  } catch (error) {
    if (!(error instanceof Redis2SqlError)) throw error;
    return block.map((c) => [c, classify(c.argv, options)]);
  }
  return block.map((c) => {
    const shown = showInput([...c.argv]);
    const mine = results.filter((r) => r.input === shown);
    const failed = mine.find((r) => 'error' in r);
    const single = classify(c.argv, options);
    if (failed === undefined) return [c, mine.length > 0 || single.outcome === 'translated' ? { outcome: 'translated' } : single];
    if (single.outcome !== 'translated') return [c, single];
    return [c, { outcome: 'error', reason: 'error' in failed ? failed.error : '' }];
  });
}

/** `GET`, or `OBJECT ENCODING` when the command table knows the subcommand. */
function commandName(argv: readonly Buffer[]): string {
  const name = argv[0]?.toString('latin1').toUpperCase() ?? '';
  const sub = argv[1] === undefined ? undefined : `${name} ${argv[1].toString('latin1').toUpperCase()}`;
  return sub !== undefined && specOf(sub) !== undefined ? sub : name;
}

/** The keys of a command by the table's first/last/step (negative last counts from the end). */
function keysOf(argv: readonly Buffer[]): Buffer[] {
  const spec = specOf(commandName(argv));
  if (spec === undefined || spec.keys.first <= 0) return [];
  const { first, step } = spec.keys;
  const last = spec.keys.last < 0 ? argv.length + spec.keys.last : spec.keys.last;
  const out: Buffer[] = [];
  for (let i = first; i <= last && i < argv.length; i += Math.max(1, step)) out.push(argv[i]!);
  return out;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const DATE = /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g;
const HEX_PREFIXED = /(?<![A-Za-z0-9])0x[0-9a-f]+(?![A-Za-z0-9])/gi;
const NUMBER = /(?<![A-Za-z0-9])\d+(?![A-Za-z0-9])/g;
// A hash or an object id: eight hex digits or more with at least one digit (not a word like 'deadbeef' alone).
const HEX = /(?<![A-Za-z0-9])(?=[a-f]*\d)[0-9a-f]{8,}(?![A-Za-z0-9])/gi;

/**
 * A key with its variable parts folded into placeholders: UUIDs, dates
 * (`2026-11-26`, with a time), hexadecimal (`0x…`, or a run of 8+ hex digits
 * with a digit in it: hashes, object ids) and whole numbers, each only where
 * it stands alone between separators.
 *
 *   foldKey(Buffer.from('user:1001:name'))                                → 'user:{id}:name'
 *   foldKey(Buffer.from('session:3f2b8c1e-9a4d-4e2b-8f6a-1c2d3e4f5a6b'))  → 'session:{uuid}'
 *   foldKey(Buffer.from('stats:2026-11-26'))                              → 'stats:{date}'
 *   foldKey(Buffer.from('cache:a94a8fe5ccb19ba61c4c0873d391e987982fbbd3')) → 'cache:{hex}'
 */
export function foldKey(key: Buffer | string): string {
  return shownKey(key)
    .replace(UUID, '{uuid}')
    .replace(DATE, '{date}')
    .replace(HEX_PREFIXED, '{hex}')
    .replace(NUMBER, '{id}')
    .replace(HEX, '{hex}');
}

/** A key as text: UTF-8 when it is, otherwise bytes outside printable ASCII as `\xHH`. */
function shownKey(key: Buffer | string): string {
  if (typeof key === 'string') return key;
  const text = key.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(key)) return text;
  let out = '';
  for (const b of key) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}
