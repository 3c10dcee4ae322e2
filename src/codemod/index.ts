/**
 * The codemod over a set of files: find the Redis client call sites, convert
 * what converts, report the rest. Pure apart from reading the files (and
 * writing them when asked), so tests and the CLI share it.
 *
 * Choices (issue #6): each converted call keeps its SQL inline and calls
 * `redis2sql/codemod-runtime` (a runtime dependency of the converted app), so
 * that replies decode through the same code as `exec`; the client becomes
 * `new pg.Pool({ connectionString: process.env.DATABASE_URL })` whatever its
 * Redis options were; a file is converted whole or left as it was, and files
 * that hand clients to each other all or none (src/codemod/shared-clients.ts).
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Minimatch } from 'minimatch';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { convertIoredisFile, ioredisMembers, isIoredisClient } from './ioredis.js';
import { formatter } from './format.js';
import { findDefinitions } from './scripts.js';
import { lendIoredis4Types } from './untyped.js';
import { lendIoredisCommonJs, requiredModules } from './commonjs.js';
import { MAX_FILE_BYTES, manifestOf, openProject, runtimeDependencies, syntaxError, withDependencies } from './project.js';
import { convertNodeRedisFile } from './node-redis.js';
import { sharedClients, tiedTo } from './shared-clients.js';
import type { CallCache } from './compile-call.js';
import type { TypeTexts } from './ioredis-call.js';
import type { Finding } from './report.js';

export { formatFinding, type Finding } from './report.js';
export { unifiedDiff } from './diff.js';

export interface ChangedFile {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

export interface CodemodResult {
  /** Files whose converted text differs from what is on disk (written when `write` was set). */
  readonly changed: readonly ChangedFile[];
  readonly findings: readonly Finding[];
  /** How many source files were looked at. */
  readonly scanned: number;
  /** The DDL of the PL/pgSQL functions the converted scripts call (sha → CREATE FUNCTION), for `--schema-out`. */
  readonly functions: ReadonlyMap<string, string>;
  /** package.json files given the dependencies the converted code imports (`pg`, `redis2sql`); written with the sources. */
  readonly manifests: readonly ChangedFile[];
  /** Call sites converted (each becomes one call of the runtime: `r2s.…(` or a batch's `.add(`). */
  readonly converted: number;
  /** Things about the run as a whole (no tsconfig.json…), one sentence each. */
  readonly notices: readonly string[];
}

