import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisReply } from '../../src/emit/reply.js';
import { showReply } from '../support/oracle.js';
import { LiveClients, type Side, integer, members } from '../support/live-clients.js';

/**
 * Hash and set read-modify-writes under contention (DESIGN §4): CLIENTS
 * connections at once, each sending its commands one after another, on a
 * real PostgreSQL 15 and a real redis-server. The end states must be the same
 * on both, and the replies must add up as Redis' serial execution makes them
 * add up (HINCRBY replies are a permutation of 1..n, SADD counts sum to SCARD,
 * a set drained by SPOP loses and duplicates nothing).
 *
 * Commands go through runCommand (parse → translate → one statement →
 * decode) on one pg.Client per connection.
 */

const CLIENTS = 8;
const SCHEMA = 'redis_collections';
const P = 'coll:';

let live: LiveClients;
const onPg: Side = (i, ...argv) => live.onPg(i, ...argv);
const onRedis: Side = (i, ...argv) => live.onRedis(i, ...argv);
const SIDES: readonly [string, Side][] = [
  ['postgres', onPg],
  ['redis', onRedis],
];
const concurrently = (work: (i: number) => Promise<void>): Promise<void> => live.concurrently(work);

/** Keys that every client writes at about the same moment while they do not exist yet. */
const NEW_KEYS = 60;
const newKey = (type: string, j: number): string => `${P}new:${type}:${j}`;
type Creator = [type: string, write: (i: number, key: string) => string[], read: (key: string) => string[]];
const CREATORS: readonly Creator[] = [
  ['set', (i, k) => ['SADD', k, `m${i}`, `m${i + 1}`], (k) => ['SMEMBERS', k]],
  ['hash', (i, k) => ['HSET', k, `f${i}`, String(i), `f${i + 1}`, String(i)], (k) => ['HLEN', k]],
  ['zset', (i, k) => ['ZADD', k, String(i), `m${i}`], (k) => ['ZRANGE', k, '0', '-1', 'WITHSCORES']],
  ['counter', (_, k) => ['INCR', k], (k) => ['GET', k]],
  ['field', (_, k) => ['HINCRBY', k, 'n', '1'], (k) => ['HGET', k, 'n']],
  ['list', (i, k) => ['RPUSH', k, `e${i}`], (k) => ['LLEN', k]],
  ['float', (_, k) => ['INCRBYFLOAT', k, '1'], (k) => ['GET', k]],
  ['hfloat', (_, k) => ['HINCRBYFLOAT', k, 'n', '1'], (k) => ['HGET', k, 'n']],
  ['range', (i, k) => ['SETRANGE', k, String(i), 'x'], (k) => ['GET', k]],
  // Each client moves its own members out of its own source set (filled first).
  ['moved', (i, k) => ['SMOVE', sourceKey(i), k, `${k}:${i}`], (k) => ['SMEMBERS', k]],
];
const sourceKey = (i: number): string => `${P}source:${i}`;
/** Increments whose replies count 1..CLIENTS: integers, or bulk decimals (INCRBYFLOAT). */
const COUNTERS = ['counter', 'field', 'float', 'hfloat'];
const counted = (r: RedisReply): bigint => (r.type === 'bulk' && r.value !== null ? BigInt(r.value.toString()) : integer(r));

beforeAll(async () => {
  live = await LiveClients.open(SCHEMA, CLIENTS, [
    ...['h', 'hf', 's', 's2', 'queue', 'left', 'right'].map((k) => P + k),
    ...CREATORS.flatMap(([type]) => Array.from({ length: NEW_KEYS }, (_, j) => newKey(type, j))),
    ...Array.from({ length: CLIENTS }, (_, i) => sourceKey(i)),
  ]);
});

afterAll(async () => {
  await live?.close();
});

