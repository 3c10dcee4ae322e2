import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { codemod, formatFinding } from '../../src/codemod/index.js';
import { tiedTo } from '../../src/codemod/shared-clients.js';

// Files that hand clients to each other convert together or not at all
// (src/codemod/shared-clients.ts): a converted client is a pg Pool, which a
// file left as it was would still call Redis methods on.
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const FILES: Readonly<Record<string, string>> = {
  'package.json': JSON.stringify({ name: 'shared-clients', private: true, type: 'module', dependencies: { ioredis: '^5.4.0' } }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: true, noEmit: true } }),
  // One client, its module also exporting a plain value.
  'src/client.ts': "import { Redis } from 'ioredis';\n\nexport const redis = new Redis();\nexport const prefix = 'app:';\n",
  'src/cache.ts': "import { redis } from './client.js';\n\nexport const read = (k: string) => redis.get(k);\n",
  // A call the codemod reports (pub/sub) on the shared client: cache.ts is tied to it through client.ts.
  'src/events.ts': "import { redis } from './client.js';\n\nexport const listen = () => redis.subscribe('news');\n",
  // A client of its own, a plain value and a type from the shared modules: tied to nothing.
  'src/own.ts': [
    "import { Redis } from 'ioredis';",
    "import { prefix } from './client.js';",
    "import type { Settings } from '../lib/settings.js';",
    '',
    'const sub = new Redis();',
    '',
    "export const listen = (s: Settings) => sub.subscribe(prefix + s.channel);",
    '',
  ].join('\n'),
  // A factory, and a CommonJS consumer of another client module.
  'lib/settings.ts': "import type { Redis } from 'ioredis';\n\nexport interface Settings {\n  channel: string;\n  redis?: Redis;\n}\n",
  'lib/factory.ts': "import { Redis } from 'ioredis';\n\nexport function connect(): Promise<Redis> {\n  return Promise.resolve(new Redis());\n}\n",
  'src/user.ts': "import { connect } from '../lib/factory.js';\n\nexport const name = async (id: string) => (await connect()).get(`user:${id}`);\n",
  'cjs/client.cjs': "const Redis = require('ioredis');\n\nmodule.exports = { redis: new Redis() };\n",
  'cjs/count.cjs': "const { redis } = require('./client.cjs');\n\nmodule.exports = { count: (k) => redis.incr(k) };\n",
};

