import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout's bytes as written (replies may hold invalid UTF-8). */
  stdoutBytes: Buffer;
}

export interface RunOptions {
  stdin?: string | Buffer;
  env?: Record<string, string>;
  /** Play a terminal on stdout (colour) / stderr (progress bars). */
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  /** How `exec` opens its database (default: a new embedded one). */
  openDatabase?: CliIo['openDatabase'];
}

/**
 * main() in-process with captured streams and a chosen terminal-ness.
 *
 *   await runCli(['analyze', 'cap.txt'], { stdoutTTY: true })  → { code: 0, stdout: '\x1b[1m155 commands…', stderr: '' }
 */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<Run> {
  const out: Buffer[] = [];
  let stderr = '';
  const { stdin } = options;
  const input = Readable.from(stdin === undefined ? [] : [typeof stdin === 'string' ? Buffer.from(stdin) : stdin]);
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => (out.push(typeof s === 'string' ? Buffer.from(s) : Buffer.from(s)), true), isTTY: options.stdoutTTY === true },
    stderr: { write: (s: string | Uint8Array) => ((stderr += s.toString()), true), isTTY: options.stderrTTY === true, columns: 100 },
    stdin: Object.assign(input, { isTTY: stdin === undefined }),
    env: options.env ?? {},
    ...(options.openDatabase === undefined ? {} : { openDatabase: options.openDatabase }),
  };
  const code = await main(argv, io);
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString(), stderr, stdoutBytes };
}
