import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { runCommand } from '../../src/exec.js';
import { translate } from '../../src/translate.js';

/**
 * What the recorded oracle (fixtures/oracle/set*.redis, replayed by
 * test/oracle/replay.test.ts) cannot say: SPOP removes exactly what it
 * returns, SRANDMEMBER's negative counts repeat and reach every member,
 * binary members exactly as given, SCARD kept exact through 10 000 writes,
 * SSCAN's guarantee while the set changes, and shape-only SQL text.
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

function items(reply: RedisReply): Buffer[] {
  if (reply.type !== 'array' || reply.value === null) throw new Error(`not an array: ${JSON.stringify(reply)}`);
  return reply.value.map((r) => {
    if (r.type !== 'bulk' || r.value === null) throw new Error(`not a bulk string: ${JSON.stringify(r)}`);
    return r.value;
  });
}
const strings = (reply: RedisReply): string[] => items(reply).map(String);

describe('SPOP', () => {
  it('removes exactly the members it returns', async () => {
    const all = Array.from({ length: 100 }, (_, i) => `m${i}`);
    await run('SADD', 'pop', ...all);
    const popped = strings(await run('SPOP', 'pop', '30'));
    expect(popped.length).toBe(30);
    expect(new Set(popped).size).toBe(30);
    const single = await run('SPOP', 'pop');
    if (single.type !== 'bulk' || single.value === null) throw new Error('SPOP gave no member');
    popped.push(single.value.toString());
    const left = strings(await run('SMEMBERS', 'pop'));
    expect(await run('SCARD', 'pop')).toEqual(int(69));
    expect([...left, ...popped].sort()).toEqual([...all].sort());
    expect(left.filter((m) => popped.includes(m))).toEqual([]);
    // The rest, and the key is gone.
    expect(strings(await run('SPOP', 'pop', '1000')).sort()).toEqual([...left].sort());
    expect(await run('EXISTS', 'pop')).toEqual(int(0));
  });

  it('picks single members all over the set', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 20; round++) {
      await run('SADD', 'fair', 'a', 'b', 'c', 'd');
      const one = await run('SPOP', 'fair');
      if (one.type === 'bulk' && one.value !== null) seen.add(one.value.toString());
      await run('DEL', 'fair');
    }
    // 20 draws from 4: all four show up unless something is badly biased (chance ~0.01).
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });
});

describe('SRANDMEMBER', () => {
  it('a negative count gives |count| picks, repeats allowed, from every member', async () => {
    const all = Array.from({ length: 10 }, (_, i) => `r${i}`);
    await run('SADD', 'rand', ...all);
    const picks = strings(await run('SRANDMEMBER', 'rand', '-300'));
    expect(picks.length).toBe(300);
    expect(picks.every((p) => all.includes(p))).toBe(true);
    expect(new Set(picks).size).toBe(10);
    const few = strings(await run('SRANDMEMBER', 'rand', '-3'));
    expect(few.length).toBe(3);
    const distinct = strings(await run('SRANDMEMBER', 'rand', '7'));
    expect(new Set(distinct).size).toBe(7);
    expect(strings(await run('SRANDMEMBER', 'rand', '50')).sort()).toEqual([...all].sort());
    // Reading changes nothing.
    expect(await run('SCARD', 'rand')).toEqual(int(10));
  });
});

describe('binary members', () => {
  const nul = Buffer.from([0x00, 0xff, 0x00]);
  const slash = Buffer.from('a\\b\\\\c');
  const invalid = Buffer.from([0xc3, 0x28, 0x5c, 0x78, 0x30, 0x30]);

  it('are stored, compared and moved as the bytes given', async () => {
    expect(await run('SADD', 'bin', nul, slash, invalid, '', nul)).toEqual(int(4));
    expect(await run('SISMEMBER', 'bin', Buffer.from([0x00, 0xff]))).toEqual(int(0));
    expect(await run('SMISMEMBER', 'bin', nul, slash, invalid, '')).toEqual({
      type: 'array',
      value: [int(1), int(1), int(1), int(1)],
    });
    const members = items(await run('SMEMBERS', 'bin')).map((b) => b.toString('hex'));
    expect(members).toEqual([Buffer.alloc(0), nul, slash, invalid].map((b) => b.toString('hex')));
    expect(await run('SMOVE', 'bin', 'bin2', invalid)).toEqual(int(1));
    expect(items(await run('SINTER', 'bin2'))).toEqual([invalid]);
    expect(await run('SUNIONSTORE', 'u', 'bin', 'bin2')).toEqual(int(4));
    expect(items(await run('SDIFF', 'u', 'bin')).map((b) => b.toString('hex'))).toEqual([invalid.toString('hex')]);
  });

  it('passes members and keys as parameters: the SQL text depends on the shape only', () => {
    expect(translate(['SADD', 's', "x'; DROP TABLE y; --"]).sql).toBe(translate(['SADD', 't', 'a', 'b']).sql);
    expect(translate(['SINTER', 'a']).sql).toBe(translate(['SINTER', 'a', 'b', 'c']).sql);
    expect(translate(['SUNIONSTORE', 'd', 'a']).sql).toBe(translate(['SUNIONSTORE', 'e', 'a', 'b']).sql);
  });
});

describe('SCARD stays exact at size', () => {
  it('after 10 000 members added and 6 000 removed, in batches and one by one', async () => {
    const all = Array.from({ length: 10_000 }, (_, i) => `m${i}`);
    for (let i = 0; i < all.length; i += 1000) {
      expect(await run('SADD', 'big', ...all.slice(i, i + 1000), all[0]!)).toEqual(int(1000));
    }
    expect(await run('SCARD', 'big')).toEqual(int(10_000));
    expect(await run('SREM', 'big', ...all.slice(0, 5000), 'missing')).toEqual(int(5000));
    for (const m of all.slice(5000, 6000)) await run('SREM', 'big', m);
    expect(await run('SCARD', 'big')).toEqual(int(4000));
    const [row] = await db.query("SELECT count(*) AS n FROM redis.sets WHERE key = 'big'");
    expect(row?.['n']).toBe(4000n);
    // The algebra walks the smaller set against the bigger one.
    await run('SADD', 'few', 'm9999', 'm1', 'm7000', 'zz');
    expect(strings(await run('SINTER', 'big', 'few'))).toEqual(['m7000', 'm9999']);
    expect(await run('SINTERCARD', '2', 'big', 'few', 'LIMIT', '1')).toEqual(int(1));
    expect(await run('SDIFFSTORE', 'd', 'big', 'few')).toEqual(int(3998));
    expect(await run('SCARD', 'd')).toEqual(int(3998));
  }, 300_000);
});

describe('SSCAN', () => {
  it('returns every member present for the whole scan at least once, while others come and go', async () => {
    const stay = Array.from({ length: 3000 }, (_, i) => `s${i}`);
    const leave = Array.from({ length: 1000 }, (_, i) => `l${i}`);
    await run('SADD', 'scan', ...stay, ...leave);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const reply = await run('SSCAN', 'scan', cursor, 'COUNT', '50');
      if (reply.type !== 'array' || reply.value === null) throw new Error('not an array');
      cursor = items({ type: 'array', value: [reply.value[0]!] })[0]!.toString();
      for (const m of strings(reply.value[1]!)) seen.add(m);
      if (calls < leave.length) await run('SREM', 'scan', leave[calls]!);
      await run('SADD', 'scan', `n${calls}`);
      calls++;
    } while (cursor !== '0');
    expect(stay.filter((m) => !seen.has(m))).toEqual([]);
    expect(calls).toBeGreaterThan(40);
  }, 300_000);
});
