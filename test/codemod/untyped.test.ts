import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod, formatFinding, type CodemodResult } from '../../src/codemod/index.js';

// ioredis 4 in a JavaScript project without @types/ioredis (no annotations,
// no JSDoc): clients are traced from the constructor through module-level
// variables, exports and imports across files, class members and the
// parameters of functions every call of which passes a client. The value
// fixture fixtures/codemod/values/ioredis4-untyped proves the converted
// values against the real client; this test pins the tracing across files.
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const FILES: Readonly<Record<string, string>> = {
  'package.json': JSON.stringify({ name: 'untyped', private: true, type: 'module', dependencies: { ioredis: '^4.31.0' } }),
  'client.js': "import Redis from 'ioredis';\n\nexport const redis = new Redis(process.env.REDIS_URL);\n",
  'hits.mjs': "import { redis } from './client.js';\n\nexport async function hits(page) {\n  return redis.incr(`hits:${page}`);\n}\n",
  'sizes.js': [
    "import { redis } from './client.js';",
    '',
    '// c is a client in one call and not in the other: its uses are not converted.',
    'function size(c, k) {',
    '  return c.strlen(k);',
    '}',
    'const other = { strlen: () => 0 };',
    '',
    'function len(c, k) {',
    '  return c.llen(k);',
    '}',
    '',
    "export const sizes = async () => [await size(redis, 'a'), size(other, 'b'), await len(redis, 'l')];",
    '',
  ].join('\n'),
  'legacy.cjs': "const Redis = require('ioredis');\n\nconst r = new Redis();\nmodule.exports = { get: (k) => r.get(k) };\n",
};

describe('codemod: ioredis 4 in JavaScript without types', () => {
  let dir: string;
  let result: CodemodResult;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis2sql-untyped-'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(REPO, 'node_modules/ioredis4'), join(dir, 'node_modules/ioredis'), 'dir');
    result = await codemod(['.'], { cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const after = (path: string): string | undefined => result.changed.find((c) => c.path === path)?.after;

  it('converts the construction of a client exported by one file and its calls in another', () => {
    expect(after('client.js')).toMatch(/export const redis = new pg\.Pool\(\{\s*connectionString: process\.env\.DATABASE_URL,?\s*\}\);/);
    expect(after('client.js')).not.toContain('ioredis');
    expect(after('hits.mjs')).toMatch(/return r2s\.ioredis\(\s*redis,\s*"[^"]*redis\.incrby/);
  });

  it('converts a parameter every call of which passes a client, and only that one', () => {
    const sizes = after('sizes.js') ?? '';
    expect(sizes).toMatch(/return r2s\.ioredis\(\s*c,\s*"SELECT[^"]*'list'/);
    expect(sizes).toContain('return c.strlen(k);');
  });

  it('converts a CommonJS file, which stays CommonJS: requires of pg and the runtime in place of require(\'ioredis\')', () => {
    const legacy = after('legacy.cjs') ?? '';
    expect(legacy).toMatch(/^const pg = require\('pg'\);\nconst r2s = require\('redis2sql\/codemod-runtime'\);\n/);
    expect(legacy).not.toMatch(/require\(['"]ioredis['"]\)|\bimport\b/);
    expect(legacy).toMatch(/get: \(k\) =>\s*r2s\.ioredis\(\s*r,/);
    expect(result.findings.map(formatFinding)).toEqual([]);
  });

  it('changes only the files of the project: the lent declarations stay in memory', () => {
    expect(result.changed.map((c) => c.path).sort()).toEqual(['client.js', 'hits.mjs', 'legacy.cjs', 'sizes.js']);
  });

  it('finds the client module when only files importing it are given, and converts them with it or not at all', async () => {
    const both = await codemod(['hits.mjs', 'client.js'], { cwd: dir });
    expect(both.changed.find((c) => c.path === 'hits.mjs')?.after).toBe(after('hits.mjs'));
    // Converted alone, hits.mjs would hand the runtime the ioredis client client.js still makes (src/codemod/shared-clients.ts).
    const only = await codemod(['hits.mjs'], { cwd: dir });
    expect(only.changed).toEqual([]);
    expect(only.findings.map(formatFinding)).toEqual([
      'hits.mjs:1:1: warning: file left unchanged: it shares Redis clients with client.js, which is not among the paths given; converting one without the other would break the code between them [codemod/shared-client]',
    ]);
  }, 120_000);
});
