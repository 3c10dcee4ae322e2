/**
 * The codemod's behavioural sample apps (fixtures/codemod/apps/<app>/): an
 * `app.input.ts` whose `run(client, other)` returns what each call resolved
 * to (`other` is a second connection), its converted `app.output.ts`, and
 * `redis-values.json`, what the real client returned from redis-server
 * (scripts/record-codemod-app.ts). A CommonJS app has several modules
 * requiring each other: `input/*.js` (`run` exported by app.js), converted
 * into `output/*.js`.
 *
 * An app imports its client by its real package name (`redis`), while this
 * repository installs node-redis 4 and 5 side by side under aliases, so each
 * app runs from a scratch copy whose node_modules link the right client.
 */
import { EventEmitter } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { createClient as createClient4 } from 'redis4';
import { createClient as createClient5 } from 'redis5';
import { codemod, type CodemodResult } from '../../src/codemod/index.js';
import { nodeRedisScripts, type NodeRedisScriptDefinition } from '../../src/codemod/script-runtime.js';
import { encodeValue, forCommonJsRuntime, fromDirectory, installCommonJsRuntime } from './codemod-values.js';
import type { Database } from '../../src/db/types.js';

export interface App {
  /** Its directory under fixtures/codemod/apps. */
  readonly name: string;
  readonly client: 'ioredis' | 'node-redis4' | 'node-redis5';
  /** CommonJS modules under input/ and output/ (app.js exports `run`), rather than one app.input.ts. */
  readonly commonjs?: boolean;
}

export const APPS: readonly App[] = [
  { name: 'ioredis5', client: 'ioredis' },
  { name: 'node-redis4', client: 'node-redis4' },
  { name: 'node-redis5', client: 'node-redis5' },
  { name: 'ioredis5-commonjs', client: 'ioredis', commonjs: true },
];

/** One source file of an app: where its input and converted output are (under the app's directory) and its name in a scratch copy. */
export interface AppFile {
  readonly input: string;
  readonly output: string;
  readonly scratch: string;
}

/**
 * The source files of `app`, the one `run` comes from first.
 *
 *   appFiles({ name: 'ioredis5', … })  → [{ input: 'app.input.ts', output: 'app.output.ts', scratch: 'app.input.ts' }]
 */
