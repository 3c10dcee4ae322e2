import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod } from '../../src/codemod/index.js';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';

// The converted app imports the runtime as an application would, by package
// name; here the package is this repository, unbuilt, so a copy of the app
// with its two package specifiers pointed at real paths is what runs.
const RUNTIME = fileURLToPath(new URL('../../src/codemod/runtime.ts', import.meta.url));
const PG = createRequire(import.meta.url).resolve('pg');

const APP = fileURLToPath(new URL('../../fixtures/codemod/apps/ioredis5/', import.meta.url));

describe('codemod sample app (ioredis 5)', () => {
  let db: Database;
  const scratch = mkdtempSync(join(tmpdir(), 'redis2sql-codemod-app-'));
  beforeAll(async () => {
    db = await embeddedDatabase();
    await ensureSchema(db);
  }, 120_000);
  afterAll(async () => {
    await db.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('converts to the committed output with nothing reported', async () => {
    const result = await codemod(['app.input.ts'], { cwd: APP });
    expect(result.findings).toEqual([]);
    expect(result.changed.map((c) => c.after)).toEqual([readFileSync(`${APP}app.output.ts`, 'utf8')]);
  }, 120_000);

  it('returns, run on PGlite, the values ioredis returned from redis-server (scripts/record-codemod-app.ts)', async () => {
    const source = readFileSync(`${APP}app.output.ts`, 'utf8')
      .replace("from 'redis2sql/codemod-runtime'", `from ${JSON.stringify(RUNTIME)}`)
      .replace("from 'pg'", `from ${JSON.stringify(PG)}`);
    writeFileSync(join(scratch, 'app.ts'), source);
    const { run } = (await import(pathToFileURL(join(scratch, 'app.ts')).href)) as {
      run: (target: Database) => Promise<unknown[]>;
    };
    const recorded = JSON.parse(readFileSync(`${APP}ioredis-values.json`, 'utf8')) as unknown[];
    const values = await run(db);
    expect(values).toEqual(recorded);
  }, 60_000);
});
