import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchema, openDatabase, postgresDatabase, type Database, type OpenOptions } from '../../src/db/index.js';
import { runCli } from '../cli/run-cli.js';
import { ioredis, ioredisMulti } from '../../src/codemod/runtime.js';
import type { ReplyShape } from '../../src/emit/reply.js';
import type { RuntimeParam } from '../../src/codemod/refused.js';
import { translate } from '../../src/translate.js';

/**
 * Statements on a PostgreSQL server prepared once per connection
 * (src/db/postgres.ts `prepare`): converted code's, given the pg Pool or
 * Client its client's construction became (src/codemod/database-runtime.ts),
 * which pg_prepared_statements shows, and `exec --db`'s, whose replies are
 * redis-cli's for the same lines; REDIS2SQL_PREPARE=off runs them unnamed.
 */
const DATABASE = 'redis2sql_prepared';
let admin: pg.Client;
let db: Database;
let url: string;

beforeAll(async () => {
  const server = process.env.DATABASE_URL;
  if (server === undefined || server === '') throw new Error('DATABASE_URL not set: run through the live project');
  admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  const own = new URL(server);
  own.pathname = `/${DATABASE}`;
  url = own.toString();
  db = postgresDatabase(url);
  await ensureSchema(db);
}, 120_000);

afterEach(() => {
  delete process.env.REDIS2SQL_PREPARE;
});

afterAll(async () => {
  await db?.close();
  await admin?.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin?.end();
});

/** A command as the codemod compiles it: its statement, parameters and reply shape. */
function compiled(line: string): { readonly sql: string; readonly params: readonly RuntimeParam[]; readonly shape: ReplyShape } {
  const c = translate(line);
  return { sql: c.sql, params: c.params, shape: c.reply };
}

async function prepared(client: pg.Client): Promise<{ name: string; statement: string }[]> {
  const { rows } = await client.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY prepare_time');
  return rows;
}

describe('codemod runtime on a PostgreSQL server: prepared statements', () => {
  it('a call on a pg Client prepares its statement once on that connection and gives the same values', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const set = compiled('SET greeting hello');
      const get = compiled('GET greeting');
      expect(await ioredis(client, set.sql, set.params, set.shape)).toBe('OK');
      expect(await ioredis(client, get.sql, get.params, get.shape)).toBe('hello');
      expect(await ioredis(client, get.sql, get.params, get.shape)).toBe('hello');
      const rows = await prepared(client);
      expect(rows.map((r) => r.statement)).toEqual([set.sql, get.sql]);
      for (const r of rows) expect(r.name).toMatch(/^redis2sql_[0-9a-f]{32}$/);
      // A Redis error from a prepared statement is the same error.
      const incr = compiled('INCR greeting');
      await expect(ioredis(client, incr.sql, incr.params, incr.shape)).rejects.toThrow('ERR value is not an integer or out of range');
    } finally {
      await client.end();
    }
  });

  it('a multi() on a pool prepares on the connection its transaction takes; a failed command is still its entry', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const set = compiled('SET counter 10');
      const incr = compiled('INCR counter');
      const bad = compiled('LPUSH counter x');
      const entries = await ioredisMulti(pool).add(set.sql, set.params, set.shape).add(incr.sql, incr.params, incr.shape).add(bad.sql, bad.params, bad.shape).exec();
      expect(entries?.[0]).toEqual([null, 'OK']);
      expect(entries?.[1]).toEqual([null, 11]);
      expect(String(entries?.[2]?.[0])).toContain('WRONGTYPE Operation against a key holding the wrong kind of value');
      // The pool's one connection, as the next call takes it.
      const statements = (await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map((r) => r.statement);
      expect(statements).toEqual(expect.arrayContaining([set.sql, incr.sql, bad.sql]));
    } finally {
      await pool.end();
    }
  });

  it('REDIS2SQL_PREPARE=off runs the statements unnamed; a value that is neither on nor off rejects the call', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      process.env.REDIS2SQL_PREPARE = 'off';
      const get = compiled('GET greeting');
      expect(await ioredis(client, get.sql, get.params, get.shape)).toBe('hello');
      expect(await prepared(client)).toEqual([]);
      process.env.REDIS2SQL_PREPARE = 'maybe';
      await expect(ioredis(client, get.sql, get.params, get.shape)).rejects.toThrow("REDIS2SQL_PREPARE is 'maybe'");
    } finally {
      await client.end();
    }
  });
});

describe('exec --db on a PostgreSQL server: prepared statements', () => {
  // Keys of their own on the shared redis-server.
  const LINES = ['DEL prep:s prep:h prep:z', 'SET prep:s 10', 'INCR prep:s', 'INCR prep:s', 'GET prep:s', 'HSET prep:h a 1 b 2', 'HGETALL prep:h', 'ZADD prep:z 1 x 2 y', 'ZRANGE prep:z 0 -1 WITHSCORES', 'LPUSH prep:s x', 'GET prep:nope'];

  it('prints what redis-cli prints for the same lines, its database opened to prepare them', async () => {
    const port = Number(process.env.REDIS_PORT);
    if (!(port > 0)) throw new Error('REDIS_PORT not set: run through the live project');
    const input = LINES.join('\n') + '\n';
    const redisCli = (lines: string): string => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-raw'], { input: lines, encoding: 'utf8' });
    const expected = redisCli(input);
    const opened: OpenOptions[] = [];
    const open = (options: OpenOptions): Promise<Database> => {
      opened.push(options);
      return openDatabase(options);
    };
    const run = await runCli(['exec', '--db', url], { stdin: input, openDatabase: open });
    expect(run.stdout).toBe(expected);
    expect(run.code).toBe(1);
    expect(opened).toEqual([{ url, prepare: true }]);
    const off = await runCli(['exec', '--db', url, 'GET prep:s'], { env: { REDIS2SQL_PREPARE: 'off' }, openDatabase: open });
    expect(off.stdout).toBe(redisCli('GET prep:s\n'));
    expect(opened.at(-1)).toEqual({ url, prepare: false });
  });
});
