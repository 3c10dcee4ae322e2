/**
 * Prettier for the converted files, on a worker thread: formatting is about a
 * third of a large run's work, and on a worker it overlaps the type analysis
 * of the files that follow instead of adding to it. The worker runs the
 * project's prettier exactly as the main thread would (the file's resolved
 * config, its path choosing the parser), so the text is the same. A file with
 * no prettier config gets prettier's defaults but keeps its own quotes.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { changedStatements, type Original, type Unit } from './format-units.js';

/** Files sent to the worker in one message (it formats those with the same options in one document). */
const SEND = 16;

/**
 * The worker: CommonJS (an eval'd worker is a script), loading the prettier
 * this package depends on. Given the statements that changed (`units`), it
 * formats only those: each in one document, inside as many blocks as its
 * indentation has levels (an async generator's body, so that `await`,
 * `yield` and `return` parse), each followed by a marker statement to cut the
 * output at; any surprise formats the whole file instead. The files that
 * queued up while it was busy go into one document together when prettier's
 * options for them are the same (a call of prettier costs a good part of a
 * small document's formatting); if that document fails, each file is
 * formatted on its own, as it would have been alone.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { extname } = require('node:path');
const prettier = require(workerData.prettier);
// At most this many files in one document.
const BATCH = 64;
let ts;
// For a file without a prettier config: the quotes its string literals mostly used before the codemod
// (its text as converted when there is no such text), so that the statements the codemod wrote do not
// bring prettier's default double quotes into a single-quoted file. TypeScript is loaded only for this.
function quoteStyle(path, text) {
  ts ??= require(workerData.typescript);
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  let single = 0;
  let double = 0;
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.StringLiteral && node.parent.kind !== ts.SyntaxKind.JsxAttribute) {
      if (text.charCodeAt(node.getStart(file)) === 0x27) single++;
      else double++;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return single === double ? {} : { singleQuote: single > double };
}
// The units of a TypeScript file are parsed with babel-ts, not with the typescript parser prettier
// infers from a .ts path: over the bench project's converted statements the worker spends ~25% less
// CPU (typescript-estree builds TypeScript's own AST, then converts it to ESTree). The text is the
// same: prettier prints both parsers' ASTs with one printer, and its own test suite formats every
// TypeScript fixture with both and requires identical output, except module/namespace declarations
// and a few ambient ones, which babel-ts refuses. Checked here too: this repository's TypeScript
// (its sources, tests, fixtures, pg's; 308 files, ~20 000 statements formatted as units, and each
// whole file, under two configs) and the bench project's output gave the same text with both
// wherever both parsed. The project's own parser formats the document, as it always did, when:
// - the project's config names a parser or plugins (a plugin may wrap or replace prettier's parsers);
// - the document has '</': babel-ts tries JSX first, and \`a = <T>(x)</T>/g\` is valid TypeScript
//   (an assertion, a comparison, a regular expression) that it would read as an element;
// - babel-ts fails on it (a unit \`super(…)\`, wrapped outside its class; \`module M {}\`), or its
//   output cannot be cut back into units.
// A file formatted whole (no units) keeps the project's parser: its errors are the project's.
const BABEL_TS = new Set(['.ts', '.mts', '.cts']);
function cheaperParser(options, doc) {
  if (options.parser !== undefined || (options.plugins !== undefined && options.plugins.length > 0)) return undefined;
  return BABEL_TS.has(extname(options.filepath).toLowerCase()) && !doc.includes('</') ? 'babel-ts' : undefined;
}
// The same statement comes out of prettier the same wherever it stands: its text is printed from its
// own tokens at its block's indentation, under the file's options (the premise of formatting units at
// all). A project repeats its converted statements ('await redis.del(key)' in many functions): each
// one prettier printed is remembered by its options, indentation level and text, and a statement
// seen before (or twice in one document) is not formatted again. At most CACHED of them, the oldest
// forgotten first; statements of a document that failed are not remembered.
const CACHED = 10000;
const printed = new Map();
function optionsKey(options) {
  return JSON.stringify([extname(options.filepath), Object.entries(options).filter(([k]) => k !== 'filepath')]);
}
async function formatUnits(files, options) {
  const tab = Math.max(1, options.tabWidth ?? 2);
  const group = optionsKey(options);
  let doc = '';
  // Of the statements in the document: their indentation levels, and what they are remembered by.
  const levels = [];
  const keys = [];
  const inDoc = new Map();
  // Per file, per unit: its text as printed before, or the index of its statement in the document.
  const pieces = files.map(({ text, units }) =>
    units.map(({ start, end }) => {
      const indent = /^[ \\t]*/.exec(text.slice(text.lastIndexOf('\\n', start - 1) + 1, start))[0];
      const level = Math.floor([...indent].reduce((w, c) => w + (c === '\\t' ? tab : 1), 0) / tab);
      const body = text.slice(start, end);
      const key = group + '\\n' + level + '\\n' + body;
      const known = printed.get(key);
      if (known !== undefined) return known;
      if (inDoc.has(key)) return inDoc.get(key);
      const i = levels.length;
      doc += level === 0 ? body : 'async function* __r2s_' + i + '() {\\n' + '{\\n'.repeat(level - 1) + body + '\\n' + '}\\n'.repeat(level - 1) + '}';
      doc += '\\n__r2s_end_' + i + ';\\n';
      levels.push(level);
      keys.push(key);
      inDoc.set(key, i);
      return i;
    }),
  );
  // Each file's text with its units replaced by their formatted text.
  const assemble = (out) =>
    files.map(({ text, units }, f) => {
      let result = text;
      for (let i = units.length - 1; i >= 0; i--) {
        const piece = pieces[f][i];
        result = result.slice(0, units[i].start) + (typeof piece === 'string' ? piece : out[piece]) + result.slice(units[i].end);
      }
      return result;
    });
  if (levels.length === 0) return assemble([]);
  // The document's statements as formatted, or undefined when the output cannot be cut back into them.
  const cut = (formatted) => {
    const lines = formatted.split('\\n');
    const out = [];
    let from = 0;
    for (const [i, level] of levels.entries()) {
      const marker = '__r2s_end_' + i;
      // From the last marker on (a findIndex from the top made the cutting quadratic in the document's units).
      let at = from;
      while (at < lines.length && lines[at] !== marker + ';' && lines[at] !== marker) at++;
      if (at === lines.length) return undefined;
      let chunk = lines.slice(from, at);
      from = at + 1;
      while (chunk.length > 0 && chunk[0].trim() === '') chunk.shift();
      while (chunk.length > 0 && chunk[chunk.length - 1].trim() === '') chunk.pop();
      if (level > 0) {
        const head = chunk.slice(0, level).map((l) => l.trim());
        const tail = chunk.slice(chunk.length - level).map((l) => l.trim());
        if (chunk.length <= 2 * level || head[0] !== 'async function* __r2s_' + i + '() {' || head.slice(1).some((l) => l !== '{') || tail.some((l) => l !== '}')) return undefined;
        chunk = chunk.slice(level, chunk.length - level);
      }
      if (chunk.length === 0) return undefined;
      chunk[0] = chunk[0].trimStart();
      out.push(chunk.join('\\n'));
    }
    return out;
  };
  const parser = cheaperParser(options, doc);
  let out = parser === undefined ? undefined : await prettier.format(doc, { ...options, parser }).then(cut, () => undefined);
  out ??= cut(await prettier.format(doc, options));
  if (out === undefined) return undefined;
  for (const [i, key] of keys.entries()) {
    if (printed.size >= CACHED) printed.delete(printed.keys().next().value);
    printed.set(key, out[i]);
  }
  return assemble(out);
}
async function formatAlone({ id, text, units, options }) {
  try {
    const partly = units === undefined ? undefined : await formatUnits([{ text, units }], options).then((r) => r && r[0]).catch(() => undefined);
    parentPort.postMessage({ id, text: partly ?? (await prettier.format(text, options)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
}
async function formatQueued(jobs) {
  const groups = new Map();
  for (const job of jobs) {
    try {
      job.options = { ...((await prettier.resolveConfig(job.path)) ?? quoteStyle(job.path, job.before ?? job.text)), filepath: job.path };
    } catch (error) {
      parentPort.postMessage({ id: job.id, error: String(error) });
      continue;
    }
    // The same options, and the same parser (prettier infers it from the file's extension).
    const key = optionsKey(job.options);
    if (job.units === undefined) await formatAlone(job);
    else if (groups.has(key)) groups.get(key).push(job);
    else groups.set(key, [job]);
  }
  for (const group of groups.values()) {
    const together = group.length > 1 ? await formatUnits(group, group[0].options).catch(() => undefined) : undefined;
    for (const [i, job] of group.entries()) {
      if (together !== undefined) parentPort.postMessage({ id: job.id, text: together[i] });
      else await formatAlone(job);
    }
  }
}
const queue = [];
let draining = false;
// Until the first files come (the main thread is still building the program), prettier formats a
// sample of the code the codemod writes under the options of the project's first file, a few times:
// its parser and printer are loaded and compiled while this core would otherwise be idle. (A few
// rounds did most of it: over the bench project's files, the worker's CPU for them went from
// 4.7-4.9 s to 4.1-4.45 s after 3 rounds (~0.2 s), 4.3 s after 40 (~0.6 s).)
const SAMPLE = workerData.sample;
const WARM_ROUNDS = 3;
async function warm(path) {
  try {
    const options = { ...((await prettier.resolveConfig(path)) ?? {}), filepath: path };
    for (let i = 0; i < WARM_ROUNDS && queue.length === 0; i++) {
      // Under the parser its files' units will be formatted with.
      const parser = cheaperParser(options, SAMPLE);
      await prettier.format(SAMPLE, parser === undefined ? options : { ...options, parser });
      // Let a message from the main thread in.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch {
    // A sample that does not parse under that file's parser warms nothing; the files are formatted all the same.
  }
}
const warming = workerData.warm === undefined ? undefined : warm(workerData.warm);
async function drain() {
  await warming;
  while (queue.length > 0) await formatQueued(queue.splice(0, BATCH));
  draining = false;
}
parentPort.on('message', (jobs) => {
  queue.push(...jobs);
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
});
`;

type Reply = { readonly id: number; readonly text: string } | { readonly id: number; readonly error: string };

export interface Formatter {
  /**
   * The file's text as prettier formats it at `path`, or prettier's error as
   * text (`SyntaxError: …`) when it cannot parse it. Given the text it was
   * converted from, only the statements that differ are formatted; given
   * also that text's tree and the edits made in it, they are found without
   * parsing the file again (src/codemod/format-units.ts).
   */
  format(path: string, text: string, before?: string, original?: Original): Promise<{ readonly text: string } | { readonly error: string }>;
  /** Stop the worker, once every format has been answered. */
  close(): Promise<void>;
}

/**
 * What the worker formats while it waits for the first files: statements of
 * the kind the codemod writes (an awaited runtime call with its SQL, its
 * parameters built by an arrow function, a batch's chained calls), valid
 * JavaScript and TypeScript alike, inside the wrappers the worker puts units
 * in.
 */
const SAMPLE = `async function* __r2s_0() {
  {
    const value = await r2s.ioredis(client, "SELECT h.value AS reply, redis.check_type(k.type, 'hash') AS type_ok\\nFROM redis.keys k LEFT JOIN redis.hashes h ON h.key = k.key AND h.field = $1::bytea\\nWHERE k.key = $2 AND redis.is_live(k.expires_at)", r2s.command('hget', [key, 'name'], (a) => [Buffer.from('name'), r2s.text(a[0])]), { kind: 'scalar', of: 'bulk' });
    await r2s.ioredis(client, 'SELECT redis.hset($1::text, $2::bytea[], $3::bytea[], false) AS reply', r2s.command('hset', [\`item:\${id}\`, 'name', name ?? id, 'seen', Date.now()], (a) => [r2s.text(a[0]), [Buffer.from('name'), Buffer.from('seen')], [r2s.bytes(a[2]), r2s.bytes(a[4])]]), { kind: 'scalar', of: 'integer' });
  }
}
__r2s_end_0;
async function* __r2s_1() {
  const done = await r2s.ioredisMulti(client).add("WITH arg AS (SELECT $1::text AS key, $2::bigint AS delta)\\nSELECT redis.incrby(arg.key, arg.delta) AS reply FROM arg", r2s.command('incr', [\`n:\${id}\`], (a) => [r2s.text(a[0]), '1']), { kind: 'scalar', of: 'integer' }).add('SELECT redis.expire_key($1, redis.expire_ms($2::bigint, 1000, $3), true, false, false, false, false, $4) AS reply', r2s.command('expire', [\`n:\${id}\`, '60'], (a) => [r2s.text(a[0]), '60', 'expire', 'expire']), { kind: 'scalar', of: 'integer' }).exec();
  if (done === null) { throw new Error(\`no reply for \${key}\`); } else { return [name, rank, done]; }
}
__r2s_end_1;
`;

/**
 * A formatter on a worker thread. Given the path of a file it will format
 * (`warmWith`), the worker starts at once and prettier warms up under that
 * file's options until the first files come; otherwise it starts on the first
 * file to format.
 *
 *   const f = formatter();
 *   await f.format('/app/src/a.ts', 'const a = {b:1}')  → { text: 'const a = { b: 1 };\n' }
 *   await f.format('/app/src/a.ts', 'const a = {b:1}\nf( a )\n', 'const a = {b:1}\ng( a )\n')  → { text: 'const a = {b:1}\nf(a);\n' }
 *   await f.close();
 */
export function formatter(warmWith?: string): Formatter {
  let worker: Worker | undefined;
  const waiting = new Map<number, { readonly resolve: (reply: Reply) => void; readonly reject: (error: unknown) => void }>();
  let next = 0;
  // Files are sent to the worker SEND at a time, so that it can format them together; the rest as soon as the caller lets the event loop turn.
  let unsent: {
    readonly id: number;
    readonly path: string;
    readonly text: string;
    readonly before: string | undefined;
    readonly units: readonly Unit[] | undefined;
  }[] = [];
  const send = (): void => {
    if (unsent.length === 0) return;
    worker?.postMessage(unsent);
    unsent = [];
  };
  const start = (): Worker => {
    const w = new Worker(WORKER, {
      eval: true,
      // The worker only formats: it needs neither this process' loaders (tsx) nor its flags.
      execArgv: [],
      workerData: {
        prettier: createRequire(import.meta.url).resolve('prettier'),
        typescript: createRequire(import.meta.url).resolve('typescript'),
        warm: warmWith,
        sample: SAMPLE,
      },
    });
    // Warming up, or idle, it must not keep the process alive: a file to format refs it.
    w.unref();
    w.on('message', (reply: Reply) => {
      waiting.get(reply.id)?.resolve(reply);
      waiting.delete(reply.id);
      // Idle, it must not keep the process alive.
      if (waiting.size === 0) w.unref();
    });
    // A worker that dies fails the run: its files were not formatted.
    const fail = (error: unknown): void => {
      for (const job of waiting.values()) job.reject(error);
      waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the formatting worker exited (code ${code})`)));
    return w;
  };
  if (warmWith !== undefined) worker = start();
  return {
    format(path, text, before, original) {
      worker ??= start();
      const id = next++;
      const w = worker;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: (reply) => resolve('text' in reply ? { text: reply.text } : { error: reply.error }), reject });
        w.ref();
        unsent.push({ id, path, text, before, units: before === undefined ? undefined : changedStatements(path, before, text, original) });
        if (unsent.length >= SEND) send();
        else if (unsent.length === 1) setImmediate(send);
      });
    },
    async close() {
      await worker?.terminate();
    },
  };
}