describe('hashes under contention', () => {
  it('HINCRBY: 8 × 300 increments of one field give 1..2400 once each, and the same hash as Redis', async () => {
    const N = 300;
    for (const [side, call] of SIDES) {
      const replies: bigint[] = [];
      await concurrently(async (i) => {
        for (let j = 0; j < N; j++) {
          replies.push(integer(await call(i, 'HINCRBY', `${P}h`, 'n', '1')));
          await call(i, 'HINCRBY', `${P}h`, `f${j % 5}`, String(i + 1));
        }
      });
      replies.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(replies, side).toEqual(Array.from({ length: CLIENTS * N }, (_, k) => BigInt(k + 1)));
    }
    const [pgAll, redisAll] = await Promise.all([onPg(0, 'HGETALL', `${P}h`), onRedis(0, 'HGETALL', `${P}h`)]);
    const pairs = (r: RedisReply): string[] => {
      const flat = members(r);
      return flat.filter((_, k) => k % 2 === 0).map((f, k) => `${f}=${flat[2 * k + 1]}`).sort();
    };
    expect(pairs(pgAll)).toEqual(pairs(redisAll));
    // Each field f0..f4 got (1 + … + 8) × 60.
    expect(pairs(pgAll)).toEqual(['f0=2160', 'f1=2160', 'f2=2160', 'f3=2160', 'f4=2160', 'n=2400']);
    expect(await onPg(0, 'HLEN', `${P}h`)).toEqual(await onRedis(0, 'HLEN', `${P}h`));
  });

  it('HINCRBYFLOAT: 8 × 100 increments of 0.5 end at 400 on both', async () => {
    for (const [, call] of SIDES) {
      await concurrently(async (i) => {
        for (let j = 0; j < 100; j++) await call(i, 'HINCRBYFLOAT', `${P}hf`, 'x', '0.5');
      });
    }
    const [a, b] = await Promise.all([onPg(0, 'HGET', `${P}hf`, 'x'), onRedis(0, 'HGET', `${P}hf`, 'x')]);
    expect(showReply(a)).toBe(showReply(b));
    expect(showReply(a)).toBe('"400"');
  });
});

describe('sets under contention', () => {
  it('SADD: overlapping members from 8 clients; the counts add up and the set is Redis\' set', async () => {
    for (const [side, call] of SIDES) {
      let added = 0n;
      await concurrently(async (i) => {
        for (let j = 0; j < 200; j++) {
          // Await first: `added += await …` would read `added` before the await and lose updates.
          const a = integer(await call(i, 'SADD', `${P}s`, `m${(i * 50 + j) % 600}`, `m${(i * 7 + j) % 600}`));
          added += a;
        }
      });
      expect(added, side).toBe(integer(await call(0, 'SCARD', `${P}s`)));
    }
    const [a, b] = await Promise.all([onPg(0, 'SMEMBERS', `${P}s`), onRedis(0, 'SMEMBERS', `${P}s`)]);
    expect(members(a).sort()).toEqual(members(b).sort());
  });

  it('SADD racing SREM: the counts add up and the registry size matches the rows', async () => {
    for (const [side, call] of SIDES) {
      let added = 0n;
      let removed = 0n;
      await concurrently(async (i) => {
        for (let j = 0; j < 200; j++) {
          const a = integer(await call(i, 'SADD', `${P}s2`, `m${(i * 50 + j) % 600}`, `m${(i * 7 + j) % 600}`));
          added += a;
          if (j % 4 === 3) {
            const r = integer(await call(i, 'SREM', `${P}s2`, `m${(i * 50 + j - 3) % 600}`));
            removed += r;
          }
        }
      });
      // Which members stay depends on the interleaving; the arithmetic does not.
      expect(added - removed, side).toBe(integer(await call(0, 'SCARD', `${P}s2`)));
    }
    const [row] = (
      await live.pgClients[0]!.query(
        `SELECT k.size, (SELECT count(*) FROM ${SCHEMA}.sets s WHERE s.key = k.key) AS n FROM ${SCHEMA}.keys k WHERE k.key = $1`,
        [`${P}s2`],
      )
    ).rows as { size: string; n: string }[];
    expect(row?.size).toBe(row?.n);
  });

  it('SPOP: 8 workers drain a 2 000-member set, losing and duplicating nothing', async () => {
    const all = Array.from({ length: 2000 }, (_, k) => `job${k}`);
    for (const [side, call] of SIDES) {
      for (let k = 0; k < all.length; k += 500) await call(0, 'SADD', `${P}queue`, ...all.slice(k, k + 500));
      const taken: string[] = [];
      await concurrently(async (i) => {
        for (;;) {
          const batch = i % 2 === 0 ? await call(i, 'SPOP', `${P}queue`, '3') : await call(i, 'SPOP', `${P}queue`);
          if (batch.type === 'bulk') {
            if (batch.value === null) return;
            taken.push(batch.value.toString());
          } else {
            const got = members(batch);
            if (got.length === 0) return;
            taken.push(...got);
          }
        }
      });
      expect(taken.length, side).toBe(all.length);
      expect([...taken].sort(), side).toEqual([...all].sort());
      expect(await call(0, 'EXISTS', `${P}queue`), side).toEqual({ type: 'integer', value: 0n });
    }
  });

  it('SMOVE in both directions at once neither deadlocks nor loses a member', async () => {
    const all = Array.from({ length: 200 }, (_, k) => `x${k}`);
    for (const [side, call] of SIDES) {
      await call(0, 'SADD', `${P}left`, ...all.slice(0, 100));
      await call(0, 'SADD', `${P}right`, ...all.slice(100));
      await concurrently(async (i) => {
        for (let j = 0; j < 100; j++) {
          const m = all[(i * 13 + j * 7) % all.length]!;
          await (i % 2 === 0
            ? call(i, 'SMOVE', `${P}left`, `${P}right`, m)
            : call(i, 'SMOVE', `${P}right`, `${P}left`, m));
        }
      });
      const union = [...members(await call(0, 'SMEMBERS', `${P}left`)), ...members(await call(0, 'SMEMBERS', `${P}right`))];
      expect(union.sort(), side).toEqual([...all].sort());
      expect(integer(await call(0, 'SCARD', `${P}left`)) + integer(await call(0, 'SCARD', `${P}right`)), side).toBe(200n);
    }
  });
});

