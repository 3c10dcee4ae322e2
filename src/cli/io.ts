import { readFile } from 'node:fs/promises';
import type { Database, OpenOptions } from '../db/index.js';
import { UsageError } from '../errors.js';
import { scriptLines } from '../script-lines.js';

/** What the CLI touches of the outside world, so tests can run it in-process. */
export interface CliIo {
  /** `isTTY` decides colour (stdout) and progress bars (stderr): tests set it to play a terminal. */
  readonly stdout: { write(text: string | Uint8Array): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string | Uint8Array): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How `exec` opens its database (default `openDatabase`); tests share one PGlite through it. */
  readonly openDatabase?: (options: OpenOptions) => Promise<Database>;
  /** Resolves when a subscribed `exec` should stop printing messages (default: Ctrl-C / SIGTERM). */
  readonly interrupted?: () => Promise<void>;
}

/**
 * The process' own streams. A reader that goes away (`redis2sql commands | head`)
 * ends the process quietly, as Unix tools do, instead of an EPIPE stack trace.
 */
export function processIo(): CliIo {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/**
 * The command lines of a stream as they arrive (a pipe may stay open):
 * numbered from 1, split on `\n` with a trailing `\r` dropped, blank lines
 * and `#` comments skipped, bytes kept as they are (values are binary).
 */
export async function* streamLines(stream: NodeJS.ReadableStream): AsyncGenerator<{ line: number; text: Buffer }> {
  let pending: Buffer[] = [];
  let number = 0;
  const emit = function* (raw: Buffer): Generator<{ line: number; text: Buffer }> {
    number++;
    for (const { text } of scriptLines(raw)) yield { line: number, text };
  };
  for await (const chunk of stream) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a)) {
      // Chunks of a long line are joined once, at its end.
      yield* emit(Buffer.concat([...pending, buf.subarray(0, nl)]));
      pending = [];
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > 0) pending.push(buf);
  }
  if (pending.length > 0) yield* emit(Buffer.concat(pending));
}

/**
 * Where the command lines come from: the words of the command line (one word
 * is a whole line, several are argv), else `--file`, else stdin when it is
 * not a terminal; a terminal on stdin means there is nothing to read.
 */
export type Source =
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'lines'; readonly lines: AsyncIterable<{ line: number; text: Buffer }> | Iterable<{ line: number; text: Buffer }> }
  | { readonly kind: 'terminal' };

export async function inputSource(words: readonly string[], file: string | undefined, io: CliIo): Promise<Source> {
  if (words.length > 0 && file !== undefined) throw new UsageError('give a command or --file, not both');
  if (words.length > 0) {
    if (words.length === 1 && words[0]!.trim() === '') throw new UsageError('empty command');
    return { kind: 'words', words };
  }
  if (file !== undefined) {
    let text: Buffer;
    try {
      text = await readFile(file);
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(`cannot read ${file}${code === undefined ? '' : ` (${code})`}`);
    }
    return { kind: 'lines', lines: scriptLines(text) };
  }
  if (io.stdin.isTTY === true) return { kind: 'terminal' };
  return { kind: 'lines', lines: streamLines(io.stdin) };
}
