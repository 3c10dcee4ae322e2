import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { codemod, formatFinding, type CodemodResult } from '../../src/codemod/index.js';
import { openProject, withDependencies } from '../../src/codemod/project.js';

const CASES = fileURLToPath(new URL('../../fixtures/codemod/cases/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function run(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => ((stdout += s.toString()), true) },
    stderr: { write: (s: string | Uint8Array) => ((stderr += s.toString()), true) },
    stdin: Readable.from([]),
    env: {},
  };
  const code = await main(argv.map((a, i) => (i === 0 || a.startsWith('-') ? a : join(cwd, a))), io);
  return { code, stdout, stderr };
}

const PACKAGE = '{\n  "name": "app",\n  "type": "module",\n  "dependencies": {\n    "ioredis": "^5.4.0"\n  }\n}\n';

/** A project of its own (package.json naming ioredis 5, the repository's node_modules) with `files` from the fixture cases. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'redis2sql-codemod-safety-'));
  writeFileSync(join(dir, 'package.json'), PACKAGE);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'src'));
  for (const [name, from] of Object.entries(files)) {
    if (from.endsWith('.ts')) copyFileSync(join(CASES, from), join(dir, 'src', name));
    else writeFileSync(join(dir, 'src', name), from);
  }
  return dir;
}

const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(['package.json', ...readdirSync(join(dir, 'src')).map((f) => `src/${f}`)].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe('codemod on bad input: a message per file, the run goes on, nothing half-written', () => {
  const BROKEN = 'import Redis from "ioredis";\nconst r = new Redis();\nexport function f( {\n  return r.get("a");\n';
  const CJS = 'const Redis = require("ioredis");\nconst redis = new Redis();\nmodule.exports = { load: (k) => redis.get(k) };\n';
  const JS = 'import Redis from "ioredis";\n// the cache\nconst redis = new Redis();\nexport async function load(k) {\n  return await redis.get(k);\n}\n';
  const HUGE = `import Redis from 'ioredis';\nconst redis = new Redis();\nexport const get = () => redis.get('k');\n${'// padding\n'.repeat(200)}`;
  let dir: string;
  let result: CodemodResult;
  let before: Record<string, string>;
  beforeAll(async () => {
    dir = project({ 'get.ts': 'get.input.ts', 'broken.ts': BROKEN, 'legacy.cjs': CJS, 'load.mjs': JS, 'huge.ts': HUGE, 'plain.js': 'export const x = 1;\n' });
    before = snapshot(dir);
    result = await codemod(['src'], { cwd: dir, write: true, maxFileBytes: 1000 });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each bad file with a clear message and leaves it byte for byte', () => {
    expect(result.findings.map(formatFinding)).toEqual([
      `src/huge.ts:1:1: warning: the file is ${HUGE.length} bytes, over the 1000 the codemod reads: left unchanged [codemod/too-large]`,
      "src/broken.ts:4:10: warning: the file does not parse (':' expected.): left unchanged [codemod/parse-error]",
    ]);
    for (const f of ['src/broken.ts', 'src/huge.ts', 'src/plain.js']) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(before[f]);
  });

  it('still converts the good files, TypeScript, ES module and CommonJS JavaScript side by side (no type arguments in JavaScript)', () => {
    expect(result.changed.map((c) => c.path).sort()).toEqual(['src/get.ts', 'src/legacy.cjs', 'src/load.mjs']);
    expect(readFileSync(join(dir, 'src/legacy.cjs'), 'utf8')).toMatch(/^const pg = require\("pg"\);\nconst r2s = require\("redis2sql\/codemod-runtime"\);\nconst redis = new pg\.Pool/);
    const js = readFileSync(join(dir, 'src/load.mjs'), 'utf8');
    expect(js).toContain('return await r2s.ioredis(\n    redis,');
    expect(js).toContain('// the cache');
    expect(readFileSync(join(dir, 'src/get.ts'), 'utf8')).toContain('r2s.ioredis<string | null>(');
    expect(result.converted).toBe(3);
    expect(result.scanned).toBe(6);
  });

  it('says when there is no tsconfig.json, and leaves no temporary file behind', () => {
    expect(result.notices).toEqual([`no tsconfig.json in the project of ${join(dir, 'src')}: types checked with default options (strict, NodeNext, allowJs)`]);
    expect(readdirSync(join(dir, 'src')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it("adds pg and redis2sql to the project's package.json, keeping its layout", () => {
    const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(
      `{\n  "name": "app",\n  "type": "module",\n  "dependencies": {\n    "ioredis": "^5.4.0",\n    "pg": "${own.dependencies['pg']}",\n    "redis2sql": "^${own.version}"\n  }\n}\n`,
    );
    expect(result.manifests.map((m) => m.path)).toEqual(['package.json']);
  });
});

describe('withDependencies', () => {
  it('adds what is missing in name order, keeps tabs and the final newline; nothing when all are there or not JSON', () => {
    expect(withDependencies('{\n\t"dependencies": {\n\t\t"zod": "1"\n\t}\n}', { pg: '^8' })).toBe('{\n\t"dependencies": {\n\t\t"pg": "^8",\n\t\t"zod": "1"\n\t}\n}');
    expect(withDependencies('{"name":"x"}\n', { pg: '^8' })).toBe('{\n  "name": "x",\n  "dependencies": {\n    "pg": "^8"\n  }\n}\n');
    expect(withDependencies('{ "dependencies": { "pg": "^7" } }', { pg: '^8' })).toBeUndefined();
    expect(withDependencies('{ oops', { pg: '^8' })).toBeUndefined();
  });
});

describe('openProject', () => {
  it('parses as tsc does: JSDoc skipped in TypeScript files, declarations included, kept in JavaScript, where it holds the types', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis2sql-jsdoc-'));
    try {
      writeFileSync(join(dir, 'a.ts'), '/** Doc. @param n a number */\nexport function f(n: number): number {\n  return n;\n}\n');
      writeFileSync(join(dir, 'b.js'), '/** @param {number} n */\nexport function g(n) {\n  return n;\n}\n');
      writeFileSync(join(dir, 'c.d.ts'), '/** Doc. */\nexport declare function h(): void;\n');
      for (const tsconfig of [false, true]) {
        if (tsconfig) writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
        const { project } = openProject(dir);
        const docs = (name: string): number => {
          const statement = project.addSourceFileAtPath(join(dir, name)).compilerNode.statements[0] as unknown as { readonly jsDoc?: readonly unknown[] };
          return statement.jsDoc?.length ?? 0;
        };
        expect([docs('a.ts'), docs('b.js'), docs('c.d.ts')]).toEqual([0, 1, 0]);
        // The JavaScript file's JSDoc still types it.
        expect(project.getSourceFileOrThrow(join(dir, 'b.js')).getFunctionOrThrow('g').getParameters()[0]!.getType().getText()).toBe('number');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('redis2sql codemod: dry run, --write, --schema-out', () => {
  let dir: string;
  beforeAll(() => {
    dir = project({ 'get.ts': 'get.input.ts', 'scripts.ts': 'scripts.input.ts', 'refused.ts': 'refused.input.ts' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the dry run (the default, or --dry-run) prints diffs and a summary, writes no source; --schema-out gets the schema and the scripts', async () => {
    const before = snapshot(dir);
    const r = await run(['codemod', '--dry-run', 'src', '--schema-out', 'schema.sql'], dir);
    expect(r.code).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    expect(r.stdout).toContain(`--- ${join(dir, 'package.json')}\n`);
    expect(r.stdout).toContain('+    "pg": "');
    expect(r.stdout.split('\n').at(-2)).toBe(
      `3 files scanned: 2 would change, 0 partly converted, 1 left unchanged with reported call sites, 0 unchanged; 6 call sites converted, 11 reported; 1 package.json would get pg and redis2sql; DDL written to ${join(dir, 'schema.sql')}`,
    );
    const ddl = readFileSync(join(dir, 'schema.sql'), 'utf8');
    expect(ddl).toContain('CREATE SCHEMA IF NOT EXISTS redis');
    // The two scripts of scripts.input.ts: the defined command and the literal eval.
    expect(ddl).toContain('CREATE OR REPLACE FUNCTION redis.lua_6e649aa25766b254f278aad07f85778b61583589(keys text[], argv bytea[])');
    expect(ddl).toContain('CREATE OR REPLACE FUNCTION redis.lua_b3c2d51d69e72f13e153b96c7ba8ca3e05fd70d1(keys text[], argv bytea[])');
  }, 180_000);

  it('--dry-run with --write is a usage error (exit 2, no stack)', async () => {
    const r = await run(['codemod', '--dry-run', '--write', 'src'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('redis2sql: --dry-run and --write contradict each other\n');
  });

  it('--write writes; a second run changes nothing', async () => {
    const r = await run(['codemod', '--write', 'src'], dir);
    expect(r.code).toBe(0);
    const written = snapshot(dir);
    expect(written['src/get.ts']).toContain('new pg.Pool({ connectionString: process.env.DATABASE_URL })');
    const again = await run(['codemod', '--write', 'src'], dir);
    expect(again.stdout.split('\n').at(-2)).toBe('3 files scanned: 0 changed, 0 partly converted, 1 left unchanged with reported call sites, 2 unchanged; 0 call sites converted, 11 reported');
    expect(snapshot(dir)).toEqual(written);
  }, 180_000);
});
