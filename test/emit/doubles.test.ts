import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDouble, formatG } from '../../src/emit/doubles.js';

// Recorded from redis-server 7.0.15 by test/emit/record-doubles.ts (ZADD then ZSCORE).
const RECORDED = JSON.parse(readFileSync(new URL('./doubles.recorded.json', import.meta.url), 'utf8')) as {
  input: string;
  zscore: string;
}[];

/** strtod as Redis parses scores: JS Number() rounds correctly too, but spells infinity differently. */
function parseScore(input: string): number {
  const lower = input.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  return Number(input);
}

describe('formatDouble (Redis 7.0 double replies)', () => {
  it('has a recording to compare with', () => {
    expect(RECORDED.length).toBeGreaterThan(30);
  });
  it.each(RECORDED)('ZADD $input → ZSCORE $zscore', ({ input, zscore }) => {
    expect(formatDouble(parseScore(input))).toBe(zscore);
  });
});

describe('formatG (C printf %g)', () => {
  // glibc printf output, checked with the shell's printf.
  it.each([
    [0.5, 1, '0.5'],
    [1.5, 1, '2'],
    [2.5, 1, '2'],
    [99999.5, 5, '1e+05'],
    [0.000123456, 3, '0.000123'],
    [1 / 3, 14, '0.33333333333333'],
    [1e14, 14, '1e+14'],
    [123456789, 14, '123456789'],
    [NaN, 17, 'nan'],
  ] as const)('%s with precision %s → %s', (value, precision, expected) => {
    expect(formatG(value, precision)).toBe(expected);
  });
});
