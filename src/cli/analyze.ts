import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Analysis, WorkloadItem } from '../analyze/index.js';
import { lineCount, workloadFormat, workloadItems, WORKLOAD_FORMATS } from '../analyze/input.js';
import type { CliIo } from './io.js';
import { colors, progress, type Colors, type Progress } from './style.js';

export interface AnalyzeCliOptions {
  readonly from: (typeof WORKLOAD_FORMATS)[number];
  readonly json: boolean;
  readonly top: number;
  readonly schema?: string;
}

/**
 * `redis2sql analyze [FILE] [--from auto|monitor|lines] [--json] [--top N]`:
 * the pre-migration assessment of a MONITOR capture or a command list (see
 * src/analyze/index.ts), as tables on a terminal or one JSON object.
 *
 *   redis2sql analyze cap.txt
 *   → 155 commands from 1 client … 150 translated (96.8%) …
 *     Commands by frequency … Key patterns … Not translated …
 */
export function registerAnalyze(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('analyze')
    .description('summarise a redis-cli MONITOR capture or a command list: commands by frequency, key patterns, what translates and what is refused')
    .argument('[file]', 'the capture or command list (default: stdin)')
    .addOption(new Option('--from <format>', 'input format (auto: a capture when its first line is a MONITOR line)').choices(WORKLOAD_FORMATS).default('auto'))
    .option('--json', 'print the whole analysis as JSON', false)
    .option('--top <n>', 'rows per table on a terminal (commands, key patterns)', parseTop, 20)
    .addOption(new Option('--schema <name>', 'PostgreSQL schema the translations would use').default('redis'))
    .action(async (file: string | undefined, opts: AnalyzeCliOptions) => {
      setCode(await analyzeCommand(file, opts, io));
    });
}

