import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod, formatFinding, type CodemodResult } from '../../src/codemod/index.js';

// The ioredis walk asks the checker for a receiver's type only when the
// property's name is one a client or batch has (ioredisMembers), except in
// files where the checker does not vouch for names (JavaScript, suppressed
// errors). Each file below holds a site that only a name the filter must keep
// (or a file it must not filter) finds: a missing name turns a conversion into
// an untouched call, or drops a report.
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = "return redis.call('INCR', KEYS[1])";
/** The start of a file with a client of its own. */
const OWN = "import { Redis } from 'ioredis';\n\nconst redis = new Redis();\n\n";

const FILES: Readonly<Record<string, string>> = {
  'package.json': JSON.stringify({ name: 'walk-names', private: true, type: 'module', dependencies: { ioredis: '^5.4.0' } }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: true, noEmit: true } }),
  'client.ts': "import { Redis } from 'ioredis';\n\nexport const redis = new Redis();\n",
  // A command the project declares for its defineCommand: a member only through the augmentation.
  'augmented.ts': [
    "import type { Result } from 'ioredis';",
    "import { redis } from './client.js';",
    '',
    `redis.defineCommand('bumpTyped', { numberOfKeys: 1, lua: ${JSON.stringify(SCRIPT)} });`,
    '',
    "declare module 'ioredis' {",
    '  interface RedisCommander<Context> {',
    '    bumpTyped(key: string): Result<number, Context>;',
    '  }',
    '}',
    '',
    "export const bumped = () => redis.bumpTyped('n');",
    '',
  ].join('\n'),
  // JavaScript calls what defineCommand added without any declaration, here through an untyped parameter.
  'defined.js': [
    "import { redis } from './client.js';",
    '',
    `redis.defineCommand('bumpUntyped', { numberOfKeys: 1, lua: ${JSON.stringify(SCRIPT)} });`,
    '',
    'function bump(c, key) {',
    '  return c.bumpUntyped(key);',
    '}',
    '',
    "export const bumped = () => bump(redis, 'n');",
    '',
  ].join('\n'),
  // …and any other name, which is reported (the file is left as it was). The files with reports have
  // clients of their own: sharing client.ts' would leave the files above unchanged too (src/codemod/shared-clients.ts).
  'unknown.js': `${OWN}export const f = () => redis.frobnicate('k');\n`,
  // A TypeScript file that silences the checker may call any name too.
  'suppressed.ts': `${OWN}// @ts-expect-error added at run time\nexport const f = () => redis.frobnicate('k');\n`,
  // Properties read, not called: a client's and a batch's.
  'status.ts': `${OWN}export const up = () => redis.status === 'ready';\n`,
  'batch-method.ts': `${OWN}export const getter = () => redis.pipeline().get;\n`,
  // A batch's length, which the converted batch has too: left as written.
  'batch-length.ts': "import { redis } from './client.js';\n\nexport const queued = () => redis.pipeline().get('a').length;\n",
  // A batch's commands, in a chain and on a builder variable.
  'batch.ts': [
    "import { redis } from './client.js';",
    '',
    'export async function both() {',
    "  const m = redis.multi();",
    "  m.hset('h', 'f', 'v');",
    "  return [await m.exec(), await redis.pipeline().hget('h', 'f').exec()];",
    '}',
    '',
  ].join('\n'),
  'cluster.ts': "import { Cluster } from 'ioredis';\n\nexport const cluster = new Cluster([{ host: 'localhost', port: 7000 }]);\n",
  // Receivers that are literals, or have other names, are never clients: left alone, unreported.
  'other.ts': "export const xs = (tags: string[]) => [...tags].sort().length + new Map([['a', 1]]).get('a')!;\n",
};

