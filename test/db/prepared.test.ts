import { describe, expect, it } from 'vitest';
import { preparing, statementNames } from '../../src/db/postgres.js';

// Prepared on a PostgreSQL server (converted code, exec): test/live/prepared.live.test.ts.
describe('prepared statements: names and REDIS2SQL_PREPARE', () => {
  it('a statement text has one name, the same in every namer (a digest of the text), and another text another', () => {
    const a = statementNames(10);
    const b = statementNames(10);
    const get = 'SELECT $1::text AS reply';
    expect(a(get)).toMatch(/^redis2sql_[0-9a-f]{32}$/);
    expect(a(get)).toBe(a(get));
    expect(b(get)).toBe(a(get));
    expect(a('SELECT $1::int8 AS reply')).not.toBe(a(get));
    // Within PostgreSQL's 63-byte identifiers, which pg_prepared_statements shows.
    expect(a(get)!.length).toBeLessThanOrEqual(63);
  });

  it('past its limit of texts, a namer names only those it named before: the others run unnamed', () => {
    const name = statementNames(2);
    const first = name('SELECT 1');
    const second = name('SELECT 2');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(name('SELECT 3')).toBeUndefined();
    expect(name('SELECT 1')).toBe(first);
    expect(name('SELECT 2')).toBe(second);
  });

  it('REDIS2SQL_PREPARE: on unless it says off; a value that is neither is an error, not a guess', () => {
    expect(preparing({})).toBe(true);
    for (const on of ['', 'on', 'ON', '1', 'true', ' true ']) expect(preparing({ REDIS2SQL_PREPARE: on }), on).toBe(true);
    for (const off of ['off', 'Off', '0', 'false']) expect(preparing({ REDIS2SQL_PREPARE: off }), off).toBe(false);
    expect(() => preparing({ REDIS2SQL_PREPARE: 'of' })).toThrow("REDIS2SQL_PREPARE is 'of': it must be on or off (1/0, true/false)");
  });
});
