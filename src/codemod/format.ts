/**
 * Prettier for the converted files, on a worker thread: formatting is about a
 * third of a large run's work, and on a worker it overlaps the type analysis
 * of the files that follow instead of adding to it. The worker runs the
 * project's prettier exactly as the main thread would (the file's resolved
 * config, its path choosing the parser), so the text is the same.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { changedStatements } from './format-units.js';

/**
 * The worker: CommonJS (an eval'd worker is a script), loading the prettier
 * this package depends on. Given the statements that changed (`units`), it
 * formats only those: each in one document, inside as many blocks as its
 * indentation has levels (an async generator's body, so that `await`,
 * `yield` and `return` parse), each followed by a marker statement to cut the
 * output at; any surprise formats the whole file instead.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const prettier = require(workerData.prettier);
async function formatUnits(text, units, options) {
  const tab = Math.max(1, options.tabWidth ?? 2);
  let doc = '';
  const levels = units.map(({ start, end }, i) => {
    const indent = /^[ \\t]*/.exec(text.slice(text.lastIndexOf('\\n', start - 1) + 1, start))[0];
    const level = Math.floor([...indent].reduce((w, c) => w + (c === '\\t' ? tab : 1), 0) / tab);
    const body = text.slice(start, end);
    doc += level === 0 ? body : 'async function* __r2s_' + i + '() {\\n' + '{\\n'.repeat(level - 1) + body + '\\n' + '}\\n'.repeat(level - 1) + '}';
    doc += '\\n__r2s_end_' + i + ';\\n';
    return level;
  });
  const lines = (await prettier.format(doc, options)).split('\\n');
  const out = [];
  let from = 0;
  for (const [i, level] of levels.entries()) {
    const marker = '__r2s_end_' + i;
    const at = lines.findIndex((line, n) => n >= from && (line === marker + ';' || line === marker));
    if (at < 0) return undefined;
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
  let result = text;
  for (let i = units.length - 1; i >= 0; i--) result = result.slice(0, units[i].start) + out[i] + result.slice(units[i].end);
  return result;
}
parentPort.on('message', async ({ id, path, text, units }) => {
  try {
    const options = { ...((await prettier.resolveConfig(path)) ?? {}), filepath: path };
    const partly = units === undefined ? undefined : await formatUnits(text, units, options).catch(() => undefined);
    parentPort.postMessage({ id, text: partly ?? (await prettier.format(text, options)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});
`;

type Reply = { readonly id: number; readonly text: string } | { readonly id: number; readonly error: string };

export interface Formatter {
  /**
   * The file's text as prettier formats it at `path`, or prettier's error as
   * text (`SyntaxError: …`) when it cannot parse it. Given the text it was
   * converted from, only the statements that differ are formatted.
   */
  format(path: string, text: string, before?: string): Promise<{ readonly text: string } | { readonly error: string }>;
  /** Stop the worker, once every format has been answered. */
  close(): Promise<void>;
}

/**
 * A formatter whose worker starts on the first file to format.
 *
 *   const f = formatter();
 *   await f.format('/app/src/a.ts', 'const a = {b:1}')  → { text: 'const a = { b: 1 };\n' }
 *   await f.format('/app/src/a.ts', 'const a = {b:1}\nf( a )\n', 'const a = {b:1}\ng( a )\n')  → { text: 'const a = {b:1}\nf(a);\n' }
 *   await f.close();
 */
export function formatter(): Formatter {
  let worker: Worker | undefined;
  const waiting = new Map<number, { readonly resolve: (reply: Reply) => void; readonly reject: (error: unknown) => void }>();
  let next = 0;
  const start = (): Worker => {
    const w = new Worker(WORKER, {
      eval: true,
      // The worker only formats: it needs neither this process' loaders (tsx) nor its flags.
      execArgv: [],
      workerData: { prettier: createRequire(import.meta.url).resolve('prettier') },
    });
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
  return {
    format(path, text, before) {
      worker ??= start();
      const id = next++;
      const w = worker;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: (reply) => resolve('text' in reply ? { text: reply.text } : { error: reply.error }), reject });
        w.ref();
        w.postMessage({ id, path, text, units: before === undefined ? undefined : changedStatements(path, before, text) });
      });
    },
    async close() {
      await worker?.terminate();
    },
  };
}
