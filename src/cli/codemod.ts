import { Option, type Command } from 'commander';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CodemodResult } from '../codemod/index.js';
import { isFileLevel } from '../codemod/report.js';
import { schemaSql } from '../emit/schema/index.js';
import { UsageError } from '../errors.js';
import type { CliIo } from './io.js';
import { progress, type Progress } from './style.js';

/**
 * `redis2sql codemod PATHS… [--dry-run | --write] [--exclude GLOB…] [--report text|json] [--schema-out FILE]`:
 * convert Redis client call sites into pg calls. A dry run (the default)
 * prints the unified diff (package.json included: `pg` and `redis2sql`
 * added), then one line per call site left as it was, then a summary, and
 * writes nothing; `--write` writes the changed files instead of printing
 * their diff. `--schema-out` writes the DDL to apply to the database — the
 * schema and the functions of the converted scripts — in either mode, since
 * it touches no source. Reported sites are warnings: the exit code is 0
 * unless the run itself failed.
 *
 *   redis2sql codemod src
 *   → --- a/src/cache.ts … src/events.ts:4:3: warning: pub/sub has no … [ioredis/pubsub]
 *     2 files scanned: 1 would change, 0 partly converted, 1 left unchanged with reported call sites, 0 unchanged; 3 call sites converted, 1 reported
 */
export function registerCodemod(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('codemod')
    .description('rewrite ioredis 4/5/6 and node-redis 4/5 call sites into node-postgres calls running the SQL (dry run: a diff)')
    .argument('<paths...>', 'files or directories (node_modules and dot-directories skipped)')
    .option('--dry-run', 'print the diff and write nothing (the default)', false)
    .option('--write', 'write the changed files (atomically) instead of printing the diff', false)
    .option('--exclude <glob>', "files under the paths not to convert: a glob of their paths from here ('**/*.test.ts'); repeat it for more", (glob: string, globs: string[] = []) => [...globs, glob])
    .option('--schema-out <file>', 'write the DDL the converted code needs (schema + compiled Lua scripts) to FILE')
    .addOption(new Option('--report <format>', 'how unconverted call sites are reported').choices(['text', 'json']).default('text'))
    .option('--json', 'the same as --report json (as the other commands say it)', false)
    .addOption(new Option('--client-version <major>', "the client's major version where no package.json names it (ioredis 4, 5 or 6; node-redis 4 or 5)").choices(['4', '5', '6']))
    .action(async (paths: string[], opts: { dryRun: boolean; write: boolean; exclude?: string[]; schemaOut?: string; report: 'text' | 'json'; json: boolean; clientVersion?: string }) => {
      if (opts.dryRun && opts.write) throw new UsageError('--dry-run and --write contradict each other');
      // Checked before anything is converted or written.
      for (const path of paths) if (!existsSync(resolve(path))) throw new UsageError(`${path}: no such file or directory`);
      if (opts.schemaOut !== undefined) {
        const dir = dirname(resolve(opts.schemaOut));
        if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--schema-out ${opts.schemaOut}: no directory ${dir} to write it in`);
      }
      // The bar (on a terminal's stderr only) starts when the number of files is known.
      let bar: Progress | undefined;
      const onProgress = (done: number, total: number): void => (bar ??= progress(io, 'codemod', total)).update(done);
      // ts-morph (TypeScript) is loaded by the command that needs it, not at every start of the CLI.
      const { codemod, formatFinding, unifiedDiff } = await import('../codemod/index.js');
      let result: CodemodResult;
      try {
        result = await codemod(paths, {
          write: opts.write,
          onProgress,
          ...(opts.exclude === undefined ? {} : { exclude: opts.exclude }),
          ...(opts.clientVersion === undefined ? {} : { clientVersion: Number(opts.clientVersion) }),
        });
      } finally {
        bar?.finish();
      }
      if (opts.schemaOut !== undefined) writeFileSync(opts.schemaOut, schemaOut(result));
      const counts = summary(result);
      if (opts.report === 'json' || opts.json) {
        const json = {
          changed: result.changed.map((c) => c.path),
          manifests: result.manifests.map((c) => c.path),
          written: opts.write,
          findings: result.findings,
          notices: result.notices,
          scanned: result.scanned,
          ...counts,
        };
        io.stdout.write(JSON.stringify(json, null, 2) + '\n');
      } else {
        for (const n of result.notices) io.stdout.write(`note: ${n}\n`);
        if (!opts.write) for (const c of [...result.changed, ...result.manifests]) io.stdout.write(unifiedDiff(c.path, c.before, c.after));
        for (const f of result.findings) io.stdout.write(formatFinding(f) + '\n');
        const s = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
        io.stdout.write(
          `${s(result.scanned, 'file')} scanned: ${counts.filesChanged} ${opts.write ? 'changed' : 'would change'}, ${counts.partlyConverted} partly converted, ` +
            `${counts.filesReported} left unchanged with reported call sites, ${counts.filesUnchanged} unchanged; ` +
            `${s(counts.sitesConverted, 'call site')} converted, ${counts.sitesReported} reported` +
            (result.manifests.length > 0 ? `; ${s(result.manifests.length, 'package.json')} ${opts.write ? 'given' : 'would get'} pg and redis2sql` : '') +
            (opts.schemaOut === undefined ? '' : `; DDL written to ${opts.schemaOut}`) +
            '\n',
        );
      }
      setCode(0);
    });
}

/**
 * The run's counts for the summary: files by what happened to them, call sites converted and reported.
 * "Partly converted": changed, with call sites reported too.
 */
function summary(result: CodemodResult): {
  filesChanged: number;
  partlyConverted: number;
  filesReported: number;
  filesUnchanged: number;
  sitesConverted: number;
  sitesReported: number;
} {
  const changed = new Set(result.changed.map((c) => c.path));
  // File-level notes (a file left whole because of its other sites, or of a file it shares clients with) are not call sites, and a package.json that is not JSON is neither a site nor a scanned file.
  const sources = result.findings.filter((f) => f.rule !== 'codemod/package-json');
  const sites = sources.filter((f) => !isFileLevel(f));
  const reported = new Set(sources.map((f) => f.path));
  const partly = [...changed].filter((p) => reported.has(p)).length;
  const filesReported = [...reported].filter((p) => !changed.has(p)).length;
  return {
    filesChanged: changed.size,
    partlyConverted: partly,
    filesReported,
    filesUnchanged: result.scanned - changed.size - filesReported,
    sitesConverted: result.converted,
    sitesReported: sites.length,
  };
}

/** What --schema-out writes: the schema, then the functions the converted scripts call. */
function schemaOut(result: CodemodResult): string {
  const functions = [...result.functions.values()];
  return (
    schemaSql() +
    (functions.length === 0 ? '' : `\n-- The Lua scripts of the converted code, compiled (redis2sql codemod)\n${functions.join('\n\n')}\n`)
  );
}