describe('codemod: the ioredis walk looks at the names a client or batch has', () => {
  let dir: string;
  let result: CodemodResult;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis2sql-walk-names-'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    result = await codemod(['.'], { cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const after = (path: string): string | undefined => result.changed.find((c) => c.path === path)?.after;
  const reported = (path: string): string[] => result.findings.filter((f) => f.path === path).map(formatFinding);

  it('converts a command a module augmentation declares', () => {
    expect(after('augmented.ts')).toMatch(/bumped = \(\) =>\s*r2s\.ioredis<number>\(\s*redis,\s*'SELECT redis\.lua_run\(\$1, \$2::text\[\], \$3::bytea\[\]\) AS reply',\s*\['[0-9a-f]{40}', /);
    expect(after('augmented.ts')).not.toContain('redis.bumpTyped');
  });

  it('converts, in JavaScript, a defined command called on an untyped parameter', () => {
    expect(after('defined.js')).toMatch(/return r2s\.ioredis\(\s*c,\s*'SELECT redis\.lua_run\(\$1, \$2::text\[\], \$3::bytea\[\]\) AS reply',\s*\['[0-9a-f]{40}', /);
  });

  it('reports a name no client has where the checker does not vouch for names: JavaScript, @ts-expect-error', () => {
    expect(reported('unknown.js')).toEqual(['unknown.js:5:24: warning: frobnicate() is not a Redis command redis2sql knows [ioredis/unsupported-method]', 'unknown.js:5:24: warning: file left unchanged: a file is converted whole (every use of its ioredis clients) or not at all [ioredis/file-untouched]']);
    expect(reported('suppressed.ts')).toEqual([
      'suppressed.ts:6:24: warning: frobnicate() is not a Redis command redis2sql knows [ioredis/unsupported-method]',
      'suppressed.ts:6:24: warning: file left unchanged: a file is converted whole (every use of its ioredis clients) or not at all [ioredis/file-untouched]',
    ]);
    expect(after('unknown.js')).toBeUndefined();
    expect(after('suppressed.ts')).toBeUndefined();
  });

  it("reports a client's and a batch's property read", () => {
    expect(reported('status.ts')).toEqual(["status.ts:5:25: warning: 'status' of an ioredis client is not a command call [ioredis/property]", 'status.ts:5:25: warning: file left unchanged: a file is converted whole (every use of its ioredis clients) or not at all [ioredis/file-untouched]']);
    expect(reported('batch-method.ts')).toEqual([
      "batch-method.ts:5:29: warning: 'get' of an ioredis batch is not a command call [ioredis/property]",
      'batch-method.ts:5:29: warning: file left unchanged: a file is converted whole (every use of its ioredis clients) or not at all [ioredis/file-untouched]',
    ]);
  });

  it("keeps a batch's length read, which the converted batch has", () => {
    expect(reported('batch-length.ts')).toEqual([]);
    expect(after('batch-length.ts')).toMatch(/r2s\s*\.ioredisPipeline\(redis\)\s*\.add\([\s\S]*\)\.length;\n$/);
  });

  it("converts a batch's commands", () => {
    const text = after('batch.ts') ?? '';
    expect(text).toContain('r2s.ioredisMulti(redis)');
    expect(text).toMatch(/m\.add\(\s*'SELECT redis\.hset\(/);
    expect(text).toMatch(/r2s\s*\.ioredisPipeline\(redis\)\s*\.add\(\s*"SELECT h\.value AS reply/);
  });

  it('reports a cluster, and leaves other receivers alone', () => {
    expect(reported('cluster.ts')).toEqual([
      'cluster.ts:3:24: warning: cluster clients are not converted (PostgreSQL has no cluster topology to mirror) [ioredis/cluster]',
      'cluster.ts:3:24: warning: file left unchanged: a file is converted whole (every use of its ioredis clients) or not at all [ioredis/file-untouched]',
    ]);
    expect(reported('other.ts')).toEqual([]);
    expect(after('other.ts')).toBeUndefined();
  });
});

describe('codemod: an index signature merged into the client makes every name a member', () => {
  let dir: string;
  let result: CodemodResult;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis2sql-walk-index-'));
    writeFileSync(join(dir, 'package.json'), FILES['package.json']!);
    writeFileSync(join(dir, 'tsconfig.json'), FILES['tsconfig.json']!);
    writeFileSync(join(dir, 'client.ts'), FILES['client.ts']!);
    writeFileSync(
      join(dir, 'any.ts'),
      [
        "import { redis } from './client.js';",
        '',
        "declare module 'ioredis' {",
        '  interface RedisCommander<Context> {',
        '    [command: string]: any;',
        '  }',
        '}',
        '',
        "export const f = () => redis.frobnicate('k');",
        '',
      ].join('\n'),
    );
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    result = await codemod(['.'], { cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a call of a name only the index signature declares, and leaves the client it shares as it was', () => {
    expect(result.findings.map(formatFinding)).toEqual([
      'any.ts:9:24: warning: frobnicate() is not a Redis command redis2sql knows [ioredis/unsupported-method]',
      'any.ts:9:24: warning: file left unchanged: a file is converted whole (every use of its ioredis clients) or not at all [ioredis/file-untouched]',
      'client.ts:1:1: warning: file left unchanged: it shares Redis clients with any.ts, which is left unchanged (ioredis/unsupported-method at 9:24); converting one without the other would break the code between them [codemod/shared-client]',
    ]);
    expect(result.changed).toEqual([]);
  });
});
