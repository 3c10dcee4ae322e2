import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { APPS, APPS_DIR, appFiles, convertApp, recordedValues, runConverted, scratchApp } from '../support/codemod-apps.js';

// Each sample app: the codemod's output is the committed app.output.ts, and
// that output, run on PGlite, returns the values the real client returned
// from redis-server (recorded by scripts/record-codemod-app.ts).
for (const app of APPS) {
  describe(`codemod sample app (${app.name})`, () => {
    let db: Database;
    const scratch: string[] = [];
    beforeAll(async () => {
      db = await embeddedDatabase();
      await ensureSchema(db);
    }, 120_000);
    afterAll(async () => {
      await db.close();
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    });

    it('has its files: each input with its output, and the recorded values', () => {
      for (const f of [...appFiles(app).flatMap((x) => [x.input, x.output]), 'redis-values.json']) expect(existsSync(join(APPS_DIR, app.name, f)), f).toBe(true);
    });

    it('converts to the committed output with nothing reported, and the scripts\' functions collected', async () => {
      const dir = scratchApp(app);
      scratch.push(dir);
      const result = await convertApp(dir, app);
      expect(result.findings).toEqual([]);
      const files = appFiles(app);
      expect(result.changed.map((c) => c.path).sort()).toEqual(files.map((f) => f.scratch).sort());
      for (const f of files) expect(result.changed.find((c) => c.path === f.scratch)?.after, f.input).toBe(readFileSync(join(APPS_DIR, app.name, f.output), 'utf8'));
      // The converted app calls these functions: a test database gets them as --schema-out would.
      for (const ddl of result.functions.values()) await db.exec(ddl);
    }, 120_000);

    it('returns, run on PGlite, the values the real client returned from redis-server', async () => {
      const values = await runConverted(app, db);
      expect(values).toEqual(recordedValues(app));
    }, 60_000);
  });
}