export function appFiles(app: App): AppFile[] {
  if (app.commonjs !== true) return [{ input: 'app.input.ts', output: 'app.output.ts', scratch: 'app.input.ts' }];
  const names = readdirSync(join(APPS_DIR, app.name, 'input')).sort((a, b) => Number(b === 'app.js') - Number(a === 'app.js') || (a < b ? -1 : 1));
  return names.map((f) => ({ input: `input/${f}`, output: `output/${f}`, scratch: f }));
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const APPS_DIR = join(REPO, 'fixtures/codemod/apps');

const LINKS: Readonly<Record<App['client'], Readonly<Record<string, string>>>> = {
  ioredis: { ioredis: 'node_modules/ioredis' },
  'node-redis4': { redis: 'node_modules/redis4', '@redis/client': 'node_modules/@redis/client' },
  'node-redis5': { redis: 'node_modules/redis5', '@redis/client': 'node_modules/redis5/node_modules/@redis/client' },
};
const COMMON = { pg: 'node_modules/pg', '@types/pg': 'node_modules/@types/pg', '@types/node': 'node_modules/@types/node' };

type Run = (client: unknown, other: unknown) => Promise<unknown[]>;

/** An app module: `run`, and the scripts its first client is created with (node-redis `createClient({ scripts })`), if any. */
interface AppModule {
  readonly run: Run;
  readonly SCRIPTS?: Readonly<Record<string, NodeRedisScriptDefinition>>;
}

/**
 * A scratch copy of the app (package.json, its input files; `output` for
 * the converted ones) with its node_modules linked, redis2sql installed for
 * a CommonJS app.
 */
export function scratchApp(app: App, side: 'input' | 'output' = 'input'): string {
  const dir = mkdtempSync(join(tmpdir(), `redis2sql-app-${app.name}-`));
  cpSync(join(APPS_DIR, app.name, 'package.json'), join(dir, 'package.json'));
  for (const f of appFiles(app)) cpSync(join(APPS_DIR, app.name, side === 'input' ? f.input : f.output), join(dir, f.scratch));
  for (const [name, target] of Object.entries({ ...LINKS[app.client], ...COMMON })) {
    const at = join(dir, 'node_modules', name);
    mkdirSync(join(at, '..'), { recursive: true });
    symlinkSync(join(REPO, target), at, 'dir');
  }
  if (app.commonjs === true) installCommonJsRuntime(dir);
  return dir;
}

/** The codemod over the scratch copy's source files (a dry run). */
export function convertApp(dir: string, app: App): Promise<CodemodResult> {
  return codemod(
    appFiles(app).map((f) => f.scratch),
    { cwd: dir },
  );
}

/**
 * Run the app with two real clients against redis-server on `port` (after
 * FLUSHALL); its values encoded as JSON that keeps prototypes and Buffers.
 */
export async function runWithRedis(app: App, port: number): Promise<unknown[]> {
  const dir = scratchApp(app);
  try {
    return await runAppWithRedis(app, port, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAppWithRedis(app: App, port: number, dir: string): Promise<unknown[]> {
  const { run, SCRIPTS } = (await import(pathToFileURL(join(dir, appFiles(app)[0]!.scratch)).href)) as AppModule;
  if (app.client === 'ioredis') {
    const [a, b] = [0, 1].map(() => new Redis({ port, host: '127.0.0.1', lazyConnect: true })) as [Redis, Redis];
    // The second client is the app's to connect (its connect() is one of the values), or connects at its first command.
    await a.connect();
    try {
      await a.flushall();
      return (await run(a, b)).map(encodeValue);
    } finally {
      await a.quit();
      await b.quit();
    }
  }
  const options = { socket: { port, host: '127.0.0.1' } };
  // Both majors' createClient take the definitions defineScript() built in the app.
  const scripted = { ...options, ...(SCRIPTS === undefined ? {} : { scripts: SCRIPTS as never }) };
  const [a, b] = app.client === 'node-redis4' ? [createClient4(scripted), createClient4(options)] : [createClient5(scripted), createClient5(options)];
  await a.connect();
  await b.connect();
  try {
    await a.flushAll();
    return (await run(a, b)).map(encodeValue);
  } finally {
    await a.quit();
    await b.quit();
  }
}

/**
 * Run the app's committed converted output on `target` (a PGlite database or
 * a pg Pool; both arguments get it), its runtime import pointed at this
 * repository's source; values encoded as runWithRedis encodes them.
 */
export async function runConverted(app: App, target: unknown): Promise<unknown[]> {
  const dir = scratchApp(app, app.commonjs === true ? 'output' : 'input');
  try {
    return await runConvertedIn(app, target, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runConvertedIn(app: App, target: unknown, dir: string): Promise<unknown[]> {
  if (app.commonjs === true) {
    // The converted modules as they are: they require redis2sql/codemod-runtime, installed in the scratch copy.
    const { run } = (await import(pathToFileURL(join(dir, appFiles(app)[0]!.scratch)).href)) as AppModule;
    const own = isDatabase(target) ? poolLike(forCommonJsRuntime(target, dir)) : target;
    return (await fromDirectory(dir, () => run(own, own))).map(encodeValue);
  }
  const source = readFileSync(join(APPS_DIR, app.name, 'app.output.ts'), 'utf8').replace(
    /from ['"]redis2sql\/codemod-runtime['"]/,
    `from ${JSON.stringify(join(REPO, 'src/codemod/runtime.ts'))}`,
  );
  writeFileSync(join(dir, 'app.run.ts'), source);
  const { run, SCRIPTS } = (await import(pathToFileURL(join(dir, 'app.run.ts')).href)) as AppModule;
  // The converted app's definitions ride on the pool, as r2s.nodeRedisScripts() puts them where createClient({ scripts }) was converted.
  const own = isDatabase(target) ? poolLike(target) : target;
  if (SCRIPTS !== undefined) nodeRedisScripts(own as object, SCRIPTS);
  return (await run(own, own)).map(encodeValue);
}

function isDatabase(target: unknown): target is Database {
  return typeof target === 'object' && target !== null && 'kind' in target && !(target instanceof EventEmitter);
}

/**
 * A database of this repository (PGlite in `npm test`) with the event side
 * of the pg Pool a converted application gets: its `on('error', …)`
 * listeners stay as the client's were (src/codemod/ioredis.ts).
 */
function poolLike(db: Database): Database & Pick<EventEmitter, 'on' | 'once' | 'off' | 'emit'> {
  const events = new EventEmitter();
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    close: () => db.close(),
    on: (event, listener) => (events.on(event, listener), events),
    once: (event, listener) => (events.once(event, listener), events),
    off: (event, listener) => (events.off(event, listener), events),
    emit: (event, ...args) => events.emit(event, ...args),
  };
}

/** The values recorded from the real client (scripts/record-codemod-app.ts), encoded as runWithRedis encodes them. */
export function recordedValues(app: App): unknown[] {
  return JSON.parse(readFileSync(join(APPS_DIR, app.name, 'redis-values.json'), 'utf8')) as unknown[];
}
