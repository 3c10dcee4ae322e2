import { readFile } from 'node:fs/promises';
import type { Database, OpenOptions } from '../db/index.js';
import { UsageError } from '../errors.js';

/** What the CLI touches of the outside world, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: { write(text: string | Uint8Array): unknown };
  readonly stderr: { write(text: string | Uint8Array): unknown };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How `exec` opens its database (default `openDatabase`); tests share one PGlite through it. */
  readonly openDatabase?: (options: OpenOptions) => Promise<Database>;
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

/** All of a stream, as bytes (lines may hold any byte: values are binary). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Where the command lines come from: the words of the command line (one word
 * is a whole line, several are argv), else `--file`, else stdin when it is
 * not a terminal. `undefined` when there is nothing to read (a terminal).
 */
export type Source =
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'script'; readonly text: Buffer; readonly name: string }
  | { readonly kind: 'terminal' };

export async function inputSource(words: readonly string[], file: string | undefined, io: CliIo): Promise<Source> {
  if (words.length > 0 && file !== undefined) throw new UsageError('give a command or --file, not both');
  if (words.length > 0) {
    if (words.length === 1 && words[0]!.trim() === '') throw new UsageError('empty command');
    return { kind: 'words', words };
  }
  if (file !== undefined) {
    try {
      return { kind: 'script', text: await readFile(file), name: file };
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(`cannot read ${file}${code === undefined ? '' : ` (${code})`}`);
    }
  }
  if (io.stdin.isTTY === true) return { kind: 'terminal' };
  return { kind: 'script', text: await readAll(io.stdin), name: 'stdin' };
}
