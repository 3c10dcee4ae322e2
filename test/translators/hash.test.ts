import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { runCommand } from '../../src/exec.js';
import { translate } from '../../src/translate.js';

/**
 * What the recorded oracle (fixtures/oracle/hash*.redis, replayed by
 * test/oracle/replay.test.ts) cannot say: binary fields exactly as given,
 * HLEN kept exact through 10 000 writes, HSCAN's guarantee over a hash that
 * changes during the scan, HRANDFIELD's pairs, and SQL text that depends on
 * the command's shape only.
 */
let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
});
afterAll(async () => {
  await db.close();
});

const run = (...argv: (string | Buffer)[]): Promise<RedisReply> => runCommand(db, argv);
const int = (n: number): RedisReply => ({ type: 'integer', value: BigInt(n) });
const bulk = (b: Buffer | string | null): RedisReply => ({
  type: 'bulk',
  value: b === null ? null : Buffer.isBuffer(b) ? b : Buffer.from(b),
});

function items(reply: RedisReply): Buffer[] {
  if (reply.type !== 'array' || reply.value === null) throw new Error(`not an array: ${JSON.stringify(reply)}`);
  return reply.value.map((r) => {
    if (r.type !== 'bulk' || r.value === null) throw new Error(`not a bulk string: ${JSON.stringify(r)}`);
    return r.value;
  });
}

const hex = (bs: readonly Buffer[]): string[] => bs.map((b) => b.toString('hex'));

describe('binary fields and values', () => {
  const nul = Buffer.from([0x00, 0xff, 0x00]);
  const slash = Buffer.from('a\\b\\\\c');
  const invalid = Buffer.from([0xc3, 0x28, 0x5c, 0x78, 0x30, 0x30]);

  it('stores and returns the bytes given, whatever they are', async () => {
    expect(await run('HSET', 'bin', nul, slash, slash, invalid, '', nul)).toEqual(int(3));
    expect(await run('HGET', 'bin', nul)).toEqual(bulk(slash));
    expect(await run('HGET', 'bin', slash)).toEqual(bulk(invalid));
    expect(await run('HGET', 'bin', '')).toEqual(bulk(nul));
    expect(await run('HSTRLEN', 'bin', slash)).toEqual(int(invalid.length));
    expect(await run('HEXISTS', 'bin', Buffer.from([0x00]))).toEqual(int(0));
    // Bytewise order: '' < 00ff00 < 'a\b…'.
    expect(hex(items(await run('HKEYS', 'bin')))).toEqual(hex([Buffer.alloc(0), nul, slash]));
    expect(hex(items(await run('HGETALL', 'bin')))).toEqual(hex([Buffer.alloc(0), nul, nul, slash, slash, invalid]));
    expect(await run('HINCRBY', 'bin', nul, '1')).toEqual({ type: 'error', message: 'ERR hash value is not an integer' });
    expect(await run('HDEL', 'bin', nul, slash, '')).toEqual(int(3));
    expect(await run('EXISTS', 'bin')).toEqual(int(0));
  });

  it('passes values as parameters: the SQL text depends on the shape only', () => {
    const a = translate(['HSET', 'k1', 'f', "v'); DROP TABLE x; --"]);
    const b = translate(['HSET', 'k2', 'g', 'w']);
    expect(a.sql).toBe(b.sql);
    expect(a.sql).not.toContain('DROP');
    expect(translate(['HMGET', 'k', 'a']).sql).toBe(translate(['HMGET', 'k', 'a', 'b', 'c']).sql);
    expect(translate(['HSCAN', 'k', '0', 'MATCH', 'x*']).sql).toBe(translate(['HSCAN', 'q', '77', 'MATCH', 'y']).sql);
  });
});

