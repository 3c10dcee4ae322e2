/**
 * The codemod's value fixtures (fixtures/codemod/values/<flavour>/): each
 * `<name>.input.ts` (or .js) whose `run(client)` returns what each call resolved to,
 * its converted `<name>.output.ts`, and `<name>.redis.json`, what the real
 * client returned from redis-server (scripts/record-codemod-values.ts).
 *
 * The fixtures import their client package by its real name (`redis`), while
 * this repository installs node-redis 4 and 5 side by side under aliases, so
 * each flavour runs in a scratch project whose node_modules link the right one.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildRuntimeCjs, RUNTIME_CJS } from '../../scripts/build-runtime-cjs.js';
import type { Database, Queryable } from '../../src/db/types.js';
import { RedisError } from '../../src/errors.js';

export const FLAVOURS = ['ioredis4', 'ioredis4-untyped', 'ioredis5', 'ioredis6', 'node-redis4', 'node-redis5'] as const;
export type FlavourDir = (typeof FLAVOURS)[number];

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const VALUES = join(REPO, 'fixtures/codemod/values');

/** node_modules entries of each flavour's scratch project → where they are in this repository. */
const LINKS: Readonly<Record<FlavourDir, Readonly<Record<string, string>>>> = {
  // ioredis 4 ships no types: its users get them from @types/ioredis 4.
  ioredis4: { ioredis: 'node_modules/ioredis4', '@types/ioredis': 'node_modules/@types/ioredis4' },
  // ioredis 4 in a JavaScript project that never installed @types/ioredis.
  'ioredis4-untyped': { ioredis: 'node_modules/ioredis4' },
  ioredis5: { ioredis: 'node_modules/ioredis' },
  ioredis6: { ioredis: 'node_modules/ioredis6' },
  'node-redis4': { redis: 'node_modules/redis4', '@redis/client': 'node_modules/@redis/client' },
  'node-redis5': { redis: 'node_modules/redis5', '@redis/client': 'node_modules/redis5/node_modules/@redis/client' },
};
const COMMON = { pg: 'node_modules/pg', '@types/pg': 'node_modules/@types/pg', '@types/node': 'node_modules/@types/node' };

/**
 * A scratch copy of a flavour's fixture directory (`files` only) with its
 * node_modules linked and a tsconfig that resolves `redis2sql/codemod-runtime`
 * to this repository's source.
 */
export function scratchProject(flavour: FlavourDir, files: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), `redis2sql-values-${flavour}-`));
  cpSync(join(VALUES, flavour, 'package.json'), join(dir, 'package.json'));
  for (const f of files) cpSync(join(VALUES, flavour, f), join(dir, f));
  for (const [name, target] of Object.entries({ ...LINKS[flavour], ...COMMON })) {
    const at = join(dir, 'node_modules', name);
    mkdirSync(join(at, '..'), { recursive: true });
    symlinkSync(join(REPO, target), at, 'dir');
  }
  if (files.some((f) => f.endsWith('.cjs'))) installCommonJsRuntime(dir);
  const tsconfig = {
    extends: join(REPO, 'tsconfig.json'),
    compilerOptions: {
      noEmit: true,
      rootDir: '/',
      baseUrl: '.',
      paths: { 'redis2sql/codemod-runtime': [join(REPO, 'src/codemod/runtime.ts')] },
      typeRoots: [join(dir, 'node_modules/@types')],
      // The aliased ioredis packages are seen where a user's project has them (node_modules/ioredis, node_modules/@types/ioredis), not under their alias.
      ...(flavour === 'ioredis4' || flavour === 'ioredis6' ? { preserveSymlinks: true } : {}),
    },
    include: files.filter((f) => f.endsWith('.ts')),
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return dir;
}

/**
 * Install redis2sql into a scratch project's node_modules as an application
 * has it, for converted CommonJS files: this repository's package.json (its
 * `exports` map decides what `require('redis2sql/codemod-runtime')` loads)
 * and the runtime's CommonJS build, bundled from this repository's source by
 * the build's own script (scripts/build-runtime-cjs.ts), with its dependencies.
 *
 *   installCommonJsRuntime(scratch)  // then require('redis2sql/codemod-runtime') from scratch/x.cjs loads the bundle
 */
