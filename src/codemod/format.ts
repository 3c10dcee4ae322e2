/**
 * Prettier for the converted files, on a worker thread: formatting is about a
 * third of a large run's work, and on a worker it overlaps the type analysis
 * of the files that follow instead of adding to it. The worker runs the
 * project's prettier exactly as the main thread would (the file's resolved
 * config, its path choosing the parser), so the text is the same.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The worker: CommonJS (an eval'd worker is a script), loading the prettier this package depends on. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const prettier = require(workerData.prettier);
parentPort.on('message', async ({ id, path, text }) => {
  try {
    const config = (await prettier.resolveConfig(path)) ?? {};
    parentPort.postMessage({ id, text: await prettier.format(text, { ...config, filepath: path }) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});
`;

type Reply = { readonly id: number; readonly text: string } | { readonly id: number; readonly error: string };

export interface Formatter {
  /** The file's text as prettier formats it at `path`, or prettier's error as text (`SyntaxError: …`) when it cannot parse it. */
  format(path: string, text: string): Promise<{ readonly text: string } | { readonly error: string }>;
  /** Stop the worker, once every format has been answered. */
  close(): Promise<void>;
}

/**
 * A formatter whose worker starts on the first file to format.
 *
 *   const f = formatter();
 *   await f.format('/app/src/a.ts', 'const a = {b:1}')  → { text: 'const a = { b: 1 };\n' }
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
    format(path, text) {
      worker ??= start();
      const id = next++;
      const w = worker;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: (reply) => resolve('text' in reply ? { text: reply.text } : { error: reply.error }), reject });
        w.ref();
        w.postMessage({ id, path, text });
      });
    },
    async close() {
      await worker?.terminate();
    },
  };
}
