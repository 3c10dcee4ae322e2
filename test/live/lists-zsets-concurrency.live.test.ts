import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisReply } from '../../src/emit/reply.js';
import { showReply } from '../support/oracle.js';
import { LiveClients, type Side, integer, members } from '../support/live-clients.js';

/**
 * List and sorted-set read-modify-writes under contention (DESIGN §4, issue
 * #4 item 5): CLIENTS connections at once on a real PostgreSQL 15 and a real
 * redis-server. A list pushed to at both ends and popped/moved from at the
 * same time loses and duplicates nothing; ZINCRBY ends exactly where Redis
 * ends.
 *
 * Commands go through runCommand (parse → translate → one statement →
 * decode) on one pg.Client per connection.
 */

const CLIENTS = 8;
const SCHEMA = 'redis_lists_zsets';
const P = 'lz:';

let live: LiveClients;
const onPg: Side = (i, ...argv) => live.onPg(i, ...argv);
const onRedis: Side = (i, ...argv) => live.onRedis(i, ...argv);
const SIDES: readonly [string, Side][] = [
  ['postgres', onPg],
  ['redis', onRedis],
];
const concurrently = (work: (i: number) => Promise<void>): Promise<void> => live.concurrently(work);

/** A popped element, or undefined when the list was empty (nil). */
const element = (r: RedisReply): string | undefined => {
  if (r.type !== 'bulk') throw new Error(`not a bulk: ${showReply(r)}`);
  return r.value === null ? undefined : r.value.toString('latin1');
};
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

beforeAll(async () => {
  live = await LiveClients.open(SCHEMA, CLIENTS, ['a', 'b', 'q', 'z1', 'z2'].map((k) => P + k));
});

afterAll(async () => {
  await live?.close();
});

describe('lists under contention', () => {
  it('LPUSH/RPUSH, LPOP/RPOP and LMOVE between two lists at once lose and duplicate nothing', async () => {
    const N = 150;
    const pushed = Array.from({ length: CLIENTS }, (_, i) => Array.from({ length: N }, (_, j) => `e${i}-${j}`)).flat();
    for (const [side, call] of SIDES) {
      const popped: string[] = [];
      await concurrently(async (i) => {
        for (let j = 0; j < N; j++) {
          await call(i, (i + j) % 2 === 0 ? 'LPUSH' : 'RPUSH', `${P}a`, `e${i}-${j}`);
          // Every third step pops from one list, every other step moves an element across, in all four directions.
          if (j % 3 === 2) {
            const got = element(await call(i, j % 2 === 0 ? 'LPOP' : 'RPOP', i % 2 === 0 ? `${P}a` : `${P}b`));
            if (got !== undefined) popped.push(got);
          }
          const [from, to] = i % 2 === 0 ? [`${P}a`, `${P}b`] : [`${P}b`, `${P}a`];
          await call(i, 'LMOVE', from, to, j % 2 === 0 ? 'LEFT' : 'RIGHT', i % 4 < 2 ? 'RIGHT' : 'LEFT');
        }
      });
      const a = members(await call(0, 'LRANGE', `${P}a`, '0', '-1'));
      const b = members(await call(0, 'LRANGE', `${P}b`, '0', '-1'));
      expect(integer(await call(0, 'LLEN', `${P}a`)), side).toBe(BigInt(a.length));
      expect(integer(await call(0, 'LLEN', `${P}b`)), side).toBe(BigInt(b.length));
      const all = [...popped, ...a, ...b];
      expect(all.length, side).toBe(pushed.length);
      expect(all.sort(byString), side).toEqual([...pushed].sort(byString));
      // Positions stay dense after the storm: LINDEX agrees with LRANGE at both ends and in the middle.
      for (const [key, list] of [
        [`${P}a`, a],
        [`${P}b`, b],
      ] as const) {
        for (const at of [0, Math.floor(list.length / 2), list.length - 1]) {
          if (list.length === 0) continue;
          expect(element(await call(0, 'LINDEX', key, String(at))), `${side} ${key}[${at}]`).toBe(list[at]);
        }
      }
      await call(0, 'DEL', `${P}a`, `${P}b`);
    }
  });

  it('8 workers drain a queue fed by RPUSH while they LPOP: every job exactly once', async () => {
    const N = 200;
    for (const [side, call] of SIDES) {
      const taken: string[] = [];
      // Half the clients produce, half consume; a consumer stops at the first empty pop after every producer finished,
      // so a lost job shows as a short count, not as a hang.
      const total = (CLIENTS / 2) * N;
      let producing = CLIENTS / 2;
      await concurrently(async (i) => {
        if (i % 2 === 0) {
          for (let j = 0; j < N; j++) await call(i, 'RPUSH', `${P}q`, `job${i}-${j}`);
          producing--;
          return;
        }
        for (;;) {
          const finished = producing === 0;
          const batch = await call(i, 'LPOP', `${P}q`, '3');
          if (batch.type === 'array' && batch.value !== null) taken.push(...members(batch));
          else if (finished) return;
        }
      });
      expect(taken.length, side).toBe(total);
      expect(new Set(taken).size, side).toBe(total);
      expect(await call(0, 'EXISTS', `${P}q`), side).toEqual({ type: 'integer', value: 0n });
    }
  });
});

describe('sorted sets under contention', () => {
  it('ZINCRBY: 8 × 300 increments of one member reply 1..2400 once each', async () => {
    const N = 300;
    for (const [side, call] of SIDES) {
      const replies: string[] = [];
      await concurrently(async (i) => {
        for (let j = 0; j < N; j++) {
          const r = await call(i, 'ZINCRBY', `${P}z1`, '1', 'hot');
          replies.push(element(r) ?? 'nil');
        }
      });
      expect(replies.map(Number).sort((x, y) => x - y), side).toEqual(
        Array.from({ length: CLIENTS * N }, (_, k) => k + 1),
      );
    }
    expect(await onPg(0, 'ZSCORE', `${P}z1`, 'hot')).toEqual(await onRedis(0, 'ZSCORE', `${P}z1`, 'hot'));
  });

  it('ZINCRBY of overlapping members ends where Redis ends (ZRANGE WITHSCORES)', async () => {
    const N = 200;
    for (const [, call] of SIDES) {
      await concurrently(async (i) => {
        for (let j = 0; j < N; j++) {
          // Binary-exact increments (halves, quarters, negatives): the sum does not depend on the interleaving.
          const by = ['1', '0.5', '-0.25', String(i + 1)][j % 4]!;
          await call(i, 'ZINCRBY', `${P}z2`, by, `m${(i * 3 + j) % 12}`);
        }
      });
    }
    const [a, b] = await Promise.all([
      onPg(0, 'ZRANGE', `${P}z2`, '0', '-1', 'WITHSCORES'),
      onRedis(0, 'ZRANGE', `${P}z2`, '0', '-1', 'WITHSCORES'),
    ]);
    expect(members(a)).toEqual(members(b));
    expect(members(a).length).toBe(24);
    expect(await onPg(0, 'ZCARD', `${P}z2`)).toEqual(await onRedis(0, 'ZCARD', `${P}z2`));
  });
});