export function installCommonJsRuntime(dir: string): void {
  const pkg = join(dir, 'node_modules/redis2sql');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(REPO, 'package.json'), join(pkg, 'package.json'));
  buildRuntimeCjs(join(pkg, RUNTIME_CJS));
  // Its dependencies, where npm would put them for it (the build leaves them requires).
  const { dependencies } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of Object.keys(dependencies)) {
    const at = join(pkg, 'node_modules', name);
    mkdirSync(join(at, '..'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', name), at, 'dir');
  }
}

/**
 * `db` as the CommonJS runtime installed in `dir` sees a database of its own:
 * the RedisErrors this (ES module) side throws are re-thrown as the bundle's
 * RedisError, which its `instanceof` checks test. A converted application
 * never needs this: it passes a pg Pool, which the runtime wraps itself.
 *
 *   await run(forCommonJsRuntime(pglite, scratch))  // a WRONGTYPE rejects with ioredis' ReplyError, as with a pool
 */
export function forCommonJsRuntime(db: Database, dir: string): Database {
  const bundle = createRequire(join(dir, 'package.json'))('redis2sql/codemod-runtime') as { RedisError: new (message: string) => Error };
  const mapped = (error: unknown): unknown => (error instanceof RedisError ? new bundle.RedisError(error.message) : error);
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => q.query(sql, params).catch((error: unknown) => Promise.reject(mapped(error))),
    exec: (sql) => q.exec(sql).catch((error: unknown) => Promise.reject(mapped(error))),
  });
  return {
    ...wrap(db),
    kind: db.kind,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    close: () => db.close(),
  };
}

/** Import a converted fixture with its runtime import pointed at this repository's source (a CommonJS one requires the installed build). */
export async function importConverted(dir: string, file: string): Promise<{ run: (target: unknown) => Promise<unknown[]> }> {
  const source = readFileSync(join(dir, file), 'utf8').replace(
    /from ['"]redis2sql\/codemod-runtime['"]/,
    `from ${JSON.stringify(join(REPO, 'src/codemod/runtime.ts'))}`,
  );
  const runnable = join(dir, file.replace(/\.([cm]?[jt]s)$/, '.run.$1'));
  writeFileSync(runnable, source);
  return (await import(pathToFileURL(runnable).href)) as { run: (target: unknown) => Promise<unknown[]> };
}

/**
 * Import a fixture's input (the code run with the real client) from a scratch
 * project of its flavour, so that what it imports at run time (`ReplyError`
 * from 'ioredis', `ErrorReply` from 'redis') is the flavour's own package.
 */
export async function importInput(flavour: FlavourDir, input = 'values.input.ts'): Promise<{ run: (client: unknown) => Promise<unknown[]> }> {
  const dir = scratchProject(flavour, [input]);
  try {
    return (await import(pathToFileURL(join(dir, input)).href)) as { run: (client: unknown) => Promise<unknown[]> };
  } finally {
    // Its imports are loaded: the scratch copy is no longer read.
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Run `f` from `dir` as working directory: converted code finds the client's
 * error classes from the application's root (src/codemod/client-errors.ts).
 *
 *   await fromDirectory(scratch, () => run(db))
 */
export async function fromDirectory<T>(dir: string, f: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await f();
  } finally {
    process.chdir(before);
  }
}

export interface ValueFixture {
  readonly input: string;
  readonly output: string;
  /** What the real client returned (scripts/record-codemod-values.ts). */
  readonly recorded: string;
}

/**
 * A flavour's value fixtures: each `<name>.input.<ext>` (but refused.input.*,
 * a report fixture) with its `<name>.output.<ext>` and `<name>.redis.json`.
 *
 *   valueFixtures('ioredis4')  → [{ input: 'javascript.input.js', output: 'javascript.output.js', recorded: 'javascript.redis.json' }, { input: 'values.input.ts', … }]
 */
export function valueFixtures(flavour: FlavourDir): ValueFixture[] {
  return readdirSync(join(VALUES, flavour))
    .map((f) => /^([\w-]+)\.input\.([cm]?[jt]s)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && m[1] !== 'refused')
    .map(([input, name, ext]) => ({ input: input!, output: `${name}.output.${ext}`, recorded: `${name}.redis.json` }))
    .sort((a, b) => (a.input < b.input ? -1 : 1));
}

/**
 * JS values as JSON that keeps what deep equality looks at: Buffers, numbers
 * JSON cannot hold, `undefined`, and each object's prototype (plain or null).
 *
 *   encodeValue(Object.assign(Object.create(null), { a: Infinity }))  → { $null: { a: { $number: 'Infinity' } } }
 */
export function encodeValue(v: unknown): unknown {
  if (v === undefined) return { $undefined: true };
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
  if (Buffer.isBuffer(v)) return { $buffer: v.toString('hex') };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v instanceof Date) return { $date: v.toISOString() };
  if (typeof v === 'object' && v !== null) {
    const entries = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x)]));
    return Object.getPrototypeOf(v) === null ? { $null: entries } : { $object: entries };
  }
  return v;
}

/** The inverse of encodeValue. */
export function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  if ('$undefined' in o) return undefined;
  if ('$number' in o) return Number(o['$number']);
  if ('$buffer' in o) return Buffer.from(String(o['$buffer']), 'hex');
  if ('$date' in o) return new Date(String(o['$date']));
  const entries = Object.entries((o['$null'] ?? o['$object']) as Record<string, unknown>).map(([k, x]) => [k, decodeValue(x)] as const);
  const out = '$null' in o ? (Object.create(null) as Record<string, unknown>) : ({} as Record<string, unknown>);
  for (const [k, x] of entries) Object.defineProperty(out, k, { value: x, enumerable: true, configurable: true, writable: true });
  return out;
}
