import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, openDatabase, type Database } from '../../src/db/index.js';
import { toError } from '../../src/db/normalise.js';
import { PG_TYPES } from '../../src/db/postgres.js';
import { Session } from '../../src/session.js';
import { DatabaseError, RedisError } from '../../src/errors.js';

let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
});
afterAll(async () => {
  await db.close();
});

describe('embedded database (PGlite): values come back normalised', () => {
  it('bytea → Buffer, int8 → bigint, numeric → string, float8 → number, arrays, NULL', async () => {
    const [row] = await db.query(
      `SELECT 1::int8 AS i8, 9223372036854775807::int8 AS big, ARRAY[1, -2]::int8[] AS i8s,
              '\\x00ff'::bytea AS b, ARRAY['\\x61'::bytea, NULL] AS bs, 1.5::numeric AS n, ARRAY[2.25]::numeric[] AS ns,
              'Infinity'::float8 AS inf, '-0'::float8 AS negzero, 7::int4 AS i4, true AS t, 'x'::text AS s,
              ARRAY['a', NULL]::text[] AS ss, NULL::bytea AS nil, '[1, {"a": "b"}]'::jsonb AS jb, '"s"'::json AS j`,
    );
    expect(row).toEqual({
      i8: 1n,
      big: 9223372036854775807n,
      i8s: [1n, -2n],
      b: Buffer.from([0, 255]),
      bs: [Buffer.from('a'), null],
      n: '1.5',
      ns: ['2.25'],
      inf: Infinity,
      negzero: -0,
      i4: 7,
      t: true,
      s: 'x',
      ss: ['a', null],
      nil: null,
      jb: '[1, {"a": "b"}]',
      j: '"s"',
    });
    expect(Buffer.isBuffer(row!['b'])).toBe(true);
    expect(Object.is(row!['negzero'], -0)).toBe(true);
  });

  it('binds Buffers (with backslashes and NUL bytes) and arrays of them as bytea', async () => {
    const value = Buffer.from('a\\b\0\xff', 'latin1');
    const [row] = await db.query('SELECT $1::bytea AS v, $2::bytea[] AS vs, length($1::bytea) AS n', [value, [value, null]]);
    expect(row).toEqual({ v: value, vs: [value, null], n: 5 });
  });

  it('turns SQLSTATE RD000 into a RedisError with Redis text, anything else into a DatabaseError', async () => {
    const redis = await db
      .query(`DO $$BEGIN RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'WRONGTYPE Operation against a key holding the wrong kind of value'; END$$`)
      .catch((e: unknown) => e);
    expect(redis).toBeInstanceOf(RedisError);
    expect((redis as Error).message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    const ours = await db.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(ours).toBeInstanceOf(DatabaseError);
    expect((ours as DatabaseError).code).toBe('42P01');
    expect((ours as Error).message).toBe('relation "no_such_table" does not exist (SQLSTATE 42P01)');
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.exec('CREATE TABLE tx_test (n int)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_test VALUES (1)');
    });
    const failed = await db
      .transaction(async (tx) => {
        await tx.query('INSERT INTO tx_test VALUES (2)');
        await tx.query(`DO $$BEGIN RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'ERR boom'; END$$`);
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RedisError);
    expect(await db.query('SELECT n FROM tx_test ORDER BY n')).toEqual([{ n: 1 }]);
  });
});

