import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { codemod, formatFinding, type CodemodResult } from '../../src/codemod/index.js';

// Fixture pairs <case>.input.ts / <case>.output.ts (and <case>.report.txt when
// the codemod reports call sites), auto-discovered. All inputs go through one
// run and all outputs through a second, which must change nothing: ts-morph's
// checker is the slow part, so one project per run keeps the test fast.
const CASES = fileURLToPath(new URL('../../fixtures/codemod/cases/', import.meta.url));
const names = readdirSync(CASES)
  .filter((f) => f.endsWith('.input.ts'))
  .map((f) => f.slice(0, -'.input.ts'.length))
  .sort();
const read = (file: string): string => readFileSync(CASES + file, 'utf8');

describe('codemod fixtures (ioredis 5)', () => {
  let first: CodemodResult;
  let second: CodemodResult;
  beforeAll(async () => {
    first = await codemod(names.map((n) => `${n}.input.ts`), { cwd: CASES });
    second = await codemod(names.map((n) => `${n}.output.ts`), { cwd: CASES });
  }, 240_000);

  it('discovers the cases', () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const n of names) expect(existsSync(`${CASES}${n}.output.ts`), n).toBe(true);
  });

  for (const name of names) {
    it(`${name}: converts to the expected output, and a second run changes nothing`, () => {
      const changed = first.changed.find((c) => c.path === `${name}.input.ts`);
      const expected = read(`${name}.output.ts`);
      expect(changed?.after ?? read(`${name}.input.ts`)).toBe(expected);
      expect(second.changed.find((c) => c.path === `${name}.output.ts`)).toBeUndefined();
      const report = existsSync(`${CASES}${name}.report.txt`) ? read(`${name}.report.txt`) : '';
      const lines = first.findings.filter((f) => f.path === `${name}.input.ts`).map((f) => formatFinding(f) + '\n');
      expect(lines.join('')).toBe(report);
    });
  }

  it('keeps comments, and leaves a file with one unconvertible use exactly as it was', () => {
    expect(read('get.output.ts')).toContain('// The cache client: one per process.');
    expect(read('set.output.ts')).toContain('// null when the key existed');
    expect(first.changed.some((c) => c.path === 'refused.input.ts')).toBe(false);
  });

  it('finds clients by type, not by name: a non-ioredis object called `redis` is left alone', () => {
    expect(first.changed.some((c) => c.path === 'unrelated.input.ts')).toBe(false);
    expect(first.findings.some((f) => f.path === 'unrelated.input.ts')).toBe(false);
  });
});

describe('codemod: ioredis majors', () => {
  // ioredis 4 and 6 are converted: test/codemod/values.test.ts runs their fixtures.
  it('refuses ioredis 3 with a report line and changes nothing', async () => {
    const dir = fileURLToPath(new URL('../../fixtures/codemod/ioredis3/', import.meta.url));
    const result = await codemod(['cache.ts'], { cwd: dir });
    expect(result.changed).toEqual([]);
    expect(result.findings.map(formatFinding)).toEqual(['cache.ts:1:1: warning: ioredis 3 is not supported (ioredis 4, 5 and 6 are) [ioredis/version]']);
  }, 120_000);
});