describe('codemod: files sharing clients convert together or not at all', () => {
  let dir: string;
  const run = (paths: string[], maxFileBytes?: number) => codemod(paths, { cwd: dir, ...(maxFileBytes === undefined ? {} : { maxFileBytes }) });
  const changed = (result: Awaited<ReturnType<typeof run>>): string[] => result.changed.map((c) => c.path).sort();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'redis2sql-shared-'));
    for (const [name, text] of Object.entries(FILES)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves a client and every file it reaches as they were when one of them keeps a call the codemod reports', async () => {
    const result = await run(['src/client.ts', 'src/cache.ts', 'src/events.ts']);
    expect(changed(result)).toEqual([]);
    expect(result.findings.map(formatFinding)).toEqual([
      'src/client.ts:1:1: warning: file left unchanged: it shares Redis clients with src/events.ts, which is left unchanged (ioredis/pubsub at 3:29); converting one without the other would break the code between them [codemod/shared-client]',
      'src/cache.ts:1:1: warning: file left unchanged: it shares Redis clients with src/events.ts (through src/client.ts), which is left unchanged (ioredis/pubsub at 3:29); converting one without the other would break the code between them [codemod/shared-client]',
      'src/events.ts:3:29: warning: pub/sub has no request/response equivalent in pg calls [ioredis/pubsub]',
      'src/events.ts:3:29: warning: file left unchanged: a file is converted whole (every use of its ioredis clients) or not at all [ioredis/file-untouched]',
    ]);
  }, 120_000);

  it('--write writes none of them, and the summary counts the files held back, not as call sites', async () => {
    let stdout = '';
    const io = { stdout: { write: (t: string | Uint8Array) => ((stdout += t.toString()), true) }, stderr: { write: () => true }, stdin: Readable.from([]), env: {} };
    const paths = ['src/client.ts', 'src/cache.ts', 'src/events.ts'];
    expect(await main(['codemod', '--write', ...paths.map((p) => join(dir, p))], io)).toBe(0);
    for (const path of paths) expect(readFileSync(join(dir, path), 'utf8')).toBe(FILES[path]);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('3 files scanned: 0 changed, 0 partly converted, 3 left unchanged with reported call sites, 0 unchanged; 0 call sites converted, 1 reported');
  }, 120_000);

  it('--exclude leaves files out of the run (glob patterns from the working directory, repeatable): an excluded importer holds nothing back', async () => {
    let stdout = '';
    const io = { stdout: { write: (t: string | Uint8Array) => ((stdout += t.toString()), true) }, stderr: { write: () => true }, stdin: Readable.from([]), env: {} };
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await main(['codemod', 'src', '--exclude', '**/events.ts', '--exclude', 'src/own.*', '--exclude', 'src/user.ts'], io)).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(stdout).toContain('--- a/src/client.ts\n');
    expect(stdout).toContain('--- a/src/cache.ts\n');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('2 files scanned: 2 would change, 0 partly converted, 0 left unchanged with reported call sites, 0 unchanged; 1 call site converted, 0 reported; 1 package.json would get pg and redis2sql');
    // An excluded file a converted one imports clients from holds it back, as one outside the paths does.
    const held = await codemod(['src/client.ts', 'src/cache.ts'], { cwd: dir, exclude: ['src/client.ts'] });
    expect(held.changed).toEqual([]);
    expect(held.findings.map(formatFinding)).toEqual([
      'src/cache.ts:1:1: warning: file left unchanged: it shares Redis clients with src/client.ts, which is excluded (--exclude); converting one without the other would break the code between them [codemod/shared-client]',
    ]);
  }, 120_000);

  it('converts them together when none does; a file importing only values and types without clients is tied to nothing', async () => {
    const result = await run(['src/client.ts', 'src/cache.ts', 'src/own.ts']);
    expect(changed(result)).toEqual(['src/cache.ts', 'src/client.ts']);
    expect(result.changed.find((c) => c.path === 'src/client.ts')?.after).toContain('export const redis = new pg.Pool(');
    expect(result.findings.map(formatFinding)).toEqual([
      'src/own.ts:7:40: warning: pub/sub has no request/response equivalent in pg calls [ioredis/pubsub]',
      'src/own.ts:7:40: warning: file left unchanged: a file is converted whole (every use of its ioredis clients) or not at all [ioredis/file-untouched]',
    ]);
  }, 120_000);

  it('leaves a file as it was when the client it uses comes from a file outside the paths given, through a function or a require', async () => {
    const result = await run(['src/user.ts', 'cjs/count.cjs']);
    expect(changed(result)).toEqual([]);
    expect(result.findings.map(formatFinding)).toEqual([
      'src/user.ts:1:1: warning: file left unchanged: it shares Redis clients with lib/factory.ts, which is not among the paths given; converting one without the other would break the code between them [codemod/shared-client]',
      'cjs/count.cjs:1:1: warning: file left unchanged: it shares Redis clients with cjs/client.cjs, which is not among the paths given; converting one without the other would break the code between them [codemod/shared-client]',
    ]);
    // A file given but too large to read holds back the files it shares clients with too.
    const large = await run(['src/client.ts', 'src/cache.ts'], 90);
    expect(changed(large)).toEqual([]);
    expect(large.findings.map(formatFinding)).toEqual([
      'src/client.ts:1:1: warning: the file is 98 bytes, over the 90 the codemod reads: left unchanged [codemod/too-large]',
      'src/cache.ts:1:1: warning: file left unchanged: it shares Redis clients with src/client.ts, which is left unchanged (codemod/too-large); converting one without the other would break the code between them [codemod/shared-client]',
    ]);
    const together = await run(['src/user.ts', 'lib/factory.ts', 'cjs']);
    expect(changed(together)).toEqual(['cjs/client.cjs', 'cjs/count.cjs', 'lib/factory.ts', 'src/user.ts']);
    expect(together.findings).toEqual([]);
  }, 120_000);
});

describe('tiedTo', () => {
  it('gives each file reached from a blocked one the nearest, and the file next to it on the way', () => {
    const shared = new Map([
      ['a', new Set(['c'])],
      ['b', new Set(['c'])],
      ['d', new Set(['e'])],
      ['f', new Set(['a'])],
    ]);
    expect(tiedTo(shared, new Set(['b']))).toEqual(
      new Map([
        ['c', { blocked: 'b' }],
        ['a', { blocked: 'b', via: 'c' }],
        ['f', { blocked: 'b', via: 'a' }],
      ]),
    );
    expect(tiedTo(shared, new Set(['x']))).toEqual(new Map());
    expect(tiedTo(shared, new Set(['e', 'f']))).toEqual(
      new Map([
        ['d', { blocked: 'e' }],
        ['a', { blocked: 'f' }],
        ['c', { blocked: 'f', via: 'a' }],
        ['b', { blocked: 'f', via: 'c' }],
      ]),
    );
  });
});