describe('keys created by every client at once', () => {
  it('SADD, HSET, ZADD, INCR, HINCRBY, RPUSH, INCRBYFLOAT, HINCRBYFLOAT, SETRANGE and SMOVE racing on keys that do not exist yet: nothing lost, sizes exact', async () => {
    for (const [side, call] of SIDES) {
      for (let i = 0; i < CLIENTS; i++) {
        const moved = Array.from({ length: NEW_KEYS }, (_, j) => `${newKey('moved', j)}:${i}`);
        expect(integer(await call(i, 'SADD', sourceKey(i), ...moved))).toBe(BigInt(NEW_KEYS));
      }
      const added = new Map<string, bigint>();
      const counts = new Map<string, bigint[]>();
      await concurrently(async (i) => {
        for (let j = 0; j < NEW_KEYS; j++) {
          for (const [type, write] of CREATORS) {
            const key = newKey(type, j);
            const reply = counted(await call(i, ...write(i, key)));
            if (COUNTERS.includes(type)) counts.set(key, [...(counts.get(key) ?? []), reply]);
            else if (type !== 'list' && type !== 'range') added.set(key, (added.get(key) ?? 0n) + reply);
          }
        }
      });
      for (let j = 0; j < NEW_KEYS; j++) {
        // Each increment saw the one before it: the replies are 1..8, once each.
        for (const type of COUNTERS) {
          expect(counts.get(newKey(type, j))!.sort((a, b) => Number(a - b)), `${side} ${type} ${j}`).toEqual(
            Array.from({ length: CLIENTS }, (_, n) => BigInt(n + 1)),
          );
        }
        // Members and fields m0..m8 / f0..f8: added counts sum to the size.
        expect(added.get(newKey('set', j)), `${side} set ${j}`).toBe(BigInt(CLIENTS + 1));
        expect(added.get(newKey('hash', j)), `${side} hash ${j}`).toBe(BigInt(CLIENTS + 1));
        expect(added.get(newKey('zset', j)), `${side} zset ${j}`).toBe(BigInt(CLIENTS));
        expect(added.get(newKey('moved', j)), `${side} moved ${j}`).toBe(BigInt(CLIENTS));
      }
    }
    for (let j = 0; j < NEW_KEYS; j++) {
      for (const [type, , read] of CREATORS) {
        const [a, b] = await Promise.all([onPg(0, ...read(newKey(type, j))), onRedis(0, ...read(newKey(type, j)))]);
        if (type === 'set' || type === 'moved') expect(members(a).sort(), `${type} ${j}`).toEqual(members(b).sort());
        else expect(a, `${type} ${j}`).toEqual(b);
      }
    }
    const rows = (
      await live.pgClients[0]!.query(`
        SELECT k.key, k.size, CASE k.type
          WHEN 'hash' THEN (SELECT count(*) FROM ${SCHEMA}.hashes v WHERE v.key = k.key)
          WHEN 'set' THEN (SELECT count(*) FROM ${SCHEMA}.sets v WHERE v.key = k.key)
          WHEN 'zset' THEN (SELECT count(*) FROM ${SCHEMA}.zsets v WHERE v.key = k.key)
          WHEN 'list' THEN (SELECT count(*) FROM ${SCHEMA}.lists v WHERE v.key = k.key)
          ELSE 0 END AS n
        FROM ${SCHEMA}.keys k WHERE k.key LIKE $1`, [`${P}new:%`])
    ).rows as { key: string; size: string; n: string }[];
    expect(rows.length).toBe(CREATORS.length * NEW_KEYS);
    expect(rows.filter((r) => r.size !== r.n)).toEqual([]);
  });
});
