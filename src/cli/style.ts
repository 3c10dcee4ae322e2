/**
 * What the CLI shows only to a person at a terminal: colour and progress bars.
 * A pipe or a file gets plain text, so scripts and `--json` readers never see
 * escape sequences.
 */
import pc from 'picocolors';
import type { CliIo } from './io.js';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colour on `stream` when it is a terminal and the user has not opted out:
 * `NO_COLOR` set to anything but the empty string turns it off
 * (https://no-color.org), as does `TERM=dumb`.
 *
 *   colorEnabled({ ...io, stdout: process.stdout, env: { NO_COLOR: '1' } }, 'stdout')  → false
 */
export function colorEnabled(io: CliIo, stream: 'stdout' | 'stderr'): boolean {
  if (io[stream].isTTY !== true) return false;
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return io.env['TERM'] !== 'dumb';
}

/**
 * The colour functions for one stream; every one of them is the identity when
 * colour is off.
 *
 *   colors(io, 'stdout').green('translated')  → '\x1b[32mtranslated\x1b[39m' on a terminal, 'translated' in a pipe
 */
export function colors(io: CliIo, stream: 'stdout' | 'stderr'): Colors {
  return pc.createColors(colorEnabled(io, stream));
}

export interface Progress {
  /** `done` items of `total` (or of an unknown number) processed so far. */
  update(done: number): void;
  /** Erase the bar; the next output starts on a clean line. */
  finish(): void;
}

const QUIET: Progress = { update: () => undefined, finish: () => undefined };

/**
 * A one-line progress bar on stderr, redrawn in place with `\r`, only when
 * stderr is a terminal (never in a pipe, a file or CI logs), and, for a
 * command that `streamsStdout`, only when its output goes elsewhere. It is redrawn
 * when the shown number changes, not on a timer, so it costs nothing between
 * updates and leaves no timer behind.
 *
 *   const bar = progress(io, 'analyze', 15000)
 *   bar.update(7500)   → stderr: '\r\x1b[Kanalyze [##########----------]  50% 7500/15000'
 *   bar.finish()       → stderr: '\r\x1b[K'
 */
export function progress(io: CliIo, label: string, total?: number, options: { readonly streamsStdout?: boolean } = {}): Progress {
  if (io.stderr.isTTY !== true) return QUIET;
  // Output streaming to the same terminal already shows the progress, and a bar would cut through it.
  if (options.streamsStdout === true && io.stdout.isTTY === true) return QUIET;
  const c = colors(io, 'stderr');
  const width = Math.max(10, Math.min(30, (io.stderr.columns ?? 80) - label.length - 30));
  let shown = '';
  let drawn = false;
  return {
    update(done: number): void {
      let text: string;
      if (total !== undefined && total > 0) {
        const ratio = Math.min(1, done / total);
        const full = Math.round(ratio * width);
        const bar = `${'#'.repeat(full)}${'-'.repeat(width - full)}`;
        text = `${label} [${c.cyan(bar)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}`;
      } else {
        // An unknown total (stdin): a count, redrawn every hundred items.
        text = `${label} ${done - (done % 100)}…`;
      }
      if (text === shown) return;
      shown = text;
      drawn = true;
      io.stderr.write(`\r\x1b[K${text}`);
    },
    finish(): void {
      if (drawn) io.stderr.write('\r\x1b[K');
      drawn = false;
      shown = '';
    },
  };
}
