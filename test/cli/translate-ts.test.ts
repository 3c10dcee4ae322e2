import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it } from 'vitest';
import { codemod } from '../../src/codemod/index.js';
import { renderSnippet } from '../../src/codemod/snippet.js';
import { tokenize } from '../../src/grammar/tokenize.js';
import { runCli } from './run-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'redis2sql-ts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** ioredis calls and the redis-cli line of the same command. */
const CASES: readonly (readonly [string, string])[] = [
  ["zadd('lb', 10, 'alice')", 'ZADD lb 10 alice'],
  ["get('greeting')", 'GET greeting'],
  ["set('greeting', 'it\\'s \"here\"', 'EX', 10)", `SET greeting "it's \\"here\\"" EX 10`],
  ["hgetall('user:1')", 'HGETALL user:1'],
  ["lrange('queue', 0, -1)", 'LRANGE queue 0 -1'],
  ["incrby('hits', 5)", 'INCRBY hits 5'],
];

/** The awaited expression of `const x = await <expr>;`, formatted by prettier and without type arguments. */
async function awaited(code: string): Promise<string[]> {
  const out: string[] = [];
  for (const m of code.matchAll(/= await ([\s\S]*?\));\n/g)) {
    const formatted = await prettier.format(`${m[1]!};`, { parser: 'typescript', printWidth: 10_000 });
    out.push(formatted.replace(/^r2s\.(\w+)<[^(]*>\(/, 'r2s.$1('));
  }
  return out;
}

describe('translate --format ts', () => {
  it('prints the renderer\'s snippet for each command, for each client', async () => {
    for (const [, line] of CASES) {
      const r = await runCli(['translate', '--format', 'ts', line]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const argv = tokenize(line).map(String);
      expect(r.stdout).toBe(renderSnippet(argv));
    }
    const v4 = await runCli(['translate', '--format', 'ts', '--client', 'node-redis4', 'SISMEMBER s m']);
    expect(v4.stdout).toBe(renderSnippet(['SISMEMBER', 's', 'm'], { flavour: 'node-redis4' }));
    expect(v4.stdout).toContain("'boolean')");
  });

  it('is the code the codemod writes for the same ioredis call', { timeout: 300_000 }, async () => {
    const dir = join(tmp, 'app');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', dependencies: { ioredis: '^5.4.0' } }));
    const source = ["import Redis from 'ioredis';", 'const pool = new Redis();', ...CASES.map(([call], i) => `export const reply${i} = await pool.${call};`), ''].join('\n');
    writeFileSync(join(dir, 'app.ts'), source);
    const result = await codemod(['app.ts'], { cwd: dir });
    expect(result.findings).toEqual([]);
    const converted = await awaited(result.changed[0]!.after);
    expect(converted).toHaveLength(CASES.length);
    for (const [i, [, line]] of CASES.entries()) {
      const r = await runCli(['translate', '--format', 'ts', line]);
      expect(await awaited(r.stdout), line).toEqual([converted[i]]);
    }
  });

  it('gives every command of a file its snippet under a header; refuses what it cannot write, exit 1', async () => {
    const r = await runCli(['translate', '--format', 'ts'], { stdin: 'GET a\nSET b "\\xff"\nMULTI\nINCR n\nEXEC\nINFO\nGET\n' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`// GET a\n${renderSnippet(['GET', 'a'])}\n`);
    expect(r.stderr.split('\n')).toEqual([
      'redis2sql: line 2: argument 2 is not valid UTF-8: --format ts writes arguments as string literals',
      expect.stringMatching(/^redis2sql: MULTI: --format ts writes one command at a time/),
      expect.stringMatching(/^redis2sql: line 6: INFO: server statistics/),
      "redis2sql: line 7: ERR wrong number of arguments for 'get' command",
      '',
    ]);
  });

  it('--client goes with --format ts only; --schema is not supported with it', async () => {
    expect(await runCli(['translate', '--client', 'ioredis', 'GET k'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--client goes with --format ts') });
    expect((await runCli(['translate', '--format', 'ts', '--client', 'jedis', 'GET k'])).code).toBe(2);
    expect((await runCli(['translate', '--format', 'ts', '--schema', 'cache', 'GET k'])).code).toBe(2);
  });
});
