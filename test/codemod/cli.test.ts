import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

const CASES = fileURLToPath(new URL('../../fixtures/codemod/cases/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function run(argv: string[], stderrTTY = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => ((stdout += s.toString()), true) },
    stderr: { write: (s: string | Uint8Array) => ((stderr += s.toString()), true), isTTY: stderrTTY, columns: 100 },
    stdin: Readable.from([]),
    env: {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('redis2sql codemod', () => {
  // A project of its own: a package.json naming ioredis 5, and the repository's
  // node_modules so that the checker resolves ioredis' types.
  const project = mkdtempSync(join(tmpdir(), 'redis2sql-codemod-cli-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', dependencies: { ioredis: '^5.4.0' } }));
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
  copyFileSync(join(CASES, 'get.input.ts'), join(project, 'get.ts'));
  copyFileSync(join(CASES, 'refused.input.ts'), join(project, 'refused.ts'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('dry run: the unified diff, one line per reported call site, a summary; nothing written', async () => {
    const r = await run(['codemod', join(project, 'get.ts'), join(project, 'refused.ts')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`--- ${join(project, 'get.ts')}\n+++ ${join(project, 'get.ts')}\n@@ -1,8 +1,14 @@\n`);
    expect(r.stdout).toContain(`${join(project, 'refused.ts')}:8:3: warning: a callback given by an expression other than a function or a name is not converted [ioredis/callback]\n`);
    expect(r.stdout).toContain("\n-import Redis from 'ioredis';\n+import pg from 'pg';\n+import * as r2s from 'redis2sql/codemod-runtime';\n");
    expect(r.stdout).toMatch(/refused\.ts:11:9: warning: pub\/sub has no request\/response equivalent in pg calls \[ioredis\/pubsub\]\n/);
    expect(r.stdout.endsWith(
      '2 files scanned: 1 would change, 0 partly converted, 1 left unchanged with reported call sites, 0 unchanged; 1 call site converted, 11 reported; 1 package.json would get pg and redis2sql\n',
    )).toBe(true);
    expect(readFileSync(join(project, 'get.ts'), 'utf8')).toBe(readFileSync(join(CASES, 'get.input.ts'), 'utf8'));
  }, 120_000);

  it('shows a progress bar on a terminal stderr, by files, and erases it; the output is the same', async () => {
    const files = [join(project, 'get.ts'), join(project, 'refused.ts')];
    const tty = await run(['codemod', ...files], true);
    expect(tty.code).toBe(0);
    const bar = tty.stderr.replace(/\x1b\[[0-9;]*m/g, ''); // the bar's colour
    expect(bar).toMatch(/^\r\x1b\[Kcodemod \[-+\] +0% 0\/2/);
    expect(bar).toMatch(/\r\x1b\[Kcodemod \[#+\] 100% 2\/2/);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(tty.stdout).toBe((await run(['codemod', ...files])).stdout);
  }, 240_000);

  it('--write --report json: writes the converted file, reports as JSON, and a second run changes nothing', async () => {
    const r = await run(['codemod', '--write', '--report', 'json', join(project, 'get.ts')]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { changed: string[]; written: boolean; findings: unknown[]; scanned: number };
    expect(report).toMatchObject({ written: true, findings: [], scanned: 1 });
    expect(report.changed).toHaveLength(1);
    // The project has no prettier config: prettier's defaults, with the file's own single quotes.
    const written = readFileSync(join(project, 'get.ts'), 'utf8');
    expect(written).toContain("import * as r2s from 'redis2sql/codemod-runtime';");
    expect(written).toContain('const redis = new pg.Pool({ connectionString: process.env.DATABASE_URL });');
    const again = await run(['codemod', '--write', join(project, 'get.ts')]);
    expect(again.stdout).toBe(
      `note: no tsconfig.json in the project of ${project}: types checked with default options (strict, NodeNext, allowJs)\n` +
        '1 file scanned: 0 changed, 0 partly converted, 0 left unchanged with reported call sites, 1 unchanged; 0 call sites converted, 0 reported\n',
    );
    expect(readFileSync(join(project, 'get.ts'), 'utf8')).toBe(written);
  }, 120_000);

  it('a path that does not exist, or --schema-out into a missing directory: a usage error (exit 2) before anything is read or written', async () => {
    // A file the run would convert.
    const fresh = join(project, 'fresh.ts');
    copyFileSync(join(CASES, 'get.input.ts'), fresh);
    const missing = await run(['codemod', '--write', fresh, join(project, 'nope')]);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: `redis2sql: ${join(project, 'nope')}: no such file or directory\n` });
    const schema = join(project, 'no-such-dir', 'schema.sql');
    const noDir = await run(['codemod', '--write', '--schema-out', schema, fresh]);
    expect(noDir).toEqual({ code: 2, stdout: '', stderr: `redis2sql: --schema-out ${schema}: no directory ${join(project, 'no-such-dir')} to write it in\n` });
    expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(join(CASES, 'get.input.ts'), 'utf8'));
  });

  it('a package.json that is not JSON is reported once, names no client version (--client-version still does), and is not counted as a file or a site', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'redis2sql-codemod-cli-broken-'));
    try {
      // A trailing comma: npm refuses it too.
      writeFileSync(join(broken, 'package.json'), '{ "type": "module", "dependencies": { "ioredis": "^5.4.0" }, }\n');
      symlinkSync(join(ROOT, 'node_modules'), join(broken, 'node_modules'));
      copyFileSync(join(CASES, 'get.input.ts'), join(broken, 'get.ts'));
      const warning = `${join(broken, 'package.json')}:1:1: warning: not a JSON object: the client versions it names are not read from it, and pg and redis2sql are not added to it [codemod/package-json]\n`;
      const unknown = await run(['codemod', join(broken, 'get.ts')]);
      expect(unknown.code).toBe(0);
      expect(unknown.stderr).toBe('');
      expect(unknown.stdout).toContain(warning);
      expect(unknown.stdout).toContain(`${join(broken, 'get.ts')}:1:1: warning: no package.json above this file names ioredis: its major version is unknown [ioredis/version]\n`);
      expect(unknown.stdout).toContain('1 file scanned: 0 would change, 0 partly converted, 1 left unchanged with reported call sites, 0 unchanged; 0 call sites converted, 1 reported\n');
      const told = await run(['codemod', '--client-version', '5', join(broken, 'get.ts')]);
      expect(told.code).toBe(0);
      expect(told.stdout).toContain(warning);
      expect(told.stdout).toContain('1 file scanned: 1 would change, 0 partly converted, 0 left unchanged with reported call sites, 0 unchanged; 1 call site converted, 0 reported\n');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  }, 120_000);
});
