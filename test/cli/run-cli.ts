import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string | Buffer;
  env?: Record<string, string>;
  /** Play a terminal on stdout (colour) / stderr (progress bars). */
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
}

/**
 * main() in-process with captured streams and a chosen terminal-ness.
 *
 *   await runCli(['analyze', 'cap.txt'], { stdoutTTY: true })  → { code: 0, stdout: '\x1b[1m155 commands…', stderr: '' }
 */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const { stdin } = options;
  const input = Readable.from(stdin === undefined ? [] : [typeof stdin === 'string' ? Buffer.from(stdin) : stdin]);
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => ((stdout += s.toString()), true), isTTY: options.stdoutTTY === true },
    stderr: { write: (s: string | Uint8Array) => ((stderr += s.toString()), true), isTTY: options.stderrTTY === true, columns: 100 },
    stdin: Object.assign(input, { isTTY: stdin === undefined }),
    env: options.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
