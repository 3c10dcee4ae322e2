import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisReply } from '../../src/emit/reply.js';
import { showReply } from '../support/oracle.js';
import { LiveClients, type Side } from '../support/live-clients.js';

/**
 * Consumer groups through several connections at once, on a real PostgreSQL
 * 15 and a real redis-server alike: consumers of one group reading together
 * never receive the same entry and together receive all; a pending entry can
 * be claimed (XCLAIM, XAUTOCLAIM) once idle for min-idle-time and not before,
 * and two connections claiming at once never both get it. Times are compared
 * by what the clock allows (idle between the spans measured around the
 * commands), never by speed.
 */

const CLIENTS = 4;
const ENTRIES = 200;
const SCHEMA = 'redis_stream_groups_live';
const P = 'xgl:';
const MIN_IDLE = 300;

let live: LiveClients;
const onPg: Side = (i, ...argv) => live.onPg(i, ...argv);
const onRedis: Side = (i, ...argv) => live.onRedis(i, ...argv);
const SIDES: readonly [string, Side][] = [
  ['postgres', onPg],
  ['redis', onRedis],
];

const array = (r: RedisReply): readonly RedisReply[] | null => {
  if (r.type !== 'array') throw new Error(`not an array: ${showReply(r)}`);
  return r.value;
};
const text = (r: RedisReply | undefined): string => {
  if (r?.type !== 'bulk' || r.value === null) throw new Error(`not a bulk string: ${r === undefined ? 'nothing' : showReply(r)}`);
  return r.value.toString();
};
const int = (r: RedisReply | undefined): number => {
  if (r?.type !== 'integer') throw new Error(`not an integer: ${r === undefined ? 'nothing' : showReply(r)}`);
  return Number(r.value);
};
/** The IDs of XREADGROUP's one stream ([[key, [[id, fields]…]]]), none for nil. */
const readIds = (r: RedisReply): string[] => {
  const streams = array(r);
  if (streams === null) return [];
  const entries = array(array(streams[0]!)![1]!) ?? [];
  return entries.map((e) => text(array(e)![0]));
};
/** XCLAIM … JUSTID's IDs, or XAUTOCLAIM … JUSTID's claimed IDs. */
const claimedIds = (r: RedisReply, auto: boolean): string[] =>
  (auto ? array(array(r)![1]!)! : array(r)!).map((x) => text(x));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  live = await LiveClients.open(SCHEMA, CLIENTS, [`${P}q`, `${P}idle`, `${P}race`]);
});

afterAll(async () => {
  await live?.close();
});

