import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { runCommand } from '../../src/exec.js';

/**
 * A write that finds its key absent inserts the registry row as the command leaves it
 * (core.ts' createAsLeft) and takes open_key's way when the key is there after all. An
 * expired key is such a key: still in the registry with its old type, values and TTL until
 * a write or the sweep removes it. DESIGN §4: a write to it starts from nothing. So each
 * write below must give the same replies, contents and TTL on a key that expired as on a
 * key that never existed (recorded against redis-server for the latter in
 * fixtures/oracle/keys-created.redis), and leave the registry's size equal to the rows.
 */
let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
});
afterAll(async () => {
  await db.close();
});

const T0 = 1_000_000_000;
const run = (line: string): Promise<RedisReply> => runCommand(db, line);
const pin = (ms: number): Promise<unknown> => db.exec(`SET redis2sql.now_ms = '${ms}'`);

/** What a client can read of key k, whatever its type. */
async function contents(): Promise<RedisReply[]> {
  const type = await run('TYPE k');
  const name = type.type === 'status' ? type.value : '';
  const reads: Record<string, string[]> = {
    string: ['GET k', 'STRLEN k'],
    hash: ['HGETALL k', 'HLEN k'],
    set: ['SMEMBERS k', 'SCARD k'],
    zset: ['ZRANGE k 0 -1 WITHSCORES', 'ZCARD k'],
    list: ['LRANGE k 0 -1', 'LLEN k'],
  };
  const replies = [type, await run('PTTL k'), await run('DBSIZE')];
  for (const line of reads[name] ?? []) replies.push(await run(line));
  // SMEMBERS and HGETALL order is the table's: compare as sorted.
  return replies.map((r) => (r.type === 'array' && r.value !== null && name !== 'list' && name !== 'zset'
    ? { ...r, value: [...r.value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }
    : r));
}

/** Keys whose registry size is not their row count (strings count 0). */
async function sizeMismatches(): Promise<unknown[]> {
  const rows = await db.query(`
    SELECT k.key, k.size, CASE k.type
      WHEN 'hash' THEN (SELECT count(*) FROM redis.hashes v WHERE v.key = k.key)
      WHEN 'set' THEN (SELECT count(*) FROM redis.sets v WHERE v.key = k.key)
      WHEN 'zset' THEN (SELECT count(*) FROM redis.zsets v WHERE v.key = k.key)
      WHEN 'list' THEN (SELECT count(*) FROM redis.lists v WHERE v.key = k.key)
      ELSE 0 END AS n
    FROM redis.keys k`);
  return rows.filter((r) => String((r as { size: unknown }).size) !== String((r as { n: unknown }).n));
}

/** Replies of the writes, then the key's contents, starting from `setup` (run at T0, read at T0 + 1000). */
async function world(
  setup: readonly string[],
  writes: readonly string[],
): Promise<{ replies: RedisReply[]; mismatches: unknown[] }> {
  await db.exec('RESET redis2sql.now_ms');
  await db.query('SELECT redis.flush_keys()');
  await pin(T0);
  for (const line of setup) await run(line);
  await pin(T0 + 1000);
  const replies: RedisReply[] = [];
  for (const line of writes) replies.push(await run(line));
  replies.push(...(await contents()));
  const mismatches = await sizeMismatches();
  await db.exec('RESET redis2sql.now_ms');
  return { replies, mismatches };
}

const WRITES: readonly (readonly string[])[] = [
  ['SADD k a b a'],
  ['SADD src a b', 'SMOVE src k a', 'SMOVE src k b'],
  ['SADD k a', 'SADD k a b'],
  ['HSET k f 1 g 2 f 3'],
  ['HSETNX k f v'],
  ['HINCRBY k f 3', 'HINCRBY k f 1'],
  ['HINCRBYFLOAT k f 1.5', 'HINCRBYFLOAT k f 0.25', 'HINCRBYFLOAT k g 1e3'],
  ['HINCRBYFLOAT k f inf'],
  ['ZADD k 1 a 2 b 3 a'],
  ['ZADD k CH 1 a 2 a'],
  ['ZADD k NX 1 a 2 a'],
  ['ZADD k GT CH 5 a'],
  ['ZADD k XX 1 a'],
  ['INCR k', 'INCR k'],
  ['INCRBY k -5'],
  ['ZINCRBY k 2 a', 'ZINCRBY k 1 a'],
  ['ZADD k INCR XX 1 a'],
  ['APPEND k ab', 'APPEND k c'],
  ['APPEND k ""'],
  ['INCRBYFLOAT k 1.5', 'INCRBYFLOAT k 0.25'],
  ['INCRBYFLOAT k inf'],
  ['INCRBYFLOAT k x'],
  ['SETRANGE k 0 ab', 'SETRANGE k 1 c'],
  ['SETRANGE k 3 ab'],
  ['SETRANGE k 2 ""'],
  ['SETRANGE k 536870911 ab'],
  ['LPUSH k a b'],
  ['RPUSH k a b'],
];

// Every type, expiring at T0 + 1000: the writes run when it has just expired.
const STALE: Readonly<Record<string, readonly string[]>> = {
  string: ['SET k 41 PX 1000'],
  hash: ['HSET k f 40 old x', 'PEXPIRE k 1000'],
  set: ['SADD k old a', 'PEXPIRE k 1000'],
  zset: ['ZADD k 9 a 5 old', 'PEXPIRE k 1000'],
  list: ['RPUSH k old a', 'PEXPIRE k 1000'],
};

describe('a write to an expired key starts from nothing', () => {
  for (const writes of WRITES) {
    it(writes.join(', '), async () => {
      const fresh = await world([], writes);
      expect(fresh.mismatches).toEqual([]);
      // The stale key exists until its time has come (the setup itself is checked once here).
      for (const [type, setup] of Object.entries(STALE)) {
        const stale = await world(setup, writes);
        expect(stale.replies, `over an expired ${type}`).toEqual(fresh.replies);
        expect(stale.mismatches, `over an expired ${type}`).toEqual([]);
      }
    });
  }

  it('the expired keys above are there, with their values, until their time', async () => {
    for (const [type, setup] of Object.entries(STALE)) {
      await db.query('SELECT redis.flush_keys()');
      await pin(T0);
      for (const line of setup) await run(line);
      await pin(T0 + 999);
      expect(await run('TYPE k'), type).toEqual({ type: 'status', value: type });
      await pin(T0 + 1000);
      expect(await run('EXISTS k'), type).toEqual({ type: 'integer', value: 0n });
      const rows = await db.query(`SELECT type FROM redis.keys WHERE key = 'k'`);
      expect(rows, `${type}: the registry row is still there`).toEqual([{ type }]);
    }
    await db.exec('RESET redis2sql.now_ms');
  });
});