describe('ensureSchema', () => {
  it('creates the schema once, then finds it current', async () => {
    expect(await ensureSchema(db)).toBe('created');
    expect(await ensureSchema(db)).toBe('present');
    expect(await db.query(`SELECT to_regclass('redis.keys')::text AS t`)).toEqual([{ t: 'redis.keys' }]);
  });

  it('updates a schema installed from other DDL without losing data', async () => {
    await db.query(`INSERT INTO redis.keys (key, type, version) VALUES ('kept', 'string', 1)`);
    await db.exec(`COMMENT ON SCHEMA redis IS 'redis2sql schema 0000000000000000'`);
    expect(await ensureSchema(db)).toBe('updated');
    expect(await db.query(`SELECT key FROM redis.keys WHERE key = 'kept'`)).toEqual([{ key: 'kept' }]);
    expect(await ensureSchema(db)).toBe('present');
  });

  it("refuses a key type outside Redis' six (the key_type domain)", async () => {
    await expect(db.query(`INSERT INTO redis.keys (key, type, version) VALUES ('odd', 'bogus', 1)`)).rejects.toThrow(/key_type/);
    await expect(db.query(`UPDATE redis.keys SET type = 'strings' WHERE key = 'kept'`)).rejects.toThrow(/key_type/);
  });

  it('updates a schema whose registry still has the CHECK constraint of older versions, which keeps working', async () => {
    await db.exec(`CREATE SCHEMA legacy;
      CREATE TABLE legacy.keys (key text COLLATE "C" PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('string', 'hash', 'list', 'set', 'zset', 'stream')),
        expires_at bigint, version bigint NOT NULL, size bigint NOT NULL DEFAULT 0, list_head bigint)`);
    expect(await ensureSchema(db, { schema: 'legacy' })).toBe('updated');
    const session = new Session(db, { schema: 'legacy' });
    const run = (...argv: string[]) => session.run(argv.map((a) => Buffer.from(a)));
    expect(await run('HSET', 'h', 'f', 'v')).toEqual(await run('HLEN', 'h'));
    expect(await run('TYPE', 'h')).toEqual({ type: 'status', value: 'hash' });
    await expect(db.query(`UPDATE legacy.keys SET type = 'bogus'`)).rejects.toThrow(/keys_type_check/);
  });

  it('works in a schema whose name needs quoting', async () => {
    expect(await ensureSchema(db, { schema: 'My Cache' })).toBe('created');
    expect(await db.query(`SELECT to_regclass('"My Cache".keys') IS NOT NULL AS ok`)).toEqual([{ ok: true }]);
  });
});

describe('embedded database with a data directory', () => {
  it('keeps its data between openings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis2sql-db-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      expect(first.kind).toBe('embedded');
      await first.exec('CREATE TABLE kept (v bytea); INSERT INTO kept VALUES (\'\\x00\')');
      await first.close();
      const second = await openDatabase({ dataDir: dir });
      expect(await second.query('SELECT v FROM kept')).toEqual([{ v: Buffer.from([0]) }]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('node-postgres type parsers (set per query, not globally)', () => {
  const parse = (oid: number, text: string): unknown => PG_TYPES.getTypeParser(oid, 'text')(text);
  it('reads int8 and int8[] as bigint, numeric and numeric[] as exact text', () => {
    expect(parse(20, '9223372036854775807')).toBe(9223372036854775807n);
    expect(parse(1016, '{1,NULL,-9223372036854775808}')).toEqual([1n, null, -9223372036854775808n]);
    expect(parse(1700, '0.10000000000000000001')).toBe('0.10000000000000000001');
    expect(parse(1231, '{1.5,NULL}')).toEqual(['1.5', null]);
    expect(parse(3802, '{"a": [1]}')).toBe('{"a": [1]}');
  });
  it('keeps the pg defaults for bytea and float8', () => {
    expect(parse(17, '\\x00ff')).toEqual(Buffer.from([0, 255]));
    expect(parse(701, '-Infinity')).toBe(-Infinity);
  });
  it('reads bytea[] (faster parser) exactly as pg-types does: hex and escape output, NULL, empty, nested', () => {
    const reference = (pg.types.getTypeParser as (oid: number, format: 'text') => (text: string) => unknown)(1001, 'text');
    const literals = [
      '{"\\\\x00ff",NULL,"\\\\x","\\\\x5c22"}',
      '{}',
      '{{"\\\\x61","\\\\x62"},{"\\\\x63",NULL}}',
      '{"\\\\\\\\000a\\"b",abc}',
    ];
    for (const text of literals) expect(parse(1001, text)).toEqual(reference(text));
    expect(parse(1001, literals[0]!)).toEqual([Buffer.from([0, 255]), null, Buffer.alloc(0), Buffer.from('\\"')]);
  });
});

describe('toError', () => {
  it('names network failures by their code rather than as a SQLSTATE', () => {
    const e = toError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    expect(e).toBeInstanceOf(DatabaseError);
    expect(e.message).toBe('connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)');
  });
});
