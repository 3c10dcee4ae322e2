/**
 * A workload file as commands: a `redis-cli MONITOR` capture or a list of
 * redis-cli lines (blank lines and `#` comments skipped), told apart by the
 * first line unless the caller says which.
 */
import { TokenizeError } from '../errors.js';
import { scriptLines } from '../script-lines.js';
import { tokenize } from '../grammar/tokenize.js';
import { looksLikeMonitor, monitorEntries } from '../monitor/parse.js';
import type { WorkloadItem } from './index.js';

export type WorkloadFormat = 'monitor' | 'lines';

/** `auto`: a capture when its first line is a MONITOR line. */
export const WORKLOAD_FORMATS = ['auto', 'monitor', 'lines'] as const;

/**
 * The commands of a workload file, in order, each with its line number; a
 * line that is not a command is an `{ line, error }` item.
 *
 *   [...workloadItems(Buffer.from('GET a\nSET b "x\n'), 'lines')]
 *   → [{ line: 1, argv: [<GET>, <a>] }, { line: 2, error: 'ERR Protocol error: unbalanced quotes …' }]
 */
export function* workloadItems(text: Buffer, format: WorkloadFormat): Generator<WorkloadItem> {
  if (format === 'monitor') {
    for (const item of monitorEntries(text)) {
      if ('error' in item) yield { line: item.line, error: item.error.message };
      else yield item.entry;
    }
    return;
  }
  for (const { line, text: raw } of scriptLines(text)) {
    try {
      yield { line, argv: tokenize(raw) };
    } catch (error) {
      if (!(error instanceof TokenizeError)) throw error;
      yield { line, error: error.message };
    }
  }
}

/**
 * The format of a workload file (`auto` decided by its first line).
 *
 *   workloadFormat(Buffer.from('OK\n1795707299.2 [0 127.0.0.1:1] "ping"\n'), 'auto')  → 'monitor'
 */
export function workloadFormat(text: Buffer, format: (typeof WORKLOAD_FORMATS)[number]): WorkloadFormat {
  if (format !== 'auto') return format;
  return looksLikeMonitor(text) ? 'monitor' : 'lines';
}

/**
 * How many lines a file has, for a progress bar's total.
 *
 *   lineCount(Buffer.from('a\nb\nc'))  → 3
 */
export function lineCount(text: Buffer): number {
  let n = 0;
  for (let i = text.indexOf(0x0a); i >= 0; i = text.indexOf(0x0a, i + 1)) n++;
  return text.length > 0 && text.at(-1) !== 0x0a ? n + 1 : n;
}