function parseTop(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--top wants a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The `analyze` command itself: read, analyse, print; 0 unless the input
 * cannot be read (a usage error).
 *
 *   await analyzeCommand('cap.txt', { from: 'auto', json: true, top: 20 }, io)  → 0 ({"format":"monitor","total":155,…} on stdout)
 */
export async function analyzeCommand(file: string | undefined, options: AnalyzeCliOptions, io: CliIo): Promise<number> {
  let text: Buffer;
  if (file !== undefined) {
    try {
      text = await readFile(file);
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(`cannot read ${file}${code === undefined ? '' : ` (${code})`}`);
    }
  } else if (io.stdin.isTTY === true) {
    throw new UsageError('nothing to analyze: give a capture or command file, or pipe one in');
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
    text = Buffer.concat(chunks);
  }
  const format = workloadFormat(text, options.from);
  // The analysis renders SQL (sql-formatter): loaded by this command only.
  const { analyze } = await import('../analyze/index.js');
  const bar = progress(io, 'analyze', lineCount(text));
  const result = analyze(withProgress(workloadItems(text, format), bar), options.schema === undefined ? {} : { schema: options.schema });
  bar.finish();
  if (options.json) io.stdout.write(JSON.stringify({ format, ...result }, null, 2) + '\n');
  else io.stdout.write(renderAnalysis(result, format, options.top, colors(io, 'stdout')));
  return 0;
}

function* withProgress(items: Iterable<WorkloadItem>, bar: Progress): Generator<WorkloadItem> {
  for (const item of items) {
    bar.update(item.line);
    yield item;
  }
}

/**
 * The analysis as text tables (colour through `c`, the identity off a terminal).
 *
 *   renderAnalysis(analyze(items), 'monitor', 20, colors(io, 'stdout'))
 *   → '155 commands (2 run by Lua scripts) from 3 clients, database 0, over 0.2 s\n…'
 */
export function renderAnalysis(a: Analysis, format: 'monitor' | 'lines', top: number, c: Colors): string {
  const out: string[] = [];
  const classified = a.outcomes.translated + a.outcomes.pending + a.outcomes.refused + a.outcomes.error;
  const pct = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`);
  const from = format === 'monitor' ? ` from ${a.clients} client${a.clients === 1 ? '' : 's'}` : '';
  const scripts = a.fromScripts > 0 ? ` (${a.fromScripts} run by Lua scripts)` : '';
  const dbs = a.databases.length > 0 ? `, database${a.databases.length === 1 ? '' : 's'} ${a.databases.join(', ')}` : '';
  const span = a.span === undefined ? '' : `, over ${(a.span.last - a.span.first).toFixed(1)} s`;
  out.push(`${c.bold(`${a.total} command${a.total === 1 ? '' : 's'}`)}${scripts}${from}${dbs}${span}`);
  out.push(
    `${c.green(`${a.outcomes.translated} translated`)} (${pct(a.outcomes.translated, classified)}), ` +
      `${c.yellow(`${a.outcomes.pending} pending`)}, ${c.red(`${a.outcomes.refused} refused`)}, ` +
      `${a.outcomes.error} Redis error${a.outcomes.error === 1 ? '' : 's'}` +
      (a.unreadable.length > 0 ? `, ${c.red(`${a.unreadable.length} unreadable line${a.unreadable.length === 1 ? '' : 's'}`)}` : ''),
  );

  out.push('', c.bold('Commands by frequency'));
  out.push(
    ...table(
      ['COMMAND', 'COUNT', 'SHARE', 'STATUS'],
      a.commands.slice(0, top).map((s) => [s.command, String(s.count), pct(s.count, a.total), commandStatus(s, c)]),
      [false, true, true, false],
    ),
  );
  if (a.commands.length > top) out.push(`  … ${a.commands.length - top} more (--top, --json)`);

  out.push('', c.bold('Key patterns'));
  if (a.keyPatterns.length === 0) out.push('  (no keys)');
  else {
    out.push(
      ...table(
        ['PATTERN', 'COUNT', 'COMMANDS', 'EXAMPLE'],
        a.keyPatterns.slice(0, top).map((p) => [p.pattern, String(p.count), p.commands.join(' '), p.example]),
        [false, true, false, false],
      ),
    );
    if (a.keyPatterns.length > top) out.push(`  … ${a.keyPatterns.length - top} more (--top, --json)`);
  }

  if (a.refusals.length > 0) {
    out.push('', c.bold('Not translated'));
    const colour = { pending: c.yellow, refused: c.red, error: (s: string) => s };
    out.push(
      ...table(
        ['COMMAND', 'COUNT', 'OUTCOME', 'LINE', 'WHY'],
        a.refusals.map((r) => [r.command, String(r.count), colour[r.outcome](r.outcome), String(r.line), r.reason]),
        [false, true, false, true, false],
      ),
    );
  }
  if (a.unreadable.length > 0) {
    out.push('', c.bold('Unreadable lines'));
    for (const u of a.unreadable.slice(0, top)) out.push(`  line ${u.line}: ${u.error}`);
    if (a.unreadable.length > top) out.push(`  … ${a.unreadable.length - top} more (--json)`);
  }
  return out.join('\n') + '\n';
}

function commandStatus(s: Analysis['commands'][number], c: Colors): string {
  const parts: string[] = [];
  if (s.translated > 0) parts.push(c.green(s.translated === s.count - s.fromScripts ? 'translated' : `${s.translated} translated`));
  if (s.pending > 0) parts.push(c.yellow(`${s.pending} pending`));
  if (s.refused > 0) parts.push(c.red(`${s.refused} refused`));
  if (s.errors > 0) parts.push(`${s.errors} Redis error${s.errors === 1 ? '' : 's'}`);
  if (s.fromScripts > 0) parts.push(`${s.fromScripts} in scripts`);
  return parts.join(', ');
}

/** Rows padded to their columns' widths (measured without colour codes); `right` aligns numbers. */
function table(head: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const visible = (s: string): number => [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
  const widths = head.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    '  ' +
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - visible(cell));
        // The last column is not padded: no trailing blanks.
        return i === cells.length - 1 ? cell : right[i] === true ? pad + cell : cell + pad;
      })
      .join('  ');
  return [line(head), ...rows.map(line)].map((l) => l.trimEnd());
}