describe.each(SIDES)('%s', (_, side) => {
  it(`${CLIENTS} consumers of one group reading at once never get the same entry, and together get all`, async () => {
    const key = `${P}q`;
    await side(0, 'DEL', key);
    for (let n = 1; n <= ENTRIES; n++) await side(0, 'XADD', key, `${n}-1`, 'n', String(n));
    await side(0, 'XGROUP', 'CREATE', key, 'g', '0');
    const got: string[][] = Array.from({ length: CLIENTS }, () => []);
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        for (;;) {
          const ids = readIds(await side(i, 'XREADGROUP', 'GROUP', 'g', `c${i}`, 'COUNT', '3', 'STREAMS', key, '>'));
          if (ids.length === 0) return;
          got[i]!.push(...ids);
        }
      }),
    );
    const all = got.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(Array.from({ length: ENTRIES }, (_, n) => `${n + 1}-1`).sort());
    // Each consumer's pending list holds exactly what it received.
    const summary = array(await side(0, 'XPENDING', key, 'g'))!;
    expect(int(summary[0])).toBe(ENTRIES);
    const perConsumer = Object.fromEntries((array(summary[3]!) ?? []).map((c) => [text(array(c)![0]), Number(text(array(c)![1]))]));
    for (let i = 0; i < CLIENTS; i++) expect(perConsumer[`c${i}`] ?? 0).toBe(got[i]!.length);
    const groups = array(array(await side(0, 'XINFO', 'GROUPS', key))![0]!)!;
    expect(text(groups[7])).toBe(`${ENTRIES}-1`);
    expect(int(groups[9])).toBe(ENTRIES);
    expect(int(groups[11])).toBe(0);
  });

  it('a pending entry is claimable once idle for min-idle-time, not before; its idle time follows the clock', async () => {
    const key = `${P}idle`;
    await side(0, 'DEL', key);
    await side(0, 'XADD', key, '1-1', 'a', '1');
    await side(0, 'XGROUP', 'CREATE', key, 'g', '0');
    const beforeRead = Date.now();
    expect(readIds(await side(0, 'XREADGROUP', 'GROUP', 'g', 'reader', 'STREAMS', key, '>'))).toEqual(['1-1']);
    const afterRead = Date.now();

    const early = claimedIds(await side(1, 'XCLAIM', key, 'g', 'thief', String(MIN_IDLE), '1-1', 'JUSTID'), false);
    const earlyAuto = claimedIds(await side(1, 'XAUTOCLAIM', key, 'g', 'thief', String(MIN_IDLE), '0', 'JUSTID'), true);
    // Whatever ran before this moment was less than MIN_IDLE after the read began.
    if (Date.now() - beforeRead < MIN_IDLE) {
      expect(early).toEqual([]);
      expect(earlyAuto).toEqual([]);
    }
    const pendingBefore = Date.now();
    const entry = array(array(await side(1, 'XPENDING', key, 'g', '-', '+', '10'))![0]!)!;
    const pendingAfter = Date.now();
    expect(text(entry[1])).toBe('reader');
    const idle = int(entry[2]);
    expect(idle).toBeGreaterThanOrEqual(pendingBefore - afterRead - 1);
    expect(idle).toBeLessThanOrEqual(pendingAfter - beforeRead + 1);

    await sleep(MIN_IDLE + 50 - (Date.now() - afterRead));
    const late = claimedIds(await side(1, 'XCLAIM', key, 'g', 'thief', String(MIN_IDLE), '1-1', 'JUSTID'), false);
    expect(late).toEqual(['1-1']);
    // Claimed: idle again from now, so the reader cannot take it back at once.
    const back = claimedIds(await side(0, 'XAUTOCLAIM', key, 'g', 'reader', String(MIN_IDLE), '0', 'JUSTID'), true);
    expect(back).toEqual([]);
    await sleep(MIN_IDLE + 50);
    expect(claimedIds(await side(0, 'XAUTOCLAIM', key, 'g', 'reader', String(MIN_IDLE), '0', 'JUSTID'), true)).toEqual(['1-1']);
    const consumers = array(await side(0, 'XINFO', 'CONSUMERS', key, 'g'))!.map((c) => array(c)!);
    expect(consumers.map((c) => [text(c[1]), int(c[3])])).toEqual([
      ['reader', 1],
      ['thief', 0],
    ]);
  });

  it(`${CLIENTS} connections claiming the same idle entries at once: each entry goes to one of them`, async () => {
    const key = `${P}race`;
    await side(0, 'DEL', key);
    for (let n = 1; n <= 50; n++) await side(0, 'XADD', key, `${n}-1`, 'n', String(n));
    await side(0, 'XGROUP', 'CREATE', key, 'g', '0');
    await side(0, 'XREADGROUP', 'GROUP', 'g', 'gone', 'STREAMS', key, '>');
    await sleep(MIN_IDLE + 50);
    const ids = Array.from({ length: 50 }, (_, n) => `${n + 1}-1`);
    const got = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) =>
        i % 2 === 0
          ? claimedIds(await side(i, 'XCLAIM', key, 'g', `w${i}`, String(MIN_IDLE), ...ids, 'JUSTID'), false)
          : claimedIds(await side(i, 'XAUTOCLAIM', key, 'g', `w${i}`, String(MIN_IDLE), '0', 'COUNT', '100', 'JUSTID'), true),
      ),
    );
    const all = got.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([...ids].sort());
  });
});