export interface CodemodOptions {
  /** Write the changed files (atomically: a temporary file renamed over the original). */
  readonly write?: boolean;
  /** Paths in findings are made relative to this directory (default: the current one). */
  readonly cwd?: string;
  /** The client's major version when no package.json says (`--client-version`): ioredis 4/5/6, node-redis 4/5. */
  readonly clientVersion?: number;
  /** Larger files are reported (codemod/too-large) and left alone (default MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
  /**
   * Files under the paths that are not converted (nor counted as scanned):
   * glob patterns (minimatch, `**` and all) matched against each file's path
   * relative to `cwd`, as `--exclude` gives them (`'**\/*.test.ts'`).
   */
  readonly exclude?: readonly string[];
  /** Called as each file's conversion starts, and once when all are done (a CLI draws its progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/**
 * Convert the ioredis and node-redis call sites under `paths` (files or directories).
 *
 *   await codemod(['src'])
 *   → { changed: [{ path: 'src/cache.ts', before: '…redis.get(k)…', after: '…r2s.ioredis(redis, …)…' }],
 *       findings: [{ path: 'src/events.ts', line: 4, column: 3, rule: 'ioredis/pubsub', … }], scanned: 12 }
 */
export async function codemod(paths: readonly string[], options: CodemodOptions = {}): Promise<CodemodResult> {
  const cwd = options.cwd ?? process.cwd();
  const findings: Finding[] = [];
  const rel = (f: Finding): Finding => ({ ...f, path: shown(cwd, f.path) });
  const excluded = (options.exclude ?? []).map((pattern) => new Minimatch(pattern, { dot: true }));
  const under = paths.flatMap((p) => sourceFiles(resolve(cwd, p)));
  const found = under.filter((f) => !excluded.some((m) => m.match(relative(cwd, f))));
  const limit = options.maxFileBytes ?? MAX_FILE_BYTES;
  const files = found.filter((f) => {
    const size = statSync(f).size;
    if (size <= limit) return true;
    findings.push(rel({ path: f, line: 1, column: 1, rule: 'codemod/too-large', message: `the file is ${size} bytes, over the ${limit} the codemod reads: left unchanged` }));
    return false;
  });
  findings.push(...invalidManifests(files).map(rel));
  // Converted files are formatted on a worker while the next ones are analysed;
  // each one's outcome is settled after the loop, in file order, its findings
  // where the loop would have put them (`at`). The worker starts now, so that
  // prettier loads and warms up (under the first file's options) while the
  // program is built.
  const format = formatter(files[0]);
  const reported: Finding[] = [];
  try {
    const { project, notice } = openProject(files[0] === undefined ? cwd : dirname(files[0]));
    for (const f of files) project.addSourceFileAtPath(f);
    project.resolveSourceFileDependencies();
    // ioredis 4 in JavaScript without @types/ioredis: the checker is lent its declarations (src/codemod/untyped.ts).
    lendIoredis4Types(project, files.map((f) => project.getSourceFileOrThrow(f)), (dir) => clientMajor(dir, 'ioredis') ?? options.clientVersion);
    // require('ioredis') is the Redis class at run time, which ioredis 5/6's ES-module declarations do not say (src/codemod/commonjs.ts).
    lendIoredisCommonJs(project, files.map((f) => project.getSourceFileOrThrow(f)), (dir) => clientMajor(dir, 'ioredis') ?? options.clientVersion);
    // defineCommand() in one file adds a command its clients call in others.
    const scripts = findDefinitions(files.map((f) => project.getSourceFileOrThrow(f)), isIoredisClient);
    // Each shape of call is compiled once in the run (src/codemod/compile-call.ts).
    const calls: CallCache = new Map();
    // And each type a converted ioredis call declares is printed once (src/codemod/ioredis-call.ts).
    const types: TypeTexts = new Map();
    // And the ioredis walk asks the checker about a property access only when a client or batch has its name (src/codemod/ioredis.ts).
    const members = ioredisMembers(project.getProgram().compilerObject);

    // Only a program that loaded node-redis' declarations can hold its clients: skip the type walk otherwise.
    const nodeRedisLoaded = project
      .getProgram()
      .compilerObject.getSourceFiles()
      .some((f) => /[\\/]@redis[\\/]client[\\/]/.test(f.fileName));

    const changed: ChangedFile[] = [];
    let converted = 0;
    const manifestDirs = new Set<string>();
    const settling: { readonly at: number; readonly path: string; readonly before: string; readonly formatted: Promise<{ readonly text: string } | { readonly error: string }> }[] = [];
    // Files of the run that stay as they are although they use clients, each with what says why (src/codemod/shared-clients.ts).
    const blocked = new Map<string, string>();
    const block = (path: string, finding: Finding): void => {
      if (!blocked.has(path)) blocked.set(path, `is left unchanged (${finding.rule} at ${finding.line}:${finding.column})`);
    };
    for (const [index, path] of files.entries()) {
      options.onProgress?.(index, files.length);
      const file = project.getSourceFileOrThrow(path);
      const unparsed = syntaxError(file);
      if (unparsed !== undefined) {
        findings.push(rel(unparsed));
        block(path, unparsed);
        continue;
      }
      // A module without imports can neither name a client's type nor receive a client (bar globals): nothing to look for.
      if (file.getImportDeclarations().length === 0 && !/\b(require|import)\s*\(/.test(file.getFullText())) continue;
      const usesIoredis = file.getImportDeclarations().some((d) => d.getModuleSpecifierValue() === 'ioredis') || requiredModules(file, ['ioredis']).length > 0;
      if (usesIoredis) {
        // ioredis 4, 5 and 6 (its default "legacy" reply mapping) resolve every converted command with the same values.
        const major = clientMajor(dirname(path), 'ioredis') ?? options.clientVersion;
        if (major !== 4 && major !== 5 && major !== 6) {
          const finding: Finding = {
            path,
            line: 1,
            column: 1,
            rule: 'ioredis/version',
            message: major === undefined ? 'no package.json above this file names ioredis: its major version is unknown' : `ioredis ${major} is not supported (ioredis 4, 5 and 6 are)`,
          };
          findings.push(rel(finding));
          block(path, finding);
          continue;
        }
      }
      const ioredisResult = convertIoredisFile(file, scripts, calls, types, members);
      const nodeRedisResult = nodeRedisLoaded ? convertNodeRedisFile(file, nodeRedisMajor(dirname(path), options.clientVersion), scripts, calls) : { text: null, findings: [] };
      if (ioredisResult.text !== null && nodeRedisResult.text !== null) {
        const finding: Finding = { path, line: 1, column: 1, rule: 'codemod/mixed-clients', message: 'a file using both ioredis and node-redis clients is not converted' };
        findings.push(rel(finding));
        block(path, finding);
        continue;
      }
      const result = nodeRedisResult.text !== null || nodeRedisResult.findings.length > 0 ? nodeRedisResult : ioredisResult;
      const own = [...ioredisResult.findings, ...(result === nodeRedisResult ? nodeRedisResult.findings : [])];
      findings.push(...own.map(rel));
      if (result.text === null) {
        if (own[0] !== undefined) block(path, own[0]);
        continue;
      }
      // The file's tree and the converter's edits locate the changed statements without parsing the converted text again.
      const formatted = format.format(path, result.text, file.getFullText(), result.edits === undefined ? undefined : { tree: file.compilerNode, edits: result.edits });
      // Awaited in order below; a failure of the worker is thrown there once, not left unhandled for the files after it.
      formatted.catch(() => undefined);
      settling.push({ at: findings.length, path, before: file.getFullText(), formatted });
    }
    options.onProgress?.(files.length, files.length);
    // The files each converted one shares clients with (while the worker formats), those outside the run's paths staying as they are.
    const shared = settling.length === 0 ? new Map<string, Set<string>>() : sharedClients(project.getProgram().compilerObject, files);
    // A partner that is not one of the files read: found but too large, under the paths but excluded, or elsewhere.
    const [read, sized, listed] = [new Set(files), new Set(found), new Set(under)];
    const outside = (f: string): string => (sized.has(f) ? 'is left unchanged (codemod/too-large)' : listed.has(f) ? 'is excluded (--exclude)' : 'is not among the paths given');
    for (const partners of shared.values()) for (const partner of partners) if (!read.has(partner)) blocked.set(partner, outside(partner));
    const settled = [];
    for (const s of settling) {
      const after = await s.formatted;
      // Prettier parses the file: a result it cannot parse is never written.
      if ('error' in after) blocked.set(s.path, 'does not parse once converted');
      settled.push({ ...s, after });
    }
    const tied = tiedTo(shared, new Set(blocked.keys()));
    let from = 0;
    for (const { at, path, before, after } of settled) {
      reported.push(...findings.slice(from, at));
      from = at;
      if ('error' in after) {
        reported.push(rel({ path, line: 1, column: 1, rule: 'codemod/parse-error', message: `the converted file does not parse, left unchanged: ${after.error.split('\n')[0]}` }));
        continue;
      }
      if (after.text === before) continue;
      const tie = tied.get(path);
      if (tie !== undefined) {
        const through = tie.via === undefined ? '' : ` (through ${shown(cwd, tie.via)})`;
        reported.push(
          rel({
            path,
            line: 1,
            column: 1,
            rule: 'codemod/shared-client',
            message: `file left unchanged: it shares Redis clients with ${shown(cwd, tie.blocked)}${through}, which ${blocked.get(tie.blocked)}; converting one without the other would break the code between them`,
          }),
        );
        continue;
      }
      if (options.write === true && !written(path, after.text)) continue;
      changed.push({ path: shown(cwd, path), before, after: after.text });
      converted += runtimeCalls(after.text) - runtimeCalls(before);
      const manifest = manifestOf(dirname(path));
      if (manifest !== undefined) manifestDirs.add(manifest);
    }
    reported.push(...findings.slice(from));
    const manifests: ChangedFile[] = [];
    const wanted = manifestDirs.size > 0 ? runtimeDependencies() : {};
    for (const manifest of manifestDirs) {
      const before = readFileSync(manifest, 'utf8');
      const after = withDependencies(before, wanted);
      if (after === undefined) continue;
      if (options.write === true && !written(manifest, after)) continue;
      manifests.push({ path: shown(cwd, manifest), before, after });
    }
    return {
      changed,
      findings: reported,
      scanned: found.length,
      functions: scripts.functions,
      manifests,
      converted,
      notices: notice === undefined ? [] : [notice],
    };
  } finally {
    await format.close();
  }

  /** Write atomically; a file that cannot be written is reported and the run goes on. */
  function written(path: string, text: string): boolean {
    try {
      writeAtomically(path, text);
      return true;
    } catch (error) {
      reported.push(rel({ path, line: 1, column: 1, rule: 'codemod/write-error', message: `not written: ${error instanceof Error ? error.message : String(error)}` }));
      return false;
    }
  }
}

/** A path as the user would write it: relative to `cwd` when inside it, absolute otherwise. */
function shown(cwd: string, path: string): string {
  const r = relative(cwd, path);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? path : r;
}

function sourceFiles(path: string): string[] {
  const stat = statSync(path);
  if (stat.isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/**
 * node-redis' major version: `redis` in the nearest package.json naming it (or
 * `@redis/client`, whose 1.x is node-redis 4), else `--client-version`, else
 * undefined (the converter then uses the @redis/client the types come from).
 */
function nodeRedisMajor(dir: string, clientVersion: number | undefined): 4 | 5 | undefined {
  const redis = clientMajor(dir, 'redis');
  const client = clientMajor(dir, '@redis/client');
  const major = redis ?? (client === 1 ? 4 : client) ?? clientVersion;
  return major === 4 || major === 5 ? major : undefined;
}

/** The major version of `name` in the nearest package.json above `dir` that depends on it. */
function clientMajor(dir: string, name: string): number | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const pkgPath = join(d, 'package.json');
    // One that is not JSON names nothing (the run reports it: invalidManifests).
    const pkg = existsSync(pkgPath) ? (parsedManifest(pkgPath) as Record<string, Record<string, string> | undefined> | undefined) : undefined;
    if (pkg !== undefined) {
      const range = pkg['dependencies']?.[name] ?? pkg['devDependencies']?.[name] ?? pkg['peerDependencies']?.[name];
      if (range !== undefined) {
        const m = /(\d+)/.exec(range);
        return m === null ? undefined : Number(m[1]);
      }
    }
    if (dirname(d) === d) return undefined;
  }
}

/** A package.json's content, or undefined when it is not a JSON object. */
function parsedManifest(path: string): Record<string, unknown> | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof pkg === 'object' && pkg !== null && !Array.isArray(pkg) ? (pkg as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The package.json files above `files` (each one's nearest) that are not JSON
 * objects, as findings: npm cannot read them either, the client's version
 * cannot be read from them, and the converted code's dependencies cannot be
 * added to them.
 */
function invalidManifests(files: readonly string[]): Finding[] {
  const manifests = new Set(files.map((f) => manifestOf(dirname(f))).filter((m) => m !== undefined));
  return [...manifests]
    .filter((m) => parsedManifest(m) === undefined)
    .map((path) => ({
      path,
      line: 1,
      column: 1,
      rule: 'codemod/package-json',
      message: 'not a JSON object: the client versions it names are not read from it, and pg and redis2sql are not added to it',
    }));
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.redis2sql-${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Converted call sites in a text: each becomes one call of the runtime's
 * command functions (`r2s.ioredis(…)`, `r2s.nodeRedis(…)`, `r2s.ioredisMulti(…)`…)
 * or a batch's `.add(…)`; argument helpers (`r2s.text`) are not sites.
 */
function runtimeCalls(text: string): number {
  return (text.match(/\br2s\s*\.\s*(?:ioredis|nodeRedis)\w*\s*[<(]|\.add\(/g) ?? []).length;
}
