import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod, formatFinding, type CodemodResult } from '../../src/codemod/index.js';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { decodeValue, FLAVOURS, importConverted, scratchProject, VALUES } from '../support/codemod-values.js';

// Per client flavour: the value fixture converts to its committed output (and
// the output converts to itself), the output type-checks against the real pg
// types, and run on PGlite it returns exactly what the real client returned
// from redis-server (values.redis.json, scripts/record-codemod-values.ts),
// prototypes included.
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

for (const flavour of FLAVOURS.filter((f) => existsSync(join(VALUES, f, 'values.output.ts')))) {
  describe(`codemod values: ${flavour}`, () => {
    let dir: string;
    let first: CodemodResult;
    let second: CodemodResult;
    let db: Database;
    beforeAll(async () => {
      dir = scratchProject(flavour, ['values.input.ts', 'values.output.ts']);
      first = await codemod(['values.input.ts'], { cwd: dir });
      second = await codemod(['values.output.ts'], { cwd: dir });
      db = await embeddedDatabase();
      await ensureSchema(db);
      // The converted eval() calls these functions: the database gets them as --schema-out would.
      for (const ddl of first.functions.values()) await db.exec(ddl);
    }, 600_000);
    afterAll(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('converts every call to the committed output, and a second run changes nothing', () => {
      expect(first.findings.map(formatFinding)).toEqual([]);
      expect(first.changed.map((c) => c.after)).toEqual([readFileSync(join(VALUES, flavour, 'values.output.ts'), 'utf8')]);
      expect(second.changed).toEqual([]);
      expect(second.findings).toEqual([]);
    });

    it('returns on PGlite what the real client returned from redis-server', async () => {
      const { run } = await importConverted(dir, 'values.output.ts');
      const recorded = (JSON.parse(readFileSync(join(VALUES, flavour, 'values.redis.json'), 'utf8')) as unknown[]).map(decodeValue);
      const values = await run(db);
      expect(values.length).toBe(recorded.length);
      for (const [i, v] of values.entries()) {
        expect(v, `value ${i}`).toStrictEqual(recorded[i]);
        if (typeof v === 'object' && v !== null) expect(Object.getPrototypeOf(v), `prototype of value ${i}`).toBe(Object.getPrototypeOf(recorded[i]));
      }
    }, 120_000);

  });
}

describe('codemod values: the converted fixtures', () => {
  it('type-check against the real pg types (one tsc run for every flavour)', () => {
    const flavours = FLAVOURS.filter((f) => existsSync(join(VALUES, f, 'values.output.ts')));
    expect(flavours.length).toBe(FLAVOURS.length);
    // The outputs import only pg and the runtime, so one project holds them all.
    const dir = scratchProject('ioredis5', []);
    try {
      for (const f of flavours) cpSync(join(VALUES, f, 'values.output.ts'), join(dir, `${f}.output.ts`));
      const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: flavours.map((f) => `${f}.output.ts`) }));
      const tsc = spawnSync(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('codemod values: calls that are reported', () => {
  // Per flavour: refused.input.* holds calls the codemod cannot convert faithfully (blocking, pub/sub, run-time options…).
  for (const flavour of FLAVOURS) {
    const input = readdirSync(join(VALUES, flavour)).find((f) => /^refused\.input\.[cm]?[jt]s$/.test(f));
    if (input === undefined) continue;
    it(`${flavour}: reports each call of ${input} with its reason and leaves the file as it was`, async () => {
      const dir = scratchProject(flavour, [input]);
      try {
        const result = await codemod([input], { cwd: dir });
        expect(result.changed).toEqual([]);
        expect(result.findings.map((f) => formatFinding(f) + '\n').join('')).toBe(readFileSync(join(VALUES, flavour, 'refused.report.txt'), 'utf8'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
