import { Option, type Command } from 'commander';
import { codemod, formatFinding, unifiedDiff } from '../codemod/index.js';
import type { CliIo } from './io.js';

/**
 * `redis2sql codemod PATHS… [--write] [--report text|json]`: convert ioredis 5
 * call sites into pg calls. A dry run prints the unified diff, then one line
 * per call site left as it was, then a summary; `--write` writes the changed
 * files instead of printing their diff. Reported sites are warnings: the exit
 * code is 0 unless the run itself failed.
 *
 *   redis2sql codemod src
 *   → --- a/src/cache.ts … src/events.ts:4:3: warning: pub/sub has no … [ioredis/pubsub]
 *     2 files scanned, 1 would change, 1 call site reported
 */
export function registerCodemod(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('codemod')
    .description('rewrite ioredis 5 call sites into node-postgres calls running the SQL (dry run: a diff)')
    .argument('<paths...>', 'files or directories (node_modules and dot-directories skipped)')
    .option('--write', 'write the changed files (atomically) instead of printing the diff', false)
    .addOption(new Option('--report <format>', 'how unconverted call sites are reported').choices(['text', 'json']).default('text'))
    .option('--json', 'the same as --report json (as the other commands say it)', false)
    .action(async (paths: string[], opts: { write: boolean; report: 'text' | 'json'; json: boolean }) => {
      const result = await codemod(paths, { write: opts.write });
      if (opts.report === 'json' || opts.json) {
        const json = { changed: result.changed.map((c) => c.path), written: opts.write, findings: result.findings, scanned: result.scanned };
        io.stdout.write(JSON.stringify(json, null, 2) + '\n');
      } else {
        if (!opts.write) for (const c of result.changed) io.stdout.write(unifiedDiff(c.path, c.before, c.after));
        for (const f of result.findings) io.stdout.write(formatFinding(f) + '\n');
        const n = result.findings.length;
        const verb = opts.write ? 'changed' : 'would change';
        io.stdout.write(`${result.scanned} files scanned, ${result.changed.length} ${verb}, ${n} call site${n === 1 ? '' : 's'} reported\n`);
      }
      setCode(0);
    });
}
