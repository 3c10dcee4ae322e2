import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod, formatFinding, type CodemodResult } from '../../src/codemod/index.js';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { decodeValue, FLAVOURS, forCommonJsRuntime, fromDirectory, importConverted, scratchProject, valueFixtures, VALUES } from '../support/codemod-values.js';
import { translate } from '../../src/translate.js';

// Per client flavour: the value fixture converts to its committed output (and
// the output converts to itself), the output type-checks against the real pg
// types, and run on PGlite it returns exactly what the real client returned
// from redis-server (values.redis.json, scripts/record-codemod-values.ts),
// prototypes included.
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

for (const flavour of FLAVOURS) {
  const fixtures = valueFixtures(flavour);
  describe(`codemod values: ${flavour}`, () => {
    let dir: string;
    let first: CodemodResult;
    let second: CodemodResult;
    let db: Database;
    beforeAll(async () => {
      dir = scratchProject(flavour, fixtures.flatMap((f) => [f.input, f.output]));
      // One run over the inputs and one over the outputs: the type checker is the slow part.
      first = await codemod(fixtures.map((f) => f.input), { cwd: dir });
      second = await codemod(fixtures.map((f) => f.output), { cwd: dir });
      db = await embeddedDatabase();
      await ensureSchema(db);
    }, 600_000);
    afterAll(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('has value fixtures', () => {
      expect(fixtures.map((f) => f.input).filter((f) => /^values\.input\.[cm]?[jt]s$/.test(f))).toHaveLength(1);
    });

    for (const fixture of fixtures) {
      it(`${fixture.input}: converts every call to the committed output, and a second run changes nothing`, () => {
        expect(first.findings.filter((f) => f.path === fixture.input).map(formatFinding)).toEqual([]);
        expect(first.changed.find((c) => c.path === fixture.input)?.after).toBe(readFileSync(join(VALUES, flavour, fixture.output), 'utf8'));
        expect(second.changed.find((c) => c.path === fixture.output)).toBeUndefined();
        expect(second.findings.filter((f) => f.path === fixture.output)).toEqual([]);
      });

      it(`${fixture.input}: returns on PGlite what the real client returned from redis-server`, async () => {
        const { run } = await importConverted(dir, fixture.output);
        const recorded = (JSON.parse(readFileSync(join(VALUES, flavour, fixture.recorded), 'utf8')) as unknown[]).map(decodeValue);
        const flush = translate('FLUSHALL');
        await db.query(flush.sql, flush.params);
        // The converted eval() calls these functions (a fixture's SCRIPT FLUSH drops them): installed as --schema-out would.
        for (const ddl of first.functions.values()) await db.exec(ddl);
        const values = await fromDirectory(dir, () => run(fixture.output.endsWith('.cjs') ? forCommonJsRuntime(db, dir) : db));
        expect(values.length).toBe(recorded.length);
        for (const [i, v] of values.entries()) {
          expect(v, `value ${i}`).toStrictEqual(recorded[i]);
          if (typeof v === 'object' && v !== null) expect(Object.getPrototypeOf(v), `prototype of value ${i}`).toBe(Object.getPrototypeOf(recorded[i]));
        }
      }, 120_000);
    }
  });
}

describe('codemod values: the converted fixtures', () => {
  it('type-check against the real pg types (one tsc run for every flavour)', () => {
    // TypeScript outputs (JavaScript ones have no types to check).
    const outputs = FLAVOURS.flatMap((f) => valueFixtures(f).filter((x) => x.output.endsWith('.ts')).map((x) => ({ from: join(VALUES, f, x.output), to: `${f}-${x.output}` })));
    expect(outputs.length).toBeGreaterThanOrEqual(FLAVOURS.length);
    // The outputs import pg, the runtime and the clients' error classes, so one project holds them all (node-redis' from redis 5, whose classes 4's share).
    const dir = scratchProject('ioredis5', []);
    try {
      symlinkSync(join(REPO, 'node_modules/redis5'), join(dir, 'node_modules/redis'), 'dir');
      for (const o of outputs) cpSync(o.from, join(dir, o.to));
      const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: outputs.map((o) => o.to) }));
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