describe('HLEN stays exact at size', () => {
  it('after 10 000 fields added and 6 000 removed, in batches and one by one', async () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => `f${i}`);
    for (let i = 0; i < fields.length; i += 1000) {
      const pairs = fields.slice(i, i + 1000).flatMap((f) => [f, 'v']);
      expect(await run('HSET', 'big', ...pairs)).toEqual(int(1000));
    }
    // Overwrites add nothing; a field repeated in one command counts once.
    expect(await run('HSET', 'big', 'f1', 'x', 'f1', 'y', 'new', 'z')).toEqual(int(1));
    expect(await run('HGET', 'big', 'f1')).toEqual(bulk('y'));
    expect(await run('HLEN', 'big')).toEqual(int(10_001));
    expect(await run('HDEL', 'big', ...fields.slice(0, 5000), 'missing')).toEqual(int(5000));
    for (const f of fields.slice(5000, 6000)) await run('HDEL', 'big', f);
    expect(await run('HLEN', 'big')).toEqual(int(4001));
    const [row] = await db.query("SELECT count(*) AS n FROM redis.hashes WHERE key = 'big'");
    expect(row?.['n']).toBe(4001n);
    for (let i = 0; i < 1000; i++) await run('HINCRBY', 'big', `c${i % 10}`, '1');
    expect(await run('HLEN', 'big')).toEqual(int(4011));
    expect(await run('HGET', 'big', 'c3')).toEqual(bulk('100'));
  }, 300_000);
});

describe('HSCAN', () => {
  it('returns every field present for the whole scan at least once, while others come and go', async () => {
    const stay = Array.from({ length: 3000 }, (_, i) => `s${i}`);
    const leave = Array.from({ length: 1000 }, (_, i) => `l${i}`);
    await run('HSET', 'scan', ...[...stay, ...leave].flatMap((f) => [f, 'v']));
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const reply = await run('HSCAN', 'scan', cursor, 'COUNT', '50');
      if (reply.type !== 'array' || reply.value === null) throw new Error('not an array');
      const [next, batch] = reply.value;
      cursor = items({ type: 'array', value: [next!] })[0]!.toString();
      const flat = items(batch!);
      for (let i = 0; i < flat.length; i += 2) seen.add(flat[i]!.toString());
      // Change the hash between calls: remove a leaving field, add a new one.
      if (calls < leave.length) await run('HDEL', 'scan', leave[calls]!);
      await run('HSET', 'scan', `n${calls}`, 'v');
      calls++;
    } while (cursor !== '0');
    expect(stay.filter((f) => !seen.has(f))).toEqual([]);
    // COUNT is honoured (roughly) on a hash past Redis' compact size.
    expect(calls).toBeGreaterThan(40);
  }, 300_000);

  it('MATCH filters after COUNT picks, so a batch may be empty while the scan goes on', async () => {
    await run('HSET', 'm', ...Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v']).flat());
    const matched: string[] = [];
    let cursor = '0';
    let empty = 0;
    do {
      const reply = await run('HSCAN', 'm', cursor, 'MATCH', 'k1?', 'COUNT', '20');
      if (reply.type !== 'array' || reply.value === null) throw new Error('not an array');
      cursor = items({ type: 'array', value: [reply.value[0]!] })[0]!.toString();
      const flat = items(reply.value[1]!);
      if (flat.length === 0) empty++;
      for (let i = 0; i < flat.length; i += 2) matched.push(flat[i]!.toString());
    } while (cursor !== '0');
    expect(matched.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k1${i}`).sort());
    expect(empty).toBeGreaterThan(0);
  });
});

describe('HRANDFIELD', () => {
  it('WITHVALUES pairs each field with its own value; a negative count repeats', async () => {
    const fields = Array.from({ length: 20 }, (_, i) => `f${i}`);
    await run('HSET', 'r', ...fields.flatMap((f) => [f, `value-of-${f}`]));
    for (const count of ['7', '-50', '25']) {
      const flat = items(await run('HRANDFIELD', 'r', count, 'WITHVALUES'));
      expect(flat.length).toBe(2 * Math.min(Math.abs(Number(count)), count.startsWith('-') ? Infinity : 20));
      for (let i = 0; i < flat.length; i += 2) {
        expect(flat[i + 1]!.toString()).toBe(`value-of-${flat[i]!.toString()}`);
      }
      const names = flat.filter((_, i) => i % 2 === 0).map(String);
      if (!count.startsWith('-')) expect(new Set(names).size).toBe(names.length);
    }
    // 400 picks from 20 fields: all of them come up (the chance of missing one is ~1e-7).
    const many = items(await run('HRANDFIELD', 'r', '-400')).map(String);
    expect(new Set(many).size).toBe(20);
    const one = await run('HRANDFIELD', 'r');
    expect(one.type === 'bulk' && one.value !== null && fields.includes(one.value.toString())).toBe(true);
  });
});
