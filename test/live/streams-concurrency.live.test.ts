import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisReply } from '../../src/emit/reply.js';
import { showReply } from '../support/oracle.js';
import { LiveClients, type Side } from '../support/live-clients.js';

/**
 * XADD under contention on a real PostgreSQL 15 and a real redis-server:
 * CLIENTS connections add to one stream at once, with `*` and `<ms>-*` IDs.
 * Every ID handed out must be distinct, and the stream must hold exactly them
 * in increasing order (the ID is computed under the key's lock, see
 * emit/schema/streams.ts), on both sides.
 */

const CLIENTS = 8;
const PER_CLIENT = 100;
const SCHEMA = 'redis_streams_live';
const P = 'xlive:';

let live: LiveClients;
const onPg: Side = (i, ...argv) => live.onPg(i, ...argv);
const onRedis: Side = (i, ...argv) => live.onRedis(i, ...argv);
const SIDES: readonly [string, Side][] = [
  ['postgres', onPg],
  ['redis', onRedis],
];

const bulkText = (r: RedisReply): string => {
  if (r.type !== 'bulk' || r.value === null) throw new Error(`not a bulk string: ${showReply(r)}`);
  return r.value.toString();
};
const idsOf = (r: RedisReply): string[] => {
  if (r.type !== 'array' || r.value === null) throw new Error(`not an array: ${showReply(r)}`);
  return r.value.map((e) => {
    if (e.type !== 'array' || e.value === null) throw new Error(`not an entry: ${showReply(e)}`);
    return bulkText(e.value[0]!);
  });
};
const compareIds = (a: string, b: string): number => {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
};

beforeAll(async () => {
  live = await LiveClients.open(SCHEMA, CLIENTS, [`${P}auto`, `${P}seq`]);
});

afterAll(async () => {
  await live?.close();
});

describe('XADD IDs under contention', () => {
  it.each(SIDES)('%s: * and <ms>-* from 8 clients are distinct and the stream holds them in order', async (_, side) => {
    for (const [key, id] of [
      [`${P}auto`, '*'],
      [`${P}seq`, '5-*'],
    ] as const) {
      const given: string[] = [];
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
          for (let n = 0; n < PER_CLIENT; n++) given.push(bulkText(await side(i, 'XADD', key, id, 'client', String(i))));
        }),
      );
      expect(new Set(given).size).toBe(CLIENTS * PER_CLIENT);
      const stored = idsOf(await side(0, 'XRANGE', key, '-', '+'));
      expect(stored).toEqual([...given].sort(compareIds));
      // The first 5-* of a new stream is 5-0.
      if (id === '5-*') expect(stored.at(-1)).toBe(`5-${CLIENTS * PER_CLIENT - 1}`);
    }
  });
});
